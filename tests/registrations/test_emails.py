"""Emails to registrants: sent after commit, each with its private link, text raw and HTML escaped."""

from __future__ import annotations

import pytest
from django.core import mail

from registrations import emails
from registrations.models import Registration
from registrations.services.privacy import registration_withdraw
from registrations.services.registration import registration_confirm_email
from registrations.services.review import registration_approve, registration_reject
from tests.factories import EditionFactory, RegistrationFactory, UserFactory
from tests.registrations.helpers import REGISTER_AGENCY, agency_post, html_body, link_paths

pytestmark = pytest.mark.django_db

MARKUP = '<b>x</b> & O\'Brien "quoted"'


@pytest.fixture
def organizer():
    return UserFactory(username="organizer", is_staff=True, is_superuser=True)


def test_confirmation_email_waits_for_the_commit(client, edition, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(REGISTER_AGENCY, agency_post())
        assert mail.outbox == []
    assert callbacks
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == ["comms@cityofpaloalto.org"]
    assert message.subject == "Confirm your email for @PaloAltoPolice – 7th Global Police Tweet-a-thon"
    [confirm] = link_paths(message, "confirm")
    assert confirm in html_body(message)
    assert "Confirm my email address</button>" in client.get(confirm).content.decode()
    [manage] = link_paths(message, "manage")
    assert client.get(manage).status_code == 200


def test_nothing_is_sent_when_the_sign_up_is_refused(client, edition, django_capture_on_commit_callbacks):
    RegistrationFactory(edition=edition, handle="PaloAltoPolice")  # confirmed: holds the handle
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REGISTER_AGENCY, agency_post())
    assert mail.outbox == []


def test_received_email_after_confirmation_has_the_manage_link(
    client, edition, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(edition=edition, handle="PaloAltoPolice", email_confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        registration_confirm_email(registration=registration)
    [message] = mail.outbox
    assert message.subject == "Registration received: @PaloAltoPolice – 7th Global Police Tweet-a-thon"
    assert "is with the organizers for review" in message.body
    assert link_paths(message, "confirm") == []  # already confirmed: no confirmation link
    [manage] = link_paths(message, "manage")
    assert "@PaloAltoPolice" in client.get(manage).content.decode()


def test_approved_email_gives_the_date_rule_and_manage_link(
    client, organizer, django_capture_on_commit_callbacks
):
    edition = EditionFactory(ordinal=4, title="4th Global Police Tweet-a-thon", theme_hashtag="#TimeToUnify")
    registration = RegistrationFactory(edition=edition, handle="PaloAltoPolice")
    with django_capture_on_commit_callbacks(execute=True):
        registration_approve(registration=registration, actor=organizer)
    [message] = mail.outbox
    assert message.subject == "Approved: @PaloAltoPolice takes part in the 4th Global Police Tweet-a-thon"
    assert "Friday 4 December 2026 at 8:00 a.m." in message.body
    assert "put #poltwt in every tweet" in message.body
    assert "#TimeToUnify" in message.body
    assert "and will appear on the participant map" in message.body
    [manage] = link_paths(message, "manage")
    assert client.get(manage).status_code == 200
    assert manage in html_body(message)


def test_approved_email_for_an_edition_without_a_date(organizer, django_capture_on_commit_callbacks):
    edition = EditionFactory(ordinal=5, date=None, status="tbd")
    registration = RegistrationFactory(edition=edition, consent_public=False)
    with django_capture_on_commit_callbacks(execute=True):
        registration_approve(registration=registration, actor=organizer)
    [message] = mail.outbox
    assert "The date is to be announced" in message.body
    assert "participant map" not in message.body


def test_rejected_email_carries_the_reason_and_manage_link(
    client, edition, organizer, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(edition=edition, handle="PaloAltoPolice")
    reason = "Please use your <agency> address & the station's street.\nThank you."
    with django_capture_on_commit_callbacks(execute=True):
        registration_reject(registration=registration, actor=organizer, reason=reason)
    [message] = mail.outbox
    assert message.subject == "Your registration of @PaloAltoPolice for the 7th Global Police Tweet-a-thon"
    assert reason in message.body
    body = html_body(message)
    assert "Please use your &lt;agency&gt; address &amp; the station&#x27;s street.<br>Thank you." in body
    assert "<agency>" not in body
    [manage] = link_paths(message, "manage")
    page = client.get(manage).content.decode()
    assert "Please use your &lt;agency&gt; address" in page


@pytest.mark.parametrize("template", emails.MESSAGES)
def test_text_is_raw_and_html_is_escaped(edition, template):
    registration = RegistrationFactory(
        edition=edition, agency_name=MARKUP, review_reason=MARKUP, email_confirmed_at=None
    )
    emails.send_registration_email(registration, template)
    [message] = mail.outbox
    assert f"Hello {MARKUP}," in message.body
    assert "&lt;" not in message.body and "&amp;" not in message.body and "&#x27;" not in message.body
    body = html_body(message)
    assert "Hello &lt;b&gt;x&lt;/b&gt; &amp; O&#x27;Brien &quot;quoted&quot;," in body
    assert "<b>x</b>" not in body
    assert link_paths(message, "manage")
    assert link_paths(message, "manage")[0] in body


@pytest.mark.parametrize("template", emails.MESSAGES)
def test_subject_is_one_line(template):
    edition = EditionFactory(ordinal=11, title="11th Global Police\nTweet-a-thon <&>")
    registration = RegistrationFactory(edition=edition, handle="NYPDnews")
    emails.send_registration_email(registration, template)
    [message] = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.subject.endswith("11th Global Police Tweet-a-thon <&>")
    assert "@NYPDnews" in message.subject


def test_officer_is_greeted_by_name(edition):
    registration = RegistrationFactory(edition=edition, officer=True, officer_name="Jane <Doe>")
    emails.send_registration_email(registration, "approved")
    [message] = mail.outbox
    assert message.body.startswith("Hello Jane <Doe>,")
    assert "Hello Jane &lt;Doe&gt;," in html_body(message)


def test_withdrawn_registration_gets_no_email(edition):
    registration = RegistrationFactory(edition=edition)
    registration_withdraw(registration=registration)
    emails.send_registration_email(Registration.objects.get(pk=registration.pk), "links")
    assert mail.outbox == []


def test_unknown_message_is_an_error(edition):
    with pytest.raises(ValueError, match="unknown registration email"):
        emails.send_registration_email(RegistrationFactory(edition=edition), "welcome")
