"""Mailings: organizers' messages, schedule-change notices and invitations; sent once per person."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.models import Edition
from registrations import tasks
from registrations.models import Delivery, Mailing, Registration
from registrations.services.delivery import mailing_deliver, mailing_retry_at
from registrations.services.mailing import MailingError, invitations_send, message_send, recipients
from registrations.services.privacy import registration_withdraw
from tests.factories import EditionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

WAITING_AND_APPROVED = ["pending", "approved"]


@pytest.fixture
def organizer():
    return get_user_model().objects.create_superuser("organizer", "o@poltwt.example", "pw-123456789")


@pytest.fixture
def edition():
    return EditionFactory(ordinal=6, date=timezone.localdate() + dt.timedelta(days=30))


def test_recipients_are_confirmed_active_and_filtered(edition):
    agency_us = RegistrationFactory(edition=edition, country="US")
    officer_gb = RegistrationFactory(edition=edition, country="GB", officer=True, status="approved")
    RegistrationFactory(edition=edition, email_confirmed_at=None)  # unconfirmed
    RegistrationFactory(edition=edition, status="withdrawn", email="")
    RegistrationFactory(edition=EditionFactory(ordinal=7))  # another edition
    every = ["pending", "approved"]
    assert set(recipients(edition=edition, statuses=every)) == {agency_us, officer_gb}
    assert list(recipients(edition=edition, statuses=every, kinds=["officer"])) == [officer_gb]
    assert list(recipients(edition=edition, statuses=every, countries=["US"])) == [agency_us]
    assert list(recipients(edition=edition, statuses=["approved"])) == [officer_gb]
    # An empty choice is nobody, never everyone.
    assert not recipients(edition=edition, statuses=[]).exists()
    assert not recipients(edition=edition, statuses=every, kinds=[]).exists()


def test_message_reaches_each_recipient_once_with_their_own_link(
    edition, organizer, django_capture_on_commit_callbacks
):
    first = RegistrationFactory(edition=edition, handle="First1", agency_name="<b>Bold</b> PD")
    second = RegistrationFactory(edition=edition, handle="Second2")
    with django_capture_on_commit_callbacks(execute=True):
        mailing = message_send(
            edition=edition,
            subject="About  #TimeToUnify",
            body="Please see <this>.\n\nThanks",
            actor=organizer,
            statuses=WAITING_AND_APPROVED,
        )
    mailing.refresh_from_db()
    assert (mailing.recipients, mailing.sent, mailing.failed) == (2, 2, 0)
    assert mailing.finished_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    message = next(m for m in mail.outbox if m.to == [first.email])
    assert message.subject == "About #TimeToUnify"
    assert "Please see <this>." in message.body  # plain text stays plain
    html = message.alternatives[0][0]
    assert "Please see &lt;this&gt;." in html and "&lt;b&gt;Bold&lt;/b&gt; PD" in html
    links = re.findall(r"http://testserver/en/manage/[^\s\"<]+", message.body)
    assert links and client_can_open(links[0])


def client_can_open(url: str) -> bool:
    from django.test import Client

    return Client().get(url.replace("http://testserver", "")).status_code == 200


def test_a_retried_task_sends_nobody_twice(edition, organizer, django_capture_on_commit_callbacks):
    RegistrationFactory.create_batch(3, edition=edition)
    with django_capture_on_commit_callbacks(execute=True):
        mailing = message_send(
            edition=edition, subject="Hello", body="Text", actor=organizer, statuses=WAITING_AND_APPROVED
        )
    assert len(mail.outbox) == 3
    # The worker retries the same task (lost acknowledgement, a second worker): nothing more goes out.
    tasks.send_mailing_task.enqueue(mailing.pk)
    mailing_deliver(mailing_id=mailing.pk)
    assert len(mail.outbox) == 3
    mailing.refresh_from_db()
    assert (mailing.sent, mailing.failed) == (3, 0)


def test_a_delivery_leased_by_a_dead_run_is_sent_once_its_lease_runs_out(edition, organizer, settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    RegistrationFactory.create_batch(2, edition=edition)
    mailing = message_send(
        edition=edition, subject="Hello", body="Text", actor=organizer, statuses=WAITING_AND_APPROVED
    )
    # A worker claimed one delivery and died before sending it: while its lease runs, nobody else sends it.
    stranded = mailing.deliveries.first()
    Delivery.objects.filter(pk=stranded.pk).update(claimed_at=timezone.now())
    mailing = mailing_deliver(mailing_id=mailing.pk)
    assert len(mail.outbox) == 1
    assert (mailing.recipients, mailing.sent, mailing.failed, mailing.finished_at) == (2, 1, 0, None)
    assert mailing_retry_at(mailing=mailing) > timezone.now()
    # The lease runs out: the next run sends it, once, and the counts are whole.
    Delivery.objects.filter(pk=stranded.pk).update(claimed_at=timezone.now() - dt.timedelta(seconds=61))
    mailing = mailing_deliver(mailing_id=mailing.pk)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        mailing.deliveries.values_list("registration__email", flat=True)
    )
    assert (mailing.sent, mailing.failed) == (2, 0)
    assert mailing.finished_at is not None
    assert mailing_retry_at(mailing=mailing) is None


def test_a_failing_address_is_counted_and_the_rest_still_go(edition, organizer, settings):
    good = RegistrationFactory(edition=edition)
    gone = RegistrationFactory(edition=edition)
    mailing = message_send(
        edition=edition, subject="Hello", body="Text", actor=organizer, statuses=WAITING_AND_APPROVED
    )
    registration_withdraw(registration=gone)  # withdrew after the message was written
    mailing_deliver(mailing_id=mailing.pk)
    mailing.refresh_from_db()
    assert [m.to for m in mail.outbox] == [[good.email]]
    assert (mailing.sent, mailing.failed) == (1, 1)
    assert "withdrew" in mailing.deliveries.exclude(error="").get().error


@pytest.mark.parametrize(("subject", "body"), [("", "text"), ("Subject", "   \n ")])
def test_empty_subject_or_text_is_refused(edition, organizer, subject, body):
    with pytest.raises(MailingError):
        message_send(
            edition=edition, subject=subject, body=body, actor=organizer, statuses=WAITING_AND_APPROVED
        )
    assert not Mailing.objects.exists()


def test_admin_composes_a_message_and_sees_the_counts(
    client, organizer, edition, django_capture_on_commit_callbacks
):
    RegistrationFactory(edition=edition, kind="agency")
    RegistrationFactory(edition=edition, officer=True)
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/registrations/mailing/add/",
            {
                "edition": edition.pk,
                "subject": "Officers only",
                "body": "Hello officers",
                "kinds": ["officer"],
                "statuses": ["pending", "approved"],
            },
        )
    mailing = Mailing.objects.get()
    # Saving writes a draft and opens its review page; nothing is sent yet.
    assert response["Location"] == f"/admin/registrations/mailing/{mailing.pk}/review/"
    assert mailing.status == Mailing.Status.DRAFT and mailing.recipient_filter["kinds"] == ["officer"]
    assert mail.outbox == []
    review = client.get(response["Location"]).content.decode()
    assert "This will email 1 registrant." in review
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"send": "1", "expected": "1"})
    mailing.refresh_from_db()
    assert (mailing.status, mailing.recipients, mailing.sent) == (Mailing.Status.FINISHED, 1, 1)
    assert len(mail.outbox) == 1
    page = client.get(f"/admin/registrations/mailing/{mailing.pk}/change/").content.decode()
    assert "Officers only" in page


def test_admin_refuses_an_empty_message_and_keeps_the_subject(client, organizer, edition):
    client.force_login(organizer)
    response = client.post(
        "/admin/registrations/mailing/add/", {"edition": edition.pk, "subject": "Kept subject", "body": "   "}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html or "the text of the message" in html
    assert 'value="Kept subject"' in html
    assert not Mailing.objects.exists()


# --- Schedule changes ---------------------------------------------------------------------------------


def _split(value: dt.datetime | None) -> tuple[str, str]:
    if value is None:
        return "", ""
    value = timezone.localtime(value)
    return value.date().isoformat(), value.strftime("%H:%M:%S")


def edition_form(edition: Edition, **changes) -> dict:
    opens, closes = _split(edition.registration_opens_at), _split(edition.registration_closes_at)
    data = {
        "ordinal": edition.ordinal,
        "title": edition.title,
        "hashtag": edition.hashtag,
        "status": edition.status,
        "date": edition.date.isoformat() if edition.date else "",
        "start_time": "08:00",
        "duration_hours": 24,
        "registration_opens_at_0": opens[0],
        "registration_opens_at_1": opens[1],
        "registration_closes_at_0": closes[0],
        "registration_closes_at_1": closes[1],
        "theme": "",
        "theme_hashtag": "",
        "theme_description": "",
        "retention_days": 365,
        # The inlines (published results, awards, former dates), sent empty as the page sends them.
        "figures-TOTAL_FORMS": "0",
        "figures-INITIAL_FORMS": "0",
        "awards-TOTAL_FORMS": "0",
        "awards-INITIAL_FORMS": "0",
        "former_dates-TOTAL_FORMS": "0",
        "former_dates-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_rescheduling_tells_every_confirmed_registrant_once(
    client, organizer, edition, django_capture_on_commit_callbacks
):
    confirmed = RegistrationFactory(edition=edition)
    RegistrationFactory(edition=edition, email_confirmed_at=None)
    old_date = edition.date
    new_date = old_date + dt.timedelta(days=14)
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/events/edition/{edition.pk}/change/",
            edition_form(edition, date=new_date.isoformat(), status="rescheduled"),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    mailing = Mailing.objects.get(kind=Mailing.Kind.SCHEDULE)
    # Saving the new date opens the notice's review page; nobody has been told yet.
    assert response["Location"] == f"/admin/registrations/mailing/{mailing.pk}/review/"
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"send": "1", "expected": "1"})
    assert [m.to for m in mail.outbox] == [[confirmed.email]]
    message = mail.outbox[0]
    assert message.subject == f"New date: {edition.title} on {new_date:%A %-d %B %Y}"
    assert f"Before: {old_date:%A %-d %B %Y} from 8:00 a.m. local time" in message.body
    assert f"Now:    {new_date:%A %-d %B %Y} from 8:00 a.m. local time, for 24 hours" in message.body
    mailing.refresh_from_db()
    assert (mailing.recipients, mailing.sent, mailing.failed) == (1, 1, 0)
    # Saving again without a schedule change sends nothing more.
    edition.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/events/edition/{edition.pk}/change/", edition_form(edition, title="Renamed"))
    assert len(mail.outbox) == 1


def test_postponing_to_tbd_says_date_to_be_announced_and_shows_a_banner(
    client, organizer, edition, django_capture_on_commit_callbacks
):
    RegistrationFactory(edition=edition)
    edition.registration_opens_at = timezone.now() - dt.timedelta(days=1)
    edition.save()
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/events/edition/{edition.pk}/change/", edition_form(edition, date="", status="tbd")
        )
        client.post(response["Location"], {"send": "1", "expected": "1"})
    assert mail.outbox[0].subject == f"Postponed: {edition.title}, new date to be announced"
    assert "Now:    date to be announced" in mail.outbox[0].body
    client.logout()
    for url in (
        reverse("pages:home"),
        reverse("registrations:register", args=["agency"]),
        reverse("pages:map"),
    ):
        assert "<strong>Postponed:</strong>" in client.get(url).content.decode(), url


def test_a_reschedule_to_a_past_date_is_refused_with_a_message(client, organizer, edition):
    RegistrationFactory(edition=edition)
    client.force_login(organizer)
    response = client.post(
        f"/admin/events/edition/{edition.pk}/change/",
        edition_form(
            edition, date=(timezone.localdate() - dt.timedelta(days=3)).isoformat(), status="rescheduled"
        ),
    )
    assert response.status_code == 200
    assert "The new date is in the past." in response.content.decode()
    assert not Mailing.objects.exists() and not mail.outbox


def test_a_scheduled_edition_without_a_date_is_refused(client, organizer, edition):
    client.force_login(organizer)
    response = client.post(
        f"/admin/events/edition/{edition.pk}/change/", edition_form(edition, date="", status="scheduled")
    )
    assert response.status_code == 200
    assert "Give a date, or set the status to “date to be announced”." in response.content.decode()


# --- Invitations ----------------------------------------------------------------------------------------


@pytest.fixture
def past_and_open():
    past = EditionFactory(ordinal=5, date=dt.date(2026, 6, 5), status="completed")
    target = EditionFactory(
        ordinal=6,
        date=timezone.localdate() + dt.timedelta(days=30),
        registration_opens_at=timezone.now() - dt.timedelta(days=1),
        registration_closes_at=timezone.now() + dt.timedelta(days=20),
    )
    return past, target


def invite(past, target, organizer, capture) -> str:
    with capture(execute=True):
        invitations_send(source=past, target=target, actor=organizer)
    urls = re.findall(r"http://testserver(/en/return/[^\s\"<]+)", mail.outbox[-1].body)
    assert urls
    return urls[0]


def test_invitation_prefills_and_registers_in_one_step(
    client, organizer, past_and_open, django_capture_on_commit_callbacks
):
    past, target = past_and_open
    source = RegistrationFactory(edition=past, handle="PaloAltoPolice", status="approved")
    RegistrationFactory(edition=past, status="rejected")  # not invited
    url = invite(past, target, organizer, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    page = client.get(url).content.decode()
    assert 'value="PaloAltoPolice"' in page and 'value="275 Forest Avenue"' in page
    assert not Registration.objects.filter(edition=target).exists()  # nobody registered without clicking
    form = {
        name: getattr(source, name)
        for name in (
            "handle",
            "agency_name",
            "agency_level",
            "email",
            "street",
            "city",
            "region",
            "postcode",
            "participation_model",
        )
    }
    form.update(country="US", consent_public="on", topic="", hours_from="", hours_to="")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)
    assert response.status_code == 200
    new = Registration.objects.get(edition=target)
    assert new.returning_from == source
    assert new.is_confirmed  # the invitation reached that mailbox
    assert new.status == Registration.Status.PENDING  # auto-approval is off for this edition
    assert "Welcome back" in response.content.decode()
    # The same link a second time: a clear message, no duplicate.
    again = client.post(url, form)
    assert "is already registered for the" in again.content.decode()
    assert Registration.objects.filter(edition=target).count() == 1


def test_unchanged_returning_participant_is_approved_when_the_edition_says_so(
    client, organizer, past_and_open, django_capture_on_commit_callbacks
):
    past, target = past_and_open
    target.auto_approve_returning = True
    target.save()
    source = RegistrationFactory(edition=past, status="approved", region="CA")
    url = invite(past, target, organizer, django_capture_on_commit_callbacks)
    form = {
        name: getattr(source, name)
        for name in (
            "handle",
            "agency_name",
            "agency_level",
            "email",
            "street",
            "city",
            "region",
            "postcode",
            "participation_model",
        )
    }
    form.update(country="US", consent_public="on")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form)
    assert Registration.objects.get(edition=target).status == Registration.Status.APPROVED
    # An edit (new email) means confirmation and review as usual.
    source2 = RegistrationFactory(edition=past, status="approved")
    url2 = invite(past, target, organizer, django_capture_on_commit_callbacks)
    form2 = {**form, "handle": source2.handle, "email": "new.address@police.uk"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url2, form2)
    edited = Registration.objects.get(edition=target, handle=source2.handle)
    assert edited.status == Registration.Status.PENDING and not edited.is_confirmed


def test_invitation_after_sign_up_closed_says_so(
    client, organizer, past_and_open, django_capture_on_commit_callbacks
):
    past, target = past_and_open
    RegistrationFactory(edition=past, status="approved")
    url = invite(past, target, organizer, django_capture_on_commit_callbacks)
    target.registration_closes_at = timezone.now() - dt.timedelta(minutes=1)
    target.save()
    response = client.get(url)
    assert response.status_code == 410
    assert "is closed" in response.content.decode()


def test_invitations_need_an_open_edition(organizer, past_and_open):
    past, _ = past_and_open
    with pytest.raises(MailingError):
        invitations_send(source=past, target=None, actor=organizer)


# --- Purge ----------------------------------------------------------------------------------------------


def test_purge_erases_personal_data_after_retention_and_keeps_counts(capsys):
    from django.core.management import call_command

    old = EditionFactory(ordinal=1, date=dt.date(2013, 3, 22), status="completed", retention_days=365)
    recent = EditionFactory(ordinal=9, date=timezone.localdate() - dt.timedelta(days=10), status="completed")
    kept = RegistrationFactory(edition=recent, handle="RecentOne")
    RegistrationFactory(edition=old, handle="PaloAltoPolice", status="approved")
    RegistrationFactory(edition=old, officer=True, status="approved", handle="Officer1")

    call_command("purge_personal_data", "--dry-run")
    assert "Would erase personal data of 2 registration(s) of the" in capsys.readouterr().out
    assert Registration.objects.filter(edition=old).exclude(email="").count() == 2

    call_command("purge_personal_data")
    purged = Registration.objects.filter(edition=old)
    assert purged.count() == 2
    for registration in purged:
        assert (
            registration.email,
            registration.officer_name,
            registration.street,
            registration.postcode,
        ) == ("", "", "", "")
        assert registration.handle and registration.agency_name and registration.city and registration.country
        assert registration.log_entries.filter(action="purged").exists()
    kept.refresh_from_db()
    assert kept.email  # still within its retention period
    capsys.readouterr()
    call_command("purge_personal_data")
    assert "Erased personal data of 0 registration(s) of the" in capsys.readouterr().out


def test_a_completed_edition_without_a_date_is_purged_counting_from_when_it_was_entered():
    from registrations.services.privacy import purge_due

    undated = EditionFactory(ordinal=3, date=None, status="completed", retention_days=30)
    today = timezone.localdate()
    assert purge_due(today=today + dt.timedelta(days=30)) == []
    assert purge_due(today=today + dt.timedelta(days=31)) == [undated]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_email_exactly_once(organizer):
    import threading

    from django.db import connection

    edition = EditionFactory(ordinal=6, date=timezone.localdate() + dt.timedelta(days=30))
    registrations = RegistrationFactory.create_batch(250, edition=edition)
    mailing = message_send(
        edition=edition, subject="Hello", body="Text", actor=organizer, statuses=WAITING_AND_APPROVED
    )
    barrier, failures = threading.Barrier(2), []

    def worker() -> None:
        try:
            barrier.wait()
            mailing_deliver(mailing_id=mailing.pk)
        except Exception as exc:  # collected and asserted below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(r.email for r in registrations)  # everyone once, nobody twice
    mailing.refresh_from_db()
    assert (mailing.sent, mailing.failed) == (250, 0)
