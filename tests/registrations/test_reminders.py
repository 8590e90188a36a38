"""Reminders 7 days and 1 day before each participant's own start: planned, re-planned, sent once."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from registrations.models import Mailing, Reminder
from registrations.services.privacy import registration_withdraw
from registrations.services.reminders import reminders_plan, reminders_plan_all, reminders_send_due
from registrations.services.review import registration_approve
from tests.factories import EditionFactory, RegistrationFactory, UserFactory
from tests.registrations.helpers import link_paths
from tests.registrations.test_mailings import edition_form

pytestmark = pytest.mark.django_db

KOLKATA = dt.timezone(dt.timedelta(hours=5, minutes=30))


@pytest.fixture
def organizer():
    return UserFactory(username="organizer", is_staff=True, is_superuser=True)


@pytest.fixture
def soon():
    """An edition 20 days from now, with a theme."""
    return EditionFactory(
        ordinal=30,
        date=timezone.localdate() + dt.timedelta(days=20),
        theme="Time to Unify",
        theme_hashtag="#TimeToUnify",
    )


def kolkata_start(date: dt.date) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(8), tzinfo=KOLKATA).astimezone(dt.UTC)


def approved(edition, **fields):
    registration = RegistrationFactory(edition=edition, time_zone="Asia/Kolkata", **fields)
    # A plain account (no password to hash): approving is what is tested, not logging in.
    reviewer, _ = get_user_model().objects.get_or_create(username="reviewer", defaults={"is_staff": True})
    registration_approve(registration=registration, actor=reviewer)
    mail.outbox.clear()
    registration.refresh_from_db()
    return registration


def plan(registration) -> dict[str, tuple[dt.datetime, int]]:
    return {
        reminder.kind: (reminder.due_at, reminder.sequence)
        for reminder in Reminder.objects.filter(registration=registration, sent_at__isnull=True)
    }


def test_approval_plans_both_reminders_by_the_participants_own_start(soon):
    registration = approved(soon)
    start = kolkata_start(soon.date)
    assert plan(registration) == {
        "7d": (start - dt.timedelta(days=7), 0),
        "1d": (start - dt.timedelta(days=1), 0),
    }


def test_chosen_hours_move_the_reminders(soon):
    registration = approved(soon, hours_from=dt.time(14), hours_to=dt.time(18))
    start = dt.datetime.combine(soon.date, dt.time(14), tzinfo=KOLKATA).astimezone(dt.UTC)
    assert plan(registration)["1d"][0] == start - dt.timedelta(days=1)


def test_each_reminder_goes_out_once_with_local_time_theme_rule_and_manage_link(client, soon):
    approved(soon)
    start = kolkata_start(soon.date)
    week_due = start - dt.timedelta(days=7)
    assert reminders_send_due(now=week_due - dt.timedelta(minutes=1)).sent == 0
    assert mail.outbox == []
    first = reminders_send_due(now=week_due + dt.timedelta(minutes=5))
    second = reminders_send_due(now=week_due + dt.timedelta(minutes=6))  # the job runs again
    assert (first.sent, second.sent) == (1, 0)
    [message] = mail.outbox
    assert message.subject == f"In one week: the {soon.title}"
    assert f"You start on {soon.date:%A %-d %B %Y}, 08:00 (your local time)" in message.body
    assert "The one rule: put #poltwt in every tweet." in message.body
    assert "Time to Unify #TimeToUnify" in message.body
    [manage] = link_paths(message, "manage")
    assert client.get(manage).status_code == 200
    [attachment] = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    [event] = icalendar.Calendar.from_ical(attachment.get_payload(decode=True)).walk("VEVENT")
    assert event.decoded("DTSTART").astimezone(dt.UTC) == start

    mail.outbox.clear()
    reminders_send_due(now=start - dt.timedelta(hours=23))
    reminders_send_due(now=start - dt.timedelta(hours=22))
    assert [m.subject for m in mail.outbox] == [f"Tomorrow: the {soon.title}"]


def test_the_database_refuses_a_second_reminder_of_the_same_kind_and_revision(soon):
    registration = approved(soon)
    existing = Reminder.objects.get(registration=registration, kind="1d")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            registration=registration,
            kind="1d",
            sequence=existing.sequence,
            due_at=existing.due_at,
            starts_at=existing.starts_at,
        )


def test_planning_twice_changes_nothing(soon):
    registration = approved(soon)
    before = plan(registration)
    again = reminders_plan_all()
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert plan(registration) == before


def test_moving_the_edition_replans_and_bumps_the_calendar_sequence(
    client, organizer, soon, django_capture_on_commit_callbacks
):
    registration = approved(soon)
    start = kolkata_start(soon.date)
    # The 7-day reminder went out for the first date.
    reminders_send_due(now=start - dt.timedelta(days=7) + dt.timedelta(minutes=1))
    assert len(mail.outbox) == 1
    mail.outbox.clear()

    new_date = soon.date + dt.timedelta(days=14)
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/events/edition/{soon.pk}/change/",
            edition_form(soon, date=new_date.isoformat(), status="rescheduled", reminders_enabled="on"),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    soon.refresh_from_db()
    assert soon.schedule_sequence == 1
    new_start = kolkata_start(new_date)
    assert plan(registration) == {
        "7d": (new_start - dt.timedelta(days=7), 1),
        "1d": (new_start - dt.timedelta(days=1), 1),
    }
    # The sent reminder of the first date stays on record; the participant hears again for the new one.
    assert Reminder.objects.filter(registration=registration, sent_at__isnull=False, sequence=0).count() == 1

    # The schedule notice (a draft until an organizer sends it from its review page) carries the updated
    # calendar file: same UID, SEQUENCE 1, the new start.
    draft = Mailing.objects.get(kind=Mailing.Kind.SCHEDULE, edition=soon)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/registrations/mailing/{draft.pk}/review/", {"send": "1", "expected": "1"})
    [notice] = mail.outbox
    [attachment] = [p for p in notice.message().walk() if p.get_content_type() == "text/calendar"]
    [event] = icalendar.Calendar.from_ical(attachment.get_payload(decode=True)).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == f"registration-{registration.pk}@testserver"
    assert event.decoded("DTSTART").astimezone(dt.UTC) == new_start

    mail.outbox.clear()
    reminders_send_due(now=new_start - dt.timedelta(days=7) + dt.timedelta(minutes=1))
    assert [m.subject for m in mail.outbox] == [f"In one week: the {soon.title}"]


def test_organizers_can_switch_reminders_off_for_an_edition(client, organizer, soon):
    registration = approved(soon)
    client.force_login(organizer)
    response = client.post(f"/admin/events/edition/{soon.pk}/change/", edition_form(soon))  # unticked
    assert response.status_code == 302
    soon.refresh_from_db()
    assert soon.reminders_enabled is False
    assert plan(registration) == {}
    call_command("send_reminders")
    reminders_send_due(now=kolkata_start(soon.date) - dt.timedelta(hours=23))
    assert mail.outbox == []


def test_new_hours_move_the_reminders_and_a_withdrawn_entry_loses_them(soon):
    edited = approved(soon)
    from registrations.services.registration import registration_update

    registration_update(registration=edited, hours_from=dt.time(9), hours_to=dt.time(12))
    # Still approved: the reminders follow the new start, 9 a.m. in Kolkata.
    start = kolkata_start(soon.date) + dt.timedelta(hours=1)
    assert plan(edited) == {"7d": (start - dt.timedelta(days=7), 0), "1d": (start - dt.timedelta(days=1), 0)}
    withdrawn = approved(soon)
    registration_withdraw(registration=withdrawn)
    assert plan(withdrawn) == {}
    reminders_send_due(now=kolkata_start(soon.date) - dt.timedelta(hours=23))
    assert [message.to for message in mail.outbox] == [[edited.email]]  # its 1-day reminder, not theirs


def test_someone_approved_three_days_before_gets_only_the_one_day_reminder():
    edition = EditionFactory(ordinal=31, date=timezone.localdate() + dt.timedelta(days=3))
    registration = approved(edition)
    assert set(plan(registration)) == {"1d"}


def test_send_reminders_command_is_idempotent():
    # An edition whose Kolkata start is 7 days from now, less a minute: the week reminder is due.
    target = (timezone.now() + dt.timedelta(days=7, minutes=-1)).astimezone(KOLKATA)
    edition = EditionFactory(ordinal=33, date=target.date(), start_time=target.time().replace(microsecond=0))
    registration = approved(edition)
    Reminder.objects.filter(registration=registration).delete()  # as if the approval hook never ran
    call_command("send_reminders")
    call_command("send_reminders")
    assert [m.subject for m in mail.outbox] == [f"In one week: the {edition.title}"]
    assert set(plan(registration)) == {"1d"}
    assert Reminder.objects.get(registration=registration, kind="7d").sent_at is not None


def test_planning_an_edition_without_a_date_plans_nothing():
    edition = EditionFactory(ordinal=32, date=None, status="tbd")
    registration = approved(edition)
    assert reminders_plan(edition=edition).created == 0
    assert plan(registration) == {}


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_the_same_moment_send_each_reminder_once():
    from tests.registrations.test_concurrency import run_together

    edition = EditionFactory(ordinal=34, date=timezone.localdate() + dt.timedelta(days=20))
    for _ in range(5):
        approved(edition)
    due = kolkata_start(edition.date) - dt.timedelta(days=7) + dt.timedelta(minutes=1)

    def job(index: int):
        reminders_plan_all()
        return reminders_send_due(now=due)

    results = run_together(job, 3)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.sent for r in results) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Reminder.objects.filter(kind="7d").values_list("registration__email", flat=True)
    )
    assert len(mail.outbox) == 5


def test_organizers_see_the_reminders_read_only(client, organizer, soon):
    registration = approved(soon)
    client.force_login(organizer)
    page = client.get("/admin/registrations/reminder/").content.decode()
    assert f"@{registration.handle}" in page and "7 days before" in page
    assert client.get("/admin/registrations/reminder/add/").status_code == 403


def test_a_reminder_speaks_the_registrants_language(soon):
    approved(soon, language="es")
    week_due = kolkata_start(soon.date) - dt.timedelta(days=7)
    assert reminders_send_due(now=week_due + dt.timedelta(minutes=5)).sent == 1
    [message] = mail.outbox
    assert "In one week" not in message.subject and soon.title in message.subject
    assert "The one rule" not in message.body
    assert "/es/manage/" in message.body
