"""Abuse protections: honeypot, per-address rate limits (sign-up and private links), CSRF."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from poltwt.ratelimit import client_ip
from registrations import tokens
from registrations.models import Registration
from tests.factories import RegistrationFactory
from tests.registrations.helpers import REGISTER_AGENCY, REGISTER_OFFICER, agency_post, form_values

pytestmark = pytest.mark.django_db

# An hour rather than a minute: django-ratelimit's windows are fixed, and a minute window could roll
# over between two requests of a test.
TWO = "2/h"


# --- honeypot ---------------------------------------------------------------------------------------------


def test_honeypot_field_is_hidden_from_people(client, edition):
    page = client.get(REGISTER_AGENCY).content.decode()
    assert re.search(r'<div\s+class="poltwt-hp"\s+aria-hidden="true">', page)
    assert 'name="website" autocomplete="off" tabindex="-1"' in page


@pytest.mark.parametrize(
    "data", [agency_post(website="http://spam.example"), {"website": "x", "handle": "-"}]
)
def test_filled_honeypot_looks_like_success_and_stores_nothing(
    client, edition, data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(REGISTER_AGENCY, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("registrations:register_done")
    assert not Registration.objects.exists()
    assert callbacks == []
    assert mail.outbox == []
    assert "Check your email" in client.get(reverse("registrations:register_done")).content.decode()


# --- rate limits ------------------------------------------------------------------------------------------


def test_sign_up_rate_limit_answers_429_and_keeps_what_was_typed(client, edition, settings):
    settings.RATE_LIMIT_SIGNUP = TWO
    assert client.get(REGISTER_AGENCY).status_code == 200  # reading the form is not limited
    assert client.post(REGISTER_AGENCY, agency_post(handle="first")).status_code == 302
    assert client.post(REGISTER_AGENCY, agency_post(handle="bad-handle")).status_code == 400
    data = agency_post(handle="ThirdOne", agency_name="Third <Agency>", city="Tallinn", country="EE")
    response = client.post(REGISTER_AGENCY, data)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many submissions from your network in a short time." in page
    values = form_values(page)
    for name in ("handle", "agency_name", "email", "street", "city", "country", "consent_public"):
        assert values[name] == data[name], name
    assert list(Registration.objects.values_list("handle", flat=True)) == ["first"]
    # The officer form counts against the same limit; another address does not.
    assert client.post(REGISTER_OFFICER, agency_post(handle="Fourth")).status_code == 429
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(REGISTER_AGENCY, agency_post(handle="ThirdOne")).status_code == 302


def test_rate_limited_honeypot_is_still_refused(client, edition, settings):
    settings.RATE_LIMIT_SIGNUP = TWO
    for _ in range(2):
        client.post(REGISTER_AGENCY, agency_post(website="spam"))
    assert client.post(REGISTER_AGENCY, agency_post(website="spam")).status_code == 429
    assert not Registration.objects.exists()


def test_private_links_are_rate_limited(client, edition, settings):
    settings.RATE_LIMIT_LINKS = TWO
    registration = RegistrationFactory(edition=edition, email_confirmed_at=None)
    confirm = reverse("registrations:confirm", args=[tokens.make_token(registration, "confirm")])
    manage = reverse("registrations:manage", args=[tokens.make_token(registration, "manage")])
    assert client.get(confirm).status_code == 200
    assert (
        client.get(reverse("registrations:manage", args=["guessing"])).status_code == 404
    )  # bad guesses count too
    for path in (confirm, manage, manage + "withdraw/", reverse("registrations:manage", args=["guessing"])):
        response = client.post(path)
        assert response.status_code == 429, path
        assert "Too many requests" in response.content.decode()
    registration.refresh_from_db()
    assert registration.email_confirmed_at is None
    assert registration.status == Registration.Status.PENDING
    assert Client(REMOTE_ADDR="198.51.100.7").get(manage).status_code == 200


def test_lost_link_is_rate_limited(client, edition, settings, django_capture_on_commit_callbacks):
    # The private-links rate, not the sign-up one.
    settings.RATE_LIMIT_LINKS = TWO
    settings.RATE_LIMIT_SIGNUP = "1000/h"
    RegistrationFactory(edition=edition, email="pio@police.example")
    for _ in range(2):
        client.post(reverse("registrations:lost_link"), {"email": "nobody@example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registrations:lost_link"), {"email": "pio@police.example"})
    assert response.status_code == 429
    assert mail.outbox == []


def test_behind_a_proxy_the_spoofable_hops_do_not_escape_the_limit(edition, settings):
    settings.RATE_LIMIT_SIGNUP = TWO
    settings.BEHIND_PROXY = True
    statuses = [
        Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5")
        .post(REGISTER_AGENCY, agency_post(handle=f"try{n}"))
        .status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    other = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.post(REGISTER_AGENCY, agency_post(handle="try9")).status_code == 302


# --- client_ip --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (False, "", "10.0.0.2"),
        (False, "198.51.100.1", "10.0.0.2"),  # without a proxy the header is the client's to invent
        (True, "198.51.100.1", "198.51.100.1"),
        (True, "192.0.2.66, 198.51.100.1", "198.51.100.1"),
        (True, " 192.0.2.66 ,  198.51.100.1 ", "198.51.100.1"),
        (True, "192.0.2.66, 198.51.100.1,", "198.51.100.1"),
        (True, "2001:db8::1", "2001:db8::/64"),
        (True, "2001:db8:0:1:2:3:4:5", "2001:db8:0:1::/64"),
        (True, "::ffff:198.51.100.1", "198.51.100.1"),
        (True, "", "10.0.0.2"),
        (True, " , ", "10.0.0.2"),
        (True, "[2001:db8::1]:443", "2001:db8::/64"),
        (True, "192.0.2.66, 198.51.100.1:40000", "198.51.100.1"),
    ],
)
def test_client_ip(settings, behind_proxy, forwarded, expected):
    settings.BEHIND_PROXY = behind_proxy
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **extra)
    assert client_ip("signup", request) == expected


# --- CSRF -------------------------------------------------------------------------------------------------


def test_csrf_is_enforced_on_every_form(edition):
    registration = RegistrationFactory(edition=edition, email_confirmed_at=None)
    confirm = reverse("registrations:confirm", args=[tokens.make_token(registration, "confirm")])
    manage = reverse("registrations:manage", args=[tokens.make_token(registration, "manage")])
    client = Client(enforce_csrf_checks=True)
    for path, data in (
        (REGISTER_AGENCY, agency_post()),
        (confirm, {}),
        (manage, {"handle": "Changed"}),
        (manage + "withdraw/", {}),
        (reverse("registrations:lost_link"), {"email": registration.email}),
    ):
        assert client.post(path, data).status_code == 403, path
    registration.refresh_from_db()
    assert registration.email_confirmed_at is None
    assert registration.status == Registration.Status.PENDING
    assert Registration.objects.count() == 1


def test_sign_up_with_the_page_token_passes_csrf(edition):
    client = Client(enforce_csrf_checks=True)
    page = client.get(REGISTER_AGENCY).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(REGISTER_AGENCY, {**agency_post(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Registration.objects.count() == 1
