"""The desk's side of an approved entry's waiting change, and organizers' edits that move an entry."""

from __future__ import annotations

import pytest
from django.core import mail

from registrations.models import Registration
from registrations.services.registration import registration_update
from tests.desk.test_admin import CHANGELIST, staff
from tests.factories import ParticipantFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_page(registration: Registration) -> str:
    return f"{CHANGELIST}{registration.pk}/change/"


def test_the_change_page_shows_the_waiting_change_and_approving_applies_it(
    client, edition, django_capture_on_commit_callbacks
):
    participant = ParticipantFactory(edition=edition, handle="PaloAltoPolice")
    registration_update(registration=participant, handle="PaloAltoPD", agency_name="<b>PAPD</b>")
    client.force_login(staff("view_registration", "change_registration", "review_registration"))
    page = client.get(change_page(participant)).content.decode()
    assert "Change waiting for approval" in page
    assert "&lt;b&gt;PAPD&lt;/b&gt;" in page and "<b>PAPD</b>" not in page  # shown as text
    assert "Approve the change" in page and "Reject the change" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{CHANGELIST}{participant.pk}/change-decision/", {"approve": "1"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.handle, participant.agency_name) == ("PaloAltoPD", "<b>PAPD</b>")
    assert participant.status == Registration.Status.APPROVED
    assert [message.subject.split(":")[0] for message in mail.outbox] == ["Change approved"]
    assert "Change waiting for approval" not in client.get(change_page(participant)).content.decode()


def test_deciding_on_a_change_needs_the_review_permission(client, edition):
    participant = ParticipantFactory(edition=edition)
    registration_update(registration=participant, city="Menlo Park")
    client.force_login(staff("view_registration", "change_registration"))
    assert "Approve the change" not in client.get(change_page(participant)).content.decode()
    response = client.post(f"{CHANGELIST}{participant.pk}/change-decision/", {"approve": "1"})
    assert response.status_code == 403
    participant.refresh_from_db()
    assert participant.city == "Palo Alto"


def test_an_organizer_changing_the_country_places_the_entry_again(
    client, edition, django_capture_on_commit_callbacks
):
    # The Metropolitan Police signed up as Ukrainian ("UK" then Tab): pinned in Kyiv on Europe/Kyiv.
    registration = ParticipantFactory(
        edition=edition,
        handle="metpoliceuk",
        street="",
        postcode="",
        city="London",
        region="",
        country="UA",
        latitude=50.45,
        longitude=30.52,
        time_zone="Europe/Kyiv",
    )
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    form = client.get(change_page(registration)).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if form[name].value() is not None}
    data.update({"log_entries-TOTAL_FORMS": 0, "log_entries-INITIAL_FORMS": 0, "country": "GB"})
    data["consent_public"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_page(registration), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    registration.refresh_from_db()
    assert registration.country.code == "GB"
    assert registration.time_zone == "Europe/London"
    assert round(registration.latitude) == 52 and round(registration.longitude) == 0


def test_an_organizer_edit_keeps_a_point_pinned_by_hand(client, edition, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(
        edition=edition,
        latitude=59.437,
        longitude=24.754,
        geo_status=Registration.GeoStatus.LOCATED,
        geo_precision=Registration.GeoPrecision.MANUAL,
        time_zone="Europe/Tallinn",
    )
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    form = client.get(change_page(registration)).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if form[name].value() is not None}
    data.update(
        {"log_entries-TOTAL_FORMS": 0, "log_entries-INITIAL_FORMS": 0, "city": "London", "country": "GB"}
    )
    data["consent_public"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change_page(registration), data).status_code == 302
    registration.refresh_from_db()
    assert (registration.latitude, registration.time_zone) == (59.437, "Europe/Tallinn")
