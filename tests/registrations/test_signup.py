"""The public sign-up forms: every validation rule, through the test client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registrations.models import Registration, RegistrationLogEntry
from registrations.services.privacy import registration_withdraw
from tests.factories import EditionFactory, RegistrationFactory
from tests.registrations.helpers import (
    REGISTER_AGENCY,
    REGISTER_OFFICER,
    agency_post,
    all_field_errors,
    field_errors,
    form_values,
    officer_post,
)

pytestmark = pytest.mark.django_db

REQUIRED = "This field is required."


def assert_refused(response, field: str, data: dict[str, str], message: str | None = None) -> list[str]:
    """The form came back with an error next to `field`, nothing stored, everything else as typed."""
    assert response.status_code == 400
    page = response.content.decode()
    errors = field_errors(page, field)
    assert errors, f"no error shown next to {field}: {all_field_errors(page)}"
    if message is not None:
        assert message in errors
    assert set(all_field_errors(page)) == {field}
    values = form_values(page)
    for name, typed in data.items():
        if name != field:
            assert values.get(name) == typed, name
    assert not Registration.objects.exists()
    return errors


# --- the pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [REGISTER_AGENCY, REGISTER_OFFICER])
def test_form_pages_render_for_the_current_edition(client, edition, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "7th Global Police Tweet-a-thon" in page
    assert "never a home address" in page
    assert ('name="officer_name"' in page) is (url == REGISTER_OFFICER)


def test_handle_input_accepts_a_pasted_profile_link(client, edition):
    """A browser truncates input to maxlength: a 15-character limit would cut https://x.com/... links."""
    page = client.get(REGISTER_AGENCY).content.decode()
    tag = page[page.index('name="handle"') - 40 : page.index('name="handle"') + 300]
    assert 'maxlength="100"' in tag
    assert 'maxlength="15"' not in tag


def test_email_is_marked_required(client, edition):
    page = client.get(REGISTER_AGENCY).content.decode()
    label = page[page.index('for="id_email"') : page.index('name="email"')]
    assert "requiredField" in label


def test_closed_sign_up_shows_the_closed_page(client):
    EditionFactory(ordinal=9, title="9th Global Police Tweet-a-thon", date=None, status="tbd")
    response = client.get(REGISTER_AGENCY)
    assert response.status_code == 200
    assert "Sign-up is closed" in response.content.decode()
    assert "9th Global Police Tweet-a-thon, date to be announced" in response.content.decode()
    response = client.post(REGISTER_AGENCY, agency_post())
    assert "Sign-up is closed" in response.content.decode()
    assert not Registration.objects.exists()


def test_edition_whose_sign_up_ended_is_closed(client):
    now = timezone.now()
    EditionFactory(
        ordinal=3,
        registration_opens_at=now - dt.timedelta(days=10),
        registration_closes_at=now - dt.timedelta(minutes=1),
    )
    assert "Sign-up is closed" in client.get(REGISTER_OFFICER).content.decode()


@pytest.mark.parametrize("kind", ["robot", "AGENCY", "agencies"])
def test_unknown_kind_is_404(client, edition, kind):
    assert client.get(reverse("registrations:register", args=[kind])).status_code == 404
    assert client.post(reverse("registrations:register", args=[kind]), agency_post()).status_code == 404


# --- a good sign-up ---------------------------------------------------------------------------------------


def test_agency_sign_up_stores_the_registration(client, edition, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REGISTER_AGENCY, agency_post(hours_from="08:00", hours_to="20:30"))
    assert response.status_code == 302
    assert response["Location"] == reverse("registrations:register_done")
    registration = Registration.objects.get()
    assert registration.edition == edition
    assert registration.kind == Registration.Kind.AGENCY
    assert registration.handle == "PaloAltoPolice"
    assert registration.email == "comms@cityofpaloalto.org"
    assert registration.email_domain_recognised is False
    assert registration.email_confirmed_at is None
    assert registration.status == Registration.Status.PENDING
    assert registration.country == "US"
    assert registration.hours_from == dt.time(8, 0)
    assert registration.hours_to == dt.time(20, 30)
    assert registration.consent_public is True
    assert registration.officer_name == ""
    # Geocoding (after commit) may add its own event after this one.
    assert registration.log_entries.first().action == RegistrationLogEntry.Action.CREATED
    done = client.get(reverse("registrations:register_done")).content.decode()
    assert "comms@cityofpaloalto.org" in done
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["comms@cityofpaloalto.org"]


def test_officer_sign_up_stores_name_role_and_flags_government_domain(
    client, edition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REGISTER_OFFICER, officer_post())
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.kind == Registration.Kind.OFFICER
    assert (registration.officer_name, registration.officer_role) == ("Jane Doe", "Sergeant")
    assert registration.email_domain_recognised is True
    assert registration.participation_model == Registration.ParticipationModel.TWEET_THE_BEAT


@pytest.mark.parametrize(
    ("email", "recognised"),
    [
        ("press@wmp.police.uk", True),
        ("comms@police.govt.nz", True),
        ("pio@dot.ca.gov", True),
        ("chief@cityofpaloalto.org", False),
    ],
)
def test_email_domain_flag_is_set_for_the_organizer(client, edition, email, recognised):
    assert client.post(REGISTER_AGENCY, agency_post(email=email)).status_code == 302
    registration = Registration.objects.get()
    assert registration.email == email
    assert registration.email_domain_recognised is recognised


@pytest.mark.parametrize(
    "typed",
    [
        "@PaloAltoPolice",
        "https://twitter.com/PaloAltoPolice",
        "x.com/PaloAltoPolice?s=20",
        "  PaloAltoPolice ",
    ],
)
def test_pasted_handle_forms_are_normalised(client, edition, typed):
    assert client.post(REGISTER_AGENCY, agency_post(handle=typed)).status_code == 302
    assert Registration.objects.get().handle == "PaloAltoPolice"


def test_consent_is_optional(client, edition):
    data = agency_post()
    del data["consent_public"]
    assert client.post(REGISTER_AGENCY, data).status_code == 302
    assert Registration.objects.get().consent_public is False


def test_region_and_postcode_are_optional(client, edition):
    assert client.post(REGISTER_AGENCY, agency_post(region="", postcode="")).status_code == 302


def test_a_submission_does_not_wait_for_geocoding(client, edition):
    """Geocoding runs after commit; without the commit hooks the registration is stored and still pending."""
    assert client.post(REGISTER_AGENCY, agency_post()).status_code == 302
    registration = Registration.objects.get()
    assert registration.geo_status == Registration.GeoStatus.PENDING
    assert registration.latitude is None
    assert mail.outbox == []


# --- handles ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("PaloAltoPolice16", "1 to 15 characters"),
        ("palo-alto", "1 to 15 characters"),
        ("https://facebook.com/PaloAltoPolice", "not an X profile"),
        ("x.com/home", "does not point to an X profile"),
        ("twitter", "“twitter”"),
        ("CityAdminPD", "“admin”"),
    ],
)
def test_bad_handles_are_refused_next_to_the_field(client, edition, typed, message):
    data = agency_post(handle=typed)
    [error] = assert_refused(client.post(REGISTER_AGENCY, data), "handle", data)
    assert message in error
    # The page shows what the person typed, so they can correct it.
    assert form_values(client.post(REGISTER_AGENCY, data).content.decode())["handle"] == typed


def test_empty_handle_is_required(client, edition):
    data = agency_post(handle="")
    assert_refused(client.post(REGISTER_AGENCY, data), "handle", data, REQUIRED)


def test_duplicate_handle_in_the_edition_is_refused_case_insensitively(client, edition):
    RegistrationFactory(edition=edition, handle="PaloAltoPolice", email="secret.person@cityofpaloalto.org")
    data = agency_post(handle="@paloaltopolice", email="someone.else@cityofpaloalto.org")
    response = client.post(REGISTER_AGENCY, data)
    assert response.status_code == 400
    page = response.content.decode()
    [error] = field_errors(page, "handle")
    assert (
        "@paloaltopolice is already registered and confirmed for the 7th Global Police Tweet-a-thon" in error
    )
    assert "secret.person" not in page
    assert form_values(page)["email"] == "someone.else@cityofpaloalto.org"
    assert Registration.objects.count() == 1


def test_same_handle_may_register_for_another_edition(client, edition, other_edition):
    RegistrationFactory(edition=other_edition, handle="PaloAltoPolice")
    assert client.post(REGISTER_AGENCY, agency_post()).status_code == 302
    assert Registration.objects.filter(handle__iexact="paloaltopolice").count() == 2


def test_handle_may_register_again_after_withdrawal(client, edition):
    registration_withdraw(registration=RegistrationFactory(edition=edition, handle="PaloAltoPolice"))
    assert client.post(REGISTER_AGENCY, agency_post()).status_code == 302
    assert Registration.objects.active().get().handle == "PaloAltoPolice"
    assert Registration.objects.count() == 2


def test_a_rejected_entry_no_longer_blocks_its_handle(client, edition):
    RegistrationFactory(edition=edition, handle="PaloAltoPolice", status=Registration.Status.REJECTED)
    response = client.post(REGISTER_AGENCY, agency_post())
    assert response.status_code == 302
    assert Registration.objects.filter(handle="PaloAltoPolice").count() == 2


# --- email ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["comms.cityofpaloalto.org", "comms@", "@cityofpaloalto.org", "a b@c.org"])
def test_malformed_email_is_refused(client, edition, typed):
    data = agency_post(email=typed)
    assert_refused(client.post(REGISTER_AGENCY, data), "email", data, "Enter a valid email address.")


def test_email_is_required(client, edition):
    """Without an email nobody can confirm the registration, so it could never count."""
    data = agency_post(email="")
    assert_refused(client.post(REGISTER_AGENCY, data), "email", data, REQUIRED)


# --- address and text -------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["street", "city", "country"])
def test_address_parts_are_required(client, edition, field):
    data = agency_post(**{field: ""})
    assert_refused(client.post(REGISTER_AGENCY, data), field, data, REQUIRED)


def test_unknown_country_code_is_refused(client, edition):
    data = agency_post(country="XX")
    response = client.post(REGISTER_AGENCY, data)
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "country")


@pytest.mark.parametrize(
    ("field", "limit"),
    [("agency_name", 200), ("street", 200), ("city", 100), ("region", 100), ("postcode", 20), ("topic", 200)],
)
def test_over_long_text_is_refused(client, edition, field, limit):
    data = agency_post(**{field: "x" * (limit + 1)})
    if field == "topic":
        data["participation_model"] = "one_topic"
    assert_refused(
        client.post(REGISTER_AGENCY, data),
        field,
        data,
        f"Ensure this value has at most {limit} characters (it has {limit + 1}).",
    )


def test_text_at_the_length_limit_is_accepted(client, edition):
    assert (
        client.post(REGISTER_AGENCY, agency_post(agency_name="x" * 200, postcode="9" * 20)).status_code == 302
    )


@pytest.mark.parametrize("char", ["\x00", "\u202e", "\x1b", "\n"])
@pytest.mark.parametrize("field", ["agency_name", "officer_name", "officer_role", "street", "city"])
def test_control_characters_in_text_are_refused(client, edition, field, char):
    data = officer_post(**{field: f"Jane{char}Doe"})
    assert_refused(client.post(REGISTER_OFFICER, data), field, data)


def test_bidi_override_message_says_what_to_do(client, edition):
    data = officer_post(officer_name="Jane \u202eeoD")
    assert_refused(
        client.post(REGISTER_OFFICER, data),
        "officer_name",
        data,
        "Remove the invisible characters from this text (control, zero-width, direction or "
        "line-separator characters, often carried over by copy and paste).",
    )


def test_right_to_left_names_are_fine(client, edition):
    data = officer_post(officer_name="ضابط شرطة", agency_name="شرطة دبي")
    assert client.post(REGISTER_OFFICER, data).status_code == 302
    assert Registration.objects.get().agency_name == "شرطة دبي"


# --- participation ----------------------------------------------------------------------------------------


def test_topic_is_required_for_one_topic(client, edition):
    data = agency_post(participation_model="one_topic", topic="")
    assert_refused(client.post(REGISTER_AGENCY, data), "topic", data, "Say which topic you will tweet about.")


def test_one_topic_with_a_topic_is_stored(client, edition):
    data = agency_post(participation_model="one_topic", topic="Road safety")
    assert client.post(REGISTER_AGENCY, data).status_code == 302
    assert Registration.objects.get().topic == "Road safety"


@pytest.mark.parametrize(
    ("given", "missing"), [({"hours_from": "09:00"}, "hours_to"), ({"hours_to": "17:00"}, "hours_from")]
)
def test_hours_are_both_or_neither(client, edition, given, missing):
    data = agency_post(**given)
    assert_refused(
        client.post(REGISTER_AGENCY, data),
        missing,
        data,
        "Give both times, or leave both empty to tweet the whole 24 hours.",
    )


def test_bad_time_is_refused(client, edition):
    data = agency_post(hours_from="25:00", hours_to="17:00")
    assert_refused(client.post(REGISTER_AGENCY, data), "hours_from", data, "Enter a valid time.")


def test_unknown_choice_is_refused(client, edition):
    data = agency_post(agency_level="galactic")
    assert_refused(client.post(REGISTER_AGENCY, data), "agency_level", data)


# --- officers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["officer_name", "officer_role"])
def test_officer_form_requires_name_and_role(client, edition, field):
    data = officer_post(**{field: ""})
    assert_refused(client.post(REGISTER_OFFICER, data), field, data, REQUIRED)


def test_agency_form_ignores_officer_fields(client, edition):
    assert client.post(REGISTER_AGENCY, agency_post(officer_name="Smuggled")).status_code == 302
    assert Registration.objects.get().officer_name == ""


def test_several_errors_at_once_keep_the_rest(client, edition):
    data = officer_post(handle="bad-handle", city="", officer_role="")
    response = client.post(REGISTER_OFFICER, data)
    page = response.content.decode()
    assert set(all_field_errors(page)) == {"handle", "city", "officer_role"}
    assert "Please correct 3 fields below." in page
    values = form_values(page)
    for name in ("officer_name", "agency_name", "email", "street", "postcode", "country", "consent_public"):
        assert values[name] == data[name]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("provider", ["slow", "closed"])
def test_with_the_production_queue_sign_up_never_calls_the_geocoder(
    client, edition, settings, nominatim_stub, provider
):
    """A provider that hangs for 30 s, or a closed port: the POST commits, queues the work and returns.

    Real commit (transaction=True), real database queue, real stub server: the proof is that the provider
    received nothing while the request ran, and that the geocoding and the email wait in the queue.
    """
    from django_tasks_db.models import DBTaskResult

    from tests.geo.nominatim_stub import StubReply

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.GEOCODER, settings.GEOCODER_SCHEME = "nominatim", "http"
    settings.GEOCODER_USER_AGENT = "poltwt-tests/1.0"
    settings.GEOCODER_DOMAIN = nominatim_stub.domain if provider == "slow" else "127.0.0.1:9"
    nominatim_stub.reply = StubReply.slow(30)
    response = client.post(REGISTER_AGENCY, agency_post())
    assert response.status_code == 302
    assert nominatim_stub.requests == []
    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert queued == {
        "registrations.tasks.geocode_registration_task",
        "registrations.tasks.send_registration_email_task",
    }
    assert Registration.objects.get().geo_status == Registration.GeoStatus.PENDING
