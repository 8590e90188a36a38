"""The faults of issue 10, one test (or more) per row: squatting, invitations, IPv6, tokens, private
pages, the lost-link timing, invisible characters, Unicode digits, NUL and non-UTF-8 input."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registrations import tokens
from registrations.models import Registration
from registrations.services.review import registration_reject
from tests.factories import EditionFactory, ParticipantFactory, RegistrationFactory, UserFactory
from tests.registrations.helpers import agency_post, field_errors

pytestmark = pytest.mark.django_db

REGISTER = "registrations:register"


def register(client: Client, **fields: str):
    return client.post(reverse(REGISTER, args=["agency"]), agency_post(**fields))


def confirm(client: Client, registration: Registration):
    return client.post(reverse("registrations:confirm", args=[tokens.make_token(registration, "confirm")]))


# --- 1. Handles: whoever confirms first holds it ----------------------------------------------------------


def test_a_squatter_who_never_confirms_does_not_keep_the_owner_out(client, edition):
    assert register(client, handle="VictimPD", email="squatter@gmail.example").status_code == 302
    # The owner signs up after the squatter: accepted, not "already registered".
    assert register(Client(), handle="victimpd", email="pio@victim.gov").status_code == 302
    squatter, owner = Registration.objects.order_by("pk")
    assert confirm(Client(), owner).status_code == 200
    owner.refresh_from_db()
    assert owner.handle_held_at is not None
    # The squatter's link now says plainly that someone else holds the account.
    response = confirm(Client(), squatter)
    assert response.status_code == 409
    assert "@VictimPD is already registered" in response.content.decode()
    squatter.refresh_from_db()
    assert squatter.email_confirmed_at is None and squatter.handle_held_at is None
    # And a third sign-up is told who holds it, in words.
    refused = register(Client(), handle="VICTIMPD", email="x@victim.gov")
    assert refused.status_code == 400
    assert "already registered and confirmed" in field_errors(refused.content.decode(), "handle")[0]


def test_the_database_allows_one_live_confirmed_entry_per_handle(edition):
    RegistrationFactory(edition=edition, handle="NYPDnews")
    RegistrationFactory(edition=edition, handle="nypdnews", email_confirmed_at=None)  # unconfirmed: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(edition=edition, handle="NYPDNEWS")  # a second confirmed holder


def test_a_rejected_squatter_releases_the_handle_and_the_organizer_sees_the_rejection(client, edition):
    organizer = UserFactory(is_staff=True, is_superuser=True)
    squatter = RegistrationFactory(edition=edition, handle="VictimPD", email="squatter@gmail.example")
    registration_reject(registration=squatter, actor=organizer, reason="Not a police account <b>.")
    assert register(client, handle="VictimPD", email="pio@victim.gov").status_code == 302
    owner = Registration.objects.get(email="pio@victim.gov")
    assert confirm(Client(), owner).status_code == 200

    admin = Client()
    admin.force_login(organizer)
    page = admin.get(reverse("admin:registrations_registration_change", args=[owner.pk])).content.decode()
    assert "earlier rejected entries for this handle" in page.lower()
    assert "squatter@gmail.example" in page and "Not a police account &lt;b&gt;." in page
    listing = admin.get(reverse("admin:registrations_registration_changelist"), {"all": "1"}).content.decode()
    assert "rejected before" in listing.lower()


def test_unconfirmed_entries_expire_with_their_link(edition):
    now = timezone.now()
    stale = RegistrationFactory(edition=edition, email_confirmed_at=None, handle="StalePD")
    fresh = RegistrationFactory(edition=edition, email_confirmed_at=None, handle="FreshPD")
    # Confirmed once, then the registrant changed the address (unconfirmed again): still holds its handle.
    moved = RegistrationFactory(
        edition=edition, email_confirmed_at=None, handle_held_at=now, handle="MovedPD"
    )
    Registration.objects.filter(pk__in=[stale.pk, moved.pk]).update(created_at=now - dt.timedelta(days=8))
    Registration.objects.filter(pk=fresh.pk).update(created_at=now - dt.timedelta(days=6))
    call_command("expire_unconfirmed")
    assert set(Registration.objects.values_list("handle", flat=True)) == {"FreshPD", "MovedPD"}


# --- 7. Links and limits ------------------------------------------------------------------------------------


@pytest.fixture
def invitation(edition):
    past = EditionFactory(ordinal=6, title="6th Global Police Tweet-a-thon")
    source = ParticipantFactory(edition=past, handle="PaloAltoPolice", email="comms@cityofpaloalto.org")
    return reverse("registrations:return", args=[tokens.make_return_token(source, edition)])


def test_one_invitation_creates_at_most_one_registration(edition, invitation):
    for handle in ("PaloAltoPolice", "OtherPD", "ThirdPD"):
        Client().post(invitation, agency_post(handle=handle, email="comms@cityofpaloalto.org"))
    assert Registration.objects.filter(edition=edition).count() == 1


def test_the_database_refuses_a_second_entry_from_one_invitation(edition, invitation):
    source = Registration.objects.get(handle="PaloAltoPolice")
    RegistrationFactory(edition=edition, returning_from=source, handle="One")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(edition=edition, returning_from=source, handle="Two", email_confirmed_at=None)


def test_ipv6_clients_of_one_64_share_one_limit(edition, settings):
    settings.BEHIND_PROXY = True
    settings.RATE_LIMIT_SIGNUP = "20/h"
    created = 0
    for index in range(30):
        client = Client(HTTP_X_FORWARDED_FOR=f"2001:db8:1:2::{index + 1:x}")
        response = register(client, handle=f"Agency{index}", email=f"pio{index}@city.gov")
        created += response.status_code == 302
    assert created == 20
    assert Registration.objects.count() == 20


def test_a_token_carries_no_readable_hash_of_the_email(edition):
    registration = RegistrationFactory(edition=edition, email="pio@victim.gov", email_confirmed_at=None)
    token = tokens.make_token(registration, "confirm")
    plain = hashlib.sha256(b"pio@victim.gov").hexdigest()
    payload = signing.loads(token, salt="poltwt.confirm")
    assert plain[:16] not in str(payload) and plain[:8] not in token
    assert tokens.read_token(token, "confirm") == registration


@pytest.mark.parametrize("page", ["confirm", "manage", "withdraw", "return"])
def test_private_pages_are_never_cached_and_never_referred(edition, invitation, page):
    registration = RegistrationFactory(edition=edition, email_confirmed_at=None)
    urls = {
        "confirm": reverse("registrations:confirm", args=[tokens.make_token(registration, "confirm")]),
        "manage": reverse("registrations:manage", args=[tokens.make_token(registration, "manage")]),
        "withdraw": reverse("registrations:withdraw", args=[tokens.make_token(registration, "manage")]),
        "return": invitation,
    }
    response = Client().get(urls[page])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_lost_link_does_the_same_work_for_known_and_unknown_addresses(
    client, edition, settings, django_assert_num_queries
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    RegistrationFactory(edition=edition, email="pio@police.example")
    RegistrationFactory(edition=edition, email="pio@police.example", handle="SecondPD")
    url = reverse("registrations:lost_link")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for email in ("pio@police.example", "nobody@police.example"):
        with CaptureQueriesContext(connection) as queries:
            assert client.post(url, {"email": email}).status_code == 200
        counts[email] = len(queries)
    assert counts["pio@police.example"] == counts["nobody@police.example"]
    assert mail.outbox == []  # the lookup and the emails happen in the worker


# --- 6. Text ----------------------------------------------------------------------------------------------

INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte-order mark": "\ufeff",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "Arabic letter mark": "\u061c",
    "LRE": "\u202a",
    "RLO": "\u202e",
    "FSI": "\u2068",
    "PDI": "\u2069",
}


@pytest.mark.parametrize("name", INVISIBLE)
@pytest.mark.parametrize("field", ["agency_name", "street", "city", "region", "postcode"])
def test_invisible_characters_are_refused_in_every_text_field(client, edition, name, field):
    typed = f"Palo{INVISIBLE[name]}Alto"
    response = register(client, **{field: typed})
    assert response.status_code == 400
    [error] = field_errors(response.content.decode(), field)
    assert "Remove the invisible characters" in error
    assert not Registration.objects.exists()


def test_right_to_left_text_stays_welcome(client, edition):
    assert register(client, agency_name="شرطة دبي", city="دبي").status_code == 302
    assert Registration.objects.get().agency_name == "شرطة دبي"


def test_a_message_to_registrants_refuses_a_line_separator_but_keeps_newlines(edition):
    from desk.admin.mailing import MessageForm

    audience = {"statuses": ["approved"], "kinds": ["agency"]}
    form = MessageForm(
        {"edition": edition.pk, "subject": "Hello", "body": "Line one\u2028line two", **audience}
    )
    assert not form.is_valid() and "body" in form.errors
    form = MessageForm({"edition": edition.pk, "subject": "Hello", "body": "Line one\nline two", **audience})
    assert form.is_valid(), form.errors


# --- 5. No 500 from input ---------------------------------------------------------------------------------

PUBLIC_PAGES = [
    "pages:home",
    "pages:edition_list",
    "pages:schedule",
    "pages:participant_list",
    "pages:participants_csv",
    "pages:participants_json",
    "pages:participants_geojson",
    "pages:participant_handles",
    "pages:statistics",
    "pages:map",
    "pages:map_embed",
]


@pytest.mark.parametrize("digit", ["%C2%B2", "%E2%91%A0", "%D9%A3"])  # ², ①, Arabic-Indic three
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_unicode_digits_in_the_edition_are_not_found_not_a_server_error(edition, name, digit):
    response = Client(raise_request_exception=False).get(f"{reverse(name)}?edition={digit}")
    assert response.status_code in (200, 404)


def test_nul_in_an_admin_filter_is_a_bad_request(edition):
    admin = Client(raise_request_exception=False)
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    for query in ("country=%00", "q=%00", "status=a%00b"):
        response = admin.get(f"{reverse('admin:registrations_registration_changelist')}?{query}")
        assert response.status_code == 400, query


@pytest.mark.parametrize("body", [b"email=%FF%FE", b"email=caf\xe9", b"\xff\xfe\x00=x"])
def test_a_form_body_that_is_not_utf8_gets_the_400_page(edition, body):
    response = Client(raise_request_exception=False).generic(
        "POST", reverse("registrations:lost_link"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "The request could not be read" in response.content.decode()


def test_the_migration_lets_entries_confirmed_before_it_hold_their_handle(edition):
    from importlib import import_module

    from django.apps import apps

    from registrations.models import RegistrationLogEntry

    migration = import_module(
        "registrations.migrations.0009_handles_held_by_confirmation_and_background_jobs"
    )
    confirmed = RegistrationFactory(edition=edition, handle_held_at=None)
    # Confirmed, then changed the address (unconfirmed again): the log remembers the confirmation.
    moved = RegistrationFactory(edition=edition, email_confirmed_at=None, handle_held_at=None)
    RegistrationLogEntry.objects.create(registration=moved, action=RegistrationLogEntry.Action.CONFIRMED)
    never = RegistrationFactory(edition=edition, email_confirmed_at=None, handle_held_at=None)
    migration.hold_handles_of_confirmed_entries(apps, None)
    for registration in (confirmed, moved, never):
        registration.refresh_from_db()
    assert confirmed.handle_held_at == confirmed.email_confirmed_at
    assert moved.handle_held_at == moved.log_entries.get().at
    assert never.handle_held_at is None


def test_private_pages_post_their_forms_under_no_referrer_and_still_need_the_csrf_token(edition):
    """Under "Referrer-Policy: no-referrer" browsers post with "Origin: null": accepted with the token on the
    private pages only; without the token, or on another page, refused."""
    import re

    registration = RegistrationFactory(edition=edition, email_confirmed_at=None, handle_held_at=None)
    url = reverse("registrations:confirm", args=[tokens.make_token(registration, "confirm")])
    client = Client(enforce_csrf_checks=True)
    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post(url, {}, HTTP_ORIGIN="null").status_code == 403  # no token
    lost = reverse("registrations:lost_link")
    assert client.post(lost, {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="null").status_code == 403
    assert client.post(url, {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="null").status_code == 200
    registration.refresh_from_db()
    assert registration.email_confirmed_at is not None
