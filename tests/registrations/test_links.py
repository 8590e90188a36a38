"""The private links: confirm the email, manage, withdraw, and ask for the links again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from registrations import tokens
from registrations.models import Registration, RegistrationLogEntry
from tests.factories import RegistrationFactory
from tests.registrations.helpers import (
    REGISTER_AGENCY,
    agency_post,
    field_errors,
    form_values,
    link_paths,
)

pytestmark = pytest.mark.django_db


def manage_path(registration: Registration) -> str:
    return reverse("registrations:manage", args=[tokens.make_token(registration, "manage")])


def confirm_path(registration: Registration) -> str:
    return reverse("registrations:confirm", args=[tokens.make_token(registration, "confirm")])


def manage_post(registration: Registration, **overrides: str) -> dict[str, str]:
    """The manage form as the page fills it, with some fields changed."""
    data = {
        "handle": registration.handle,
        "agency_name": registration.agency_name,
        "agency_level": registration.agency_level,
        "officer_name": registration.officer_name,
        "officer_role": registration.officer_role,
        "email": registration.email,
        "street": registration.street,
        "city": registration.city,
        "region": registration.region,
        "postcode": registration.postcode,
        "country": str(registration.country),
        "participation_model": registration.participation_model,
        "topic": registration.topic,
        "hours_from": "",
        "hours_to": "",
        "consent_public": "on" if registration.consent_public else "",
    }
    data.update(overrides)
    return data


def assert_link_problem(response, *, status: int, expired: bool) -> None:
    assert response.status_code == status
    page = response.content.decode()
    assert ("This link has expired" in page) is expired
    assert ("This link is not valid" in page) is not expired
    assert f'href="{reverse("registrations:lost_link")}">Send me a new link</a>' in page


def tamper(token: str) -> str:
    """Change one character in the middle of the signature."""
    position = len(token) - 10
    swapped = "A" if token[position] != "A" else "B"
    return token[:position] + swapped + token[position + 1 :]


@pytest.fixture
def unconfirmed(edition) -> Registration:
    return RegistrationFactory(edition=edition, handle="PaloAltoPolice", email_confirmed_at=None)


# --- confirmation -----------------------------------------------------------------------------------------


def test_sign_up_to_confirmation_through_the_emailed_link(
    client, edition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REGISTER_AGENCY, agency_post())
    [message] = mail.outbox
    [path] = link_paths(message, "confirm")

    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm my email address</button>" in page.content.decode()
    assert Registration.objects.get().email_confirmed_at is None  # opening the link is not confirming

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response.status_code == 200
    assert "Thank you, your email is confirmed" in response.content.decode()
    registration = Registration.objects.get()
    assert registration.is_confirmed
    assert registration.log_entries.filter(action=RegistrationLogEntry.Action.CONFIRMED).count() == 1
    assert [m.subject for m in mail.outbox][1].startswith("Registration received")


def test_reused_confirmation_changes_nothing(client, unconfirmed, django_capture_on_commit_callbacks):
    path = confirm_path(unconfirmed)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)
    unconfirmed.refresh_from_db()
    first = unconfirmed.email_confirmed_at
    assert first is not None
    sent = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(path)
    assert response.status_code == 200
    assert "This link was already used" in response.content.decode()
    unconfirmed.refresh_from_db()
    assert unconfirmed.email_confirmed_at == first
    assert callbacks == []
    assert len(mail.outbox) == sent
    assert unconfirmed.log_entries.filter(action=RegistrationLogEntry.Action.CONFIRMED).count() == 1
    assert "already confirmed" in client.get(path).content.decode()


@pytest.mark.parametrize("purpose", ["confirm", "manage"])
def test_expired_link_says_so_and_offers_a_new_one(client, unconfirmed, monkeypatch, purpose):
    path = confirm_path(unconfirmed) if purpose == "confirm" else manage_path(unconfirmed)
    assert client.get(path).status_code == 200
    monkeypatch.setitem(tokens.MAX_AGE, purpose, dt.timedelta(seconds=-1))
    assert_link_problem(client.get(path), status=410, expired=True)
    assert_link_problem(client.post(path), status=410, expired=True)
    unconfirmed.refresh_from_db()
    assert unconfirmed.email_confirmed_at is None


@pytest.mark.parametrize("purpose", ["confirm", "manage"])
def test_tampered_link_is_404_with_a_way_out(client, unconfirmed, purpose):
    token = tokens.make_token(unconfirmed, purpose)
    path = reverse(f"registrations:{purpose}", args=[tamper(token)])
    assert_link_problem(client.get(path), status=404, expired=False)
    assert_link_problem(client.post(path), status=404, expired=False)
    unconfirmed.refresh_from_db()
    assert unconfirmed.email_confirmed_at is None


@pytest.mark.parametrize("token", ["nonsense", "a" * 500, "eyJyIjoxfQ:1abc:def"])
def test_garbage_token_is_404(client, edition, token):
    assert_link_problem(client.get(reverse("registrations:manage", args=[token])), status=404, expired=False)


def test_a_confirmation_token_does_not_open_the_manage_page(client, unconfirmed):
    token = tokens.make_token(unconfirmed, "confirm")
    assert_link_problem(client.get(reverse("registrations:manage", args=[token])), status=404, expired=False)
    manage = tokens.make_token(unconfirmed, "manage")
    assert_link_problem(
        client.post(reverse("registrations:confirm", args=[manage])), status=404, expired=False
    )
    unconfirmed.refresh_from_db()
    assert not unconfirmed.is_confirmed


def test_link_to_a_deleted_registration_is_404(client, unconfirmed):
    path = manage_path(unconfirmed)
    unconfirmed.delete()
    assert_link_problem(client.get(path), status=404, expired=False)


# --- manage -----------------------------------------------------------------------------------------------


def test_manage_page_shows_the_registration(client, edition):
    registration = RegistrationFactory(
        edition=edition,
        handle="PaloAltoPolice",
        status=Registration.Status.REJECTED,
        review_reason="Please give the station address.",
    )
    response = client.get(manage_path(registration))
    assert response.status_code == 200
    page = response.content.decode()
    assert "@PaloAltoPolice" in page
    assert "7th Global Police Tweet-a-thon" in page
    assert "Please give the station address." in page
    values = form_values(page)
    assert values["email"] == "PaloAltoPolice@cityofpaloalto.org"
    assert values["street"] == "275 Forest Avenue"
    assert values["country"] == "US"


def test_edit_of_an_approved_entry_applies_its_hours_and_holds_its_new_name(client, edition):
    registration = RegistrationFactory(edition=edition, status=Registration.Status.APPROVED)
    path = manage_path(registration)
    response = client.post(
        path, manage_post(registration, agency_name="Palo Alto PD", hours_from="08:00", hours_to="20:00")
    )
    assert response.status_code == 302
    assert response["Location"] == path
    registration.refresh_from_db()
    assert registration.hours_from == dt.time(8, 0)
    assert registration.agency_name == "Palo Alto Police Department"  # the approved name stays public
    assert registration.pending_changes == {"agency_name": "Palo Alto PD"}
    assert registration.status == Registration.Status.APPROVED
    assert registration.is_confirmed  # same email: still confirmed
    edited = registration.log_entries.get(action=RegistrationLogEntry.Action.EDITED)
    assert edited.detail == "hours_from, hours_to"
    held = registration.log_entries.get(action=RegistrationLogEntry.Action.CHANGE_HELD)
    assert held.detail == "agency_name"
    page = client.get(path).content.decode()
    assert "Your changes are saved and shown at once; your entry stays approved." in page
    assert "Your change to agency name waits for an organizer’s approval." in page
    # The form keeps the waiting change: saving again (another edit) must not drop it.
    assert form_values(page)["agency_name"] == "Palo Alto PD"


def test_edit_without_changes_says_nothing_changed(client, edition):
    registration = RegistrationFactory(edition=edition, status=Registration.Status.APPROVED)
    path = manage_path(registration)
    response = client.post(path, manage_post(registration), follow=True)
    assert "Nothing was changed." in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED
    assert not registration.log_entries.filter(action=RegistrationLogEntry.Action.EDITED).exists()


def test_email_change_needs_a_new_confirmation_and_kills_the_old_link(
    client, edition, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(
        edition=edition, email="old@cityofpaloalto.org", email_confirmed_at=None
    )
    old_confirm = confirm_path(registration)
    assert client.get(old_confirm).status_code == 200
    registration.email_confirmed_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    registration.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            manage_path(registration), manage_post(registration, email="PIO@wmp.police.uk")
        )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.email == "pio@wmp.police.uk"
    assert registration.email_confirmed_at is None
    assert registration.email_domain_recognised is True
    assert (
        "We sent a confirmation link to your new email address."
        in client.get(response["Location"]).content.decode()
    )
    assert_link_problem(client.post(old_confirm), status=404, expired=False)

    [message] = mail.outbox
    assert message.to == ["pio@wmp.police.uk"]
    [new_confirm] = link_paths(message, "confirm")
    client.post(new_confirm)
    registration.refresh_from_db()
    assert registration.is_confirmed


def test_bad_edit_is_refused_next_to_the_field_and_nothing_is_saved(client, edition):
    registration = RegistrationFactory(edition=edition, status=Registration.Status.APPROVED)
    data = manage_post(registration, agency_name="New name", handle="NewHandle", city="")
    response = client.post(manage_path(registration), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert field_errors(page, "city") == ["This field is required."]
    assert form_values(page)["agency_name"] == "New name"
    assert form_values(page)["handle"] == "NewHandle"
    # The heading still names the stored registration, not the unsaved edit.
    assert f'Your registration of <span class="handle">@{registration.handle}</span>' in page
    registration.refresh_from_db()
    assert registration.agency_name == "Palo Alto Police Department"
    assert registration.city == "Palo Alto"
    assert registration.status == Registration.Status.APPROVED


def test_edit_to_a_handle_taken_in_the_edition_is_refused(client, edition):
    RegistrationFactory(edition=edition, handle="NYPDnews", email="secret@nypd.example")
    registration = RegistrationFactory(edition=edition, handle="PaloAltoPolice")
    response = client.post(manage_path(registration), manage_post(registration, handle="nypdNEWS"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "already registered" in field_errors(page, "handle")[0]
    assert "secret@nypd.example" not in page
    registration.refresh_from_db()
    assert registration.handle == "PaloAltoPolice"


def test_officer_can_edit_their_own_handle_case(client, edition):
    registration = RegistrationFactory(edition=edition, officer=True, handle="sgtjanedoe")
    data = manage_post(registration, handle="@SgtJaneDoe")
    assert client.post(manage_path(registration), data).status_code == 302
    registration.refresh_from_db()
    assert registration.handle == "SgtJaneDoe"


# --- withdraw ---------------------------------------------------------------------------------------------


def test_withdraw_asks_first_then_erases_personal_data(client, edition):
    registration = RegistrationFactory(
        edition=edition,
        officer=True,
        handle="SgtJaneDoe",
        status=Registration.Status.APPROVED,
        latitude=37.44,
        longitude=-122.16,
        geo_status=Registration.GeoStatus.LOCATED,
        topic="Road safety",
    )
    RegistrationFactory(edition=edition)
    manage = manage_path(registration)
    withdraw = manage.rstrip("/") + "/withdraw/"

    page = client.get(withdraw)
    assert page.status_code == 200
    assert "Yes, withdraw and erase my data" in page.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED

    response = client.post(withdraw)
    assert response.status_code == 200
    assert "Your registration is withdrawn" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.WITHDRAWN
    for field in (
        "email",
        "officer_name",
        "officer_role",
        "street",
        "postcode",
        "handle",
        "agency_name",
        "city",
        "region",
        "topic",
    ):
        assert getattr(registration, field) == "", field
    assert registration.latitude is None and registration.longitude is None
    assert registration.consent_public is False
    # The anonymous count stays.
    assert Registration.objects.for_edition(edition).count() == 2
    assert registration.kind == Registration.Kind.OFFICER
    assert registration.country == "US"
    assert list(registration.log_entries.values_list("action", flat=True)) == [
        RegistrationLogEntry.Action.WITHDRAWN
    ]
    # Every link sent so far is dead.
    assert_link_problem(client.get(manage), status=404, expired=False)
    assert_link_problem(client.post(withdraw), status=404, expired=False)


def test_withdrawn_registration_sends_no_more_email(client, edition, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(edition=edition, email="pio@cityofpaloalto.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registrations:lost_link"), {"email": "pio@cityofpaloalto.org"})
    assert len(mail.outbox) == 1  # before withdrawal the address gets its links
    client.post(manage_path(registration) + "withdraw/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registrations:lost_link"), {"email": "pio@cityofpaloalto.org"})
    assert response.status_code == 200
    assert len(mail.outbox) == 1


# --- lost link --------------------------------------------------------------------------------------------


def test_lost_link_sends_the_private_links_again(client, edition, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(edition=edition, handle="PaloAltoPolice", email_confirmed_at=None)
    RegistrationFactory(edition=edition, handle="Other", email="other@cityofpaloalto.org")
    assert client.get(reverse("registrations:lost_link")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registrations:lost_link"), {"email": "  PALOALTOPOLICE@cityofpaloalto.org "}
        )
    assert response.status_code == 200
    assert "its private links are on their way" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["PaloAltoPolice@cityofpaloalto.org"]
    [manage] = link_paths(message, "manage")
    [confirm] = link_paths(message, "confirm")
    assert "@PaloAltoPolice" in client.get(manage).content.decode()
    client.post(confirm)
    registration.refresh_from_db()
    assert registration.is_confirmed


def test_lost_link_for_an_unknown_address_looks_the_same(client, edition, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registrations:lost_link"), {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "its private links are on their way" in response.content.decode()
    assert mail.outbox == []


def test_lost_link_with_a_malformed_address_shows_the_error(client, edition):
    response = client.post(reverse("registrations:lost_link"), {"email": "not-an-address"})
    assert response.status_code == 200
    assert field_errors(response.content.decode(), "email") == ["Enter a valid email address."]


def test_officer_link_opens_the_officer_form(client, edition):
    registration = RegistrationFactory(edition=edition, officer=True)
    values = form_values(client.get(manage_path(registration)).content.decode())
    assert values["officer_name"] == "Jane Doe"
    assert values["officer_role"] == "Sergeant"
