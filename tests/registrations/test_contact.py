"""The organizers' contact address (ORGANIZERS_EMAIL): every page's footer, every email's Reply-To, and the
message that tells someone to write to the organizers."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from registrations import emails
from registrations.services.mailing import message_send
from tests.factories import RegistrationFactory
from tests.registrations.helpers import REGISTER_AGENCY, agency_post, field_errors

pytestmark = pytest.mark.django_db

CONTACT = "desk@poltwt.example.org"


@pytest.fixture(autouse=True)
def _contact(settings):
    settings.ORGANIZERS_EMAIL = CONTACT


@pytest.mark.parametrize("name", ["pages:home", "pages:map", "pages:edition_list", "registrations:lost_link"])
def test_every_page_footer_gives_the_contact_address(client, edition, name):
    page = client.get(reverse(name)).content.decode()
    footer = page[page.index("<footer") :]
    assert f'<a href="mailto:{CONTACT}">{CONTACT}</a>' in footer


@pytest.mark.parametrize("template", emails.MESSAGES)
def test_registrant_emails_answer_to_the_organizers(edition, template):
    emails.send_registration_email(RegistrationFactory(edition=edition), template)
    [message] = mail.outbox
    assert message.reply_to == [CONTACT]
    assert message.extra_headers.get("Reply-To", CONTACT) == CONTACT


def test_mailings_answer_to_the_organizers(edition, django_capture_on_commit_callbacks):
    RegistrationFactory(edition=edition)
    organizer = get_user_model().objects.create_superuser("organizer", "o@poltwt.example", "pw-123456789")
    with django_capture_on_commit_callbacks(execute=True):
        message_send(edition=edition, subject="Hello", body="News", actor=organizer, statuses=["pending"])
    [message] = mail.outbox
    assert message.reply_to == [CONTACT]
    assert f"Reply-To: {CONTACT}" in message.message().as_string()


def test_the_taken_handle_error_names_the_contact_address(client, edition):
    RegistrationFactory(edition=edition, handle="PaloAltoPolice")
    response = client.post(REGISTER_AGENCY, agency_post(handle="PaloAltoPolice", email="pio@police.uk"))
    [error] = field_errors(response.content.decode(), "handle")
    assert f"write to the organizers at {CONTACT}" in error
