"""Script or HTML typed into any field is stored as text and shown as text on every page."""

from __future__ import annotations

import html

import pytest
from django.core import mail
from django.urls import reverse

from registrations import tokens
from registrations.models import Registration
from tests.registrations.helpers import REGISTER_OFFICER, form_values, html_body, link_paths, officer_post

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "agency_name": '<script>alert("agency")</script>',
    "officer_name": "<img src=x onerror=alert(1)>",
    "officer_role": '"><svg onload=alert(2)>',
    "street": "</textarea><b>street</b>",
    "city": "<iframe src=javascript:alert(3)>",
    "region": "'; alert(4); '",
    "postcode": "<i>94301</i>",
    "topic": "{{ 7|add:7 }}<u>topic</u>",
}
EMAIL = '"<script>alert(5)</script>"@police.example'


@pytest.fixture
def registration(client, edition, django_capture_on_commit_callbacks) -> Registration:
    data = officer_post(**PAYLOADS, email=EMAIL, participation_model="one_topic")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REGISTER_OFFICER, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Registration.objects.get()


def assert_no_raw_markup(page: str) -> None:
    for value in [*PAYLOADS.values(), EMAIL]:
        if "<" in value:
            assert value not in page, value
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<svg onload" not in page
    assert "<iframe" not in page
    assert "14<u>" not in page  # not evaluated as a template either


def test_markup_is_stored_as_typed(registration):
    for name, value in PAYLOADS.items():
        assert getattr(registration, name) == value, name
    assert registration.email == EMAIL


def test_done_page_escapes_the_email(client, registration):
    page = client.get(reverse("registrations:register_done")).content.decode()
    assert_no_raw_markup(page)
    assert html.escape(EMAIL) in page


def test_confirmation_page_shows_text_not_markup(client, registration):
    [message] = mail.outbox
    [path] = link_paths(message, "confirm")
    page = client.get(path).content.decode()
    assert_no_raw_markup(page)
    assert html.escape(EMAIL) in page
    assert html.escape(PAYLOADS["agency_name"]) in page


def test_manage_page_shows_text_not_markup_and_gives_it_back_intact(client, registration):
    page = client.get(
        reverse("registrations:manage", args=[tokens.make_token(registration, "manage")])
    ).content.decode()
    assert_no_raw_markup(page)
    values = form_values(page)
    for name, value in PAYLOADS.items():
        assert values[name] == value, name
    assert values["email"] == EMAIL


def test_confirmation_email_html_is_escaped(registration):
    [message] = mail.outbox
    body = html_body(message)
    assert_no_raw_markup(body)
    assert f"Hello {html.escape(PAYLOADS['officer_name'])}," in body
    assert f"Hello {PAYLOADS['officer_name']}," in message.body


def test_lost_link_page_escapes_the_address(client, registration):
    page = client.post(reverse("registrations:lost_link"), {"email": EMAIL}).content.decode()
    assert_no_raw_markup(page)
    assert html.escape(EMAIL) in page


def test_rejected_form_shows_markup_as_text(client, edition):
    data = officer_post(**PAYLOADS, handle="<script>x</script>", participation_model="one_topic")
    response = client.post(REGISTER_OFFICER, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert_no_raw_markup(page)
    assert "<script>x</script>" not in page
    assert form_values(page)["handle"] == "<script>x</script>"
