"""Handle and government-email rules, and the seeded domain list."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from registrations.models import GovernmentDomain
from registrations.services.review import is_government_email
from registrations.validators import (
    domain_is_recognised,
    email_domain,
    normalise_handle,
    reject_control_characters,
)
from tests.registrations.helpers import REGISTER_AGENCY, agency_post


@pytest.mark.parametrize(
    "raw",
    [
        "PaloAltoPolice",
        "@PaloAltoPolice",
        "  @PaloAltoPolice  ",
        "https://twitter.com/PaloAltoPolice",
        "https://x.com/PaloAltoPolice",
        "http://www.twitter.com/PaloAltoPolice/",
        "x.com/PaloAltoPolice?s=20",
        "twitter.com/PaloAltoPolice/status/123",
        "mobile.twitter.com/PaloAltoPolice",
        "https://x.com/@PaloAltoPolice",
        "\tx.com/PaloAltoPolice?s=20&t=abc \n",
    ],
)
def test_pasted_forms_of_a_handle_become_the_bare_name(raw):
    assert normalise_handle(raw) == "PaloAltoPolice"


def test_case_is_kept_as_typed():
    assert normalise_handle("@nypdnews") == "nypdnews"
    assert normalise_handle("@NYPDnews") == "NYPDnews"


@pytest.mark.parametrize("raw", ["a", "A_1", "x" * 15, "_under_score_"])
def test_valid_handles_at_the_limits(raw):
    assert normalise_handle(raw) == raw


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("x" * 16, "invalid"),
        ("palo-alto", "invalid"),
        ("palo alto", "invalid"),
        ("palo.alto", "invalid"),
        ("polícia", "invalid"),
        ("@", "invalid"),
        ("", "required"),
        ("   ", "required"),
        ("https://facebook.com/PaloAltoPolice", "not_x"),
        ("https://x.com.evil.example/PaloAltoPolice", "not_x"),
        ("x.com/home", "not_x"),
        ("https://twitter.com/search?q=poltwt", "not_x"),
        ("https://x.com/", "not_x"),
        ("x.com/i/lists/123", "not_x"),
        ("twitter", "reserved"),
        ("MyTwitterUnit", "reserved"),
        ("CityAdmin1", "reserved"),
        ("ADMIN", "reserved"),
        ("https://x.com/AdminPolice", "reserved"),
    ],
)
def test_bad_handles_are_refused_with_a_reason(raw, code):
    with pytest.raises(ValidationError) as info:
        normalise_handle(raw)
    assert info.value.code == code


def test_invalid_handle_message_says_what_is_allowed():
    with pytest.raises(ValidationError) as info:
        normalise_handle("palo-alto")
    message = " ".join(info.value.messages)
    assert "1 to 15 characters" in message
    assert "underscores" in message


def test_reserved_handle_message_names_the_word():
    with pytest.raises(ValidationError) as info:
        normalise_handle("CityAdmin1")
    assert "“admin”" in info.value.messages[0]


@pytest.mark.parametrize(
    "value", ["Palo\x00Alto", "Palo\u202eAlto", "Palo\nAlto", "Palo\x1bAlto", "\u2066x\u2069", "a\ue000b"]
)
def test_control_and_bidi_override_characters_are_refused(value):
    with pytest.raises(ValidationError) as info:
        reject_control_characters(value)
    assert info.value.code == "control"


# The 66 noncharacters: U+FDD0..U+FDEF, and the last two code points of each of the 17 planes.
NONCHARACTERS = [chr(c) for c in range(0xFDD0, 0xFDF0)] + [
    chr(plane * 0x10000 + low) for plane in range(17) for low in (0xFFFE, 0xFFFF)
]


@pytest.mark.parametrize("char", NONCHARACTERS, ids=lambda char: f"U+{ord(char):04X}")
def test_noncharacters_are_refused(char):
    with pytest.raises(ValidationError) as info:
        reject_control_characters(f"Palo{char}Alto", multiline=True)
    assert info.value.code == "control"


def test_a_noncharacter_is_refused_by_the_sign_up_form(client, edition):
    response = client.post(REGISTER_AGENCY, agency_post(agency_name="Palo Alto \ufffe Police"))
    assert response.status_code == 400
    assert "Remove the invisible characters" in response.content.decode()


@pytest.mark.parametrize(
    "value",
    [
        "Politie Nederland",
        "شرطة دبي",
        "警察庁",
        "Garda Síochána",
        "O’Brien",
        "\U0001f46e \ufdcf\ufdf0 \ufffd",
    ],
)
def test_ordinary_text_in_any_script_passes(value):
    reject_control_characters(value)  # no exception


@pytest.mark.parametrize(
    ("email", "domain"),
    [("a@WMP.Police.UK", "wmp.police.uk"), ("a@b@gov.uk", "gov.uk"), ("x@police.govt.nz.", "police.govt.nz")],
)
def test_email_domain(email, domain):
    assert email_domain(email) == domain


def test_domain_matching_is_by_whole_labels():
    known = ["police.uk", "gov"]
    assert domain_is_recognised("police.uk", known)
    assert domain_is_recognised("wmp.police.uk", known)
    assert domain_is_recognised("WMP.Police.UK.", known)
    assert domain_is_recognised("dot.ca.gov", known)
    assert not domain_is_recognised("notpolice.uk", known)
    assert not domain_is_recognised("police.uk.evil.example", known)
    assert not domain_is_recognised("gov.example.com", known)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    [
        "press@wmp.police.uk",
        "media@pnn.police.uk",
        "comms@police.govt.nz",
        "pio@dot.ca.gov",
        "info@fbi.gov",
        "pr@politie.nl",
        "poststelle@polizei.bwl.de",
        "someone@army.mil",
        "a@rcmp-grc.gc.ca",
    ],
)
def test_seeded_government_domains_recognise_subdomains(email):
    assert is_government_email(email)


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["chief@cityofpaloalto.org", "pd@example.com", "a@gov.example.com"])
def test_unknown_domains_are_not_recognised(email):
    assert not is_government_email(email)


@pytest.mark.django_db
def test_government_domain_is_saved_lower_case_and_stripped():
    domain = GovernmentDomain.objects.create(domain="  @CityOfPaloAlto.ORG ")
    domain.refresh_from_db()
    assert domain.domain == "cityofpaloalto.org"
    assert GovernmentDomain.objects.create(domain=".Police.Example").domain == "police.example"
    assert is_government_email("chief@pd.cityofpaloalto.org")
