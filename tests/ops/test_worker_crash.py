"""A real worker killed (SIGKILL) in the middle of a mailing to a real SMTP server: after a restart every
recipient has the email, at most the one in flight twice, and the mailing's counts match what went out.
The same for a reminder run killed mid-way: the outbox (jobs/outbox.py) is one path for both.

Also: a task a dead worker left RUNNING is queued again; a registration whose geocoding a dead worker
dropped is geocoded by the recurring job without an operator.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from events.models import Edition
from jobs.models import WorkerHeartbeat
from jobs.workers import tasks_recover
from registrations.models import Delivery, Mailing, Registration, Reminder
from registrations.services.mailing import message_send
from registrations.services.reminders import reminders_plan
from tests.factories import EditionFactory, RegistrationFactory, UserFactory
from tests.ops.processes import process_env, start_manage, stop
from tests.ops.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)

RECIPIENTS = 150
KILL_AFTER = 40


def wait_until(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


@pytest.fixture
def queue_in_database(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_mailing_survives_a_killed_worker(edition, queue_in_database, tmp_path):
    registrations = RegistrationFactory.create_batch(RECIPIENTS, edition=edition)
    expected = {registration.email.lower() for registration in registrations}
    with SmtpSink(delay=0.02) as sink:
        env = process_env(
            EMAIL_URL=sink.url,
            OUTBOX_LEASE_SECONDS="3",
            WORKER_HEARTBEAT_SECONDS="0.5",
            WORKER_TIMEOUT_SECONDS="2",
        )
        mailing = message_send(
            edition=edition,
            subject="Hello",
            body="Text",
            actor=UserFactory(),
            statuses=["pending", "approved"],
        )
        worker = start_manage("worker", "--interval", "0.1", "--no-reload", env=env, log=tmp_path / "w1.log")
        try:
            assert wait_until(lambda: sum(sink.received().values()) >= KILL_AFTER, 60), (
                tmp_path / "w1.log"
            ).read_text()
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            stop(worker)
        at_kill = sum(sink.received().values())
        assert KILL_AFTER <= at_kill < RECIPIENTS  # killed in the middle, not after
        stuck = DBTaskResult.objects.get()
        assert stuck.status == "RUNNING"  # django-tasks-db alone would leave it so for ever

        restarted = start_manage(
            "worker", "--interval", "0.1", "--no-reload", env=env, log=tmp_path / "w2.log"
        )
        try:
            assert wait_until(
                lambda: Mailing.objects.filter(pk=mailing.pk, finished_at__isnull=False).exists(), 90
            ), (tmp_path / "w2.log").read_text()
        finally:
            stop(restarted)

    received = sink.received()
    twice = sum(count - 1 for count in received.values())
    print(f"\nkilled after {at_kill} of {RECIPIENTS} emails; sent twice after the kill: {twice}")
    assert set(received) == expected  # every recipient, and nobody else
    assert twice <= 1  # at most the one in flight when the worker died
    mailing.refresh_from_db()
    assert (mailing.recipients, mailing.sent, mailing.failed) == (RECIPIENTS, RECIPIENTS, 0)
    assert Delivery.objects.filter(mailing=mailing, sent_at__isnull=True).count() == 0
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()


def test_a_task_left_running_by_a_silent_worker_is_queued_again(settings, queue_in_database, edition):
    settings.WORKER_TIMEOUT_SECONDS = 60
    registration = RegistrationFactory(edition=edition)
    from registrations import tasks

    alive, dead = (
        tasks.geocode_registration_task.enqueue(registration.pk),
        tasks.geocode_registration_task.enqueue(registration.pk),
    )
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive", seen_at=now)
    WorkerHeartbeat.objects.create(worker_id="dead", seen_at=now - dt.timedelta(seconds=61))
    for result, worker in ((alive, "alive"), (dead, "dead")):
        DBTaskResult.objects.filter(pk=result.id).update(
            status="RUNNING", started_at=now, worker_ids=[worker]
        )
    assert tasks_recover() == [str(dead.id)]
    assert DBTaskResult.objects.get(pk=dead.id).status == "READY"
    assert DBTaskResult.objects.get(pk=alive.id).status == "RUNNING"
    assert tasks_recover() == []  # once


def test_geocoding_dropped_by_a_dead_worker_is_done_by_the_recurring_job(edition, tmp_path):
    # Signed up while the worker was dead: "pending", its task lost; ten minutes later.
    registration = RegistrationFactory(edition=edition, geo_status=Registration.GeoStatus.PENDING)
    Registration.objects.filter(pk=registration.pk).update(
        updated_at=timezone.now() - dt.timedelta(minutes=10)
    )
    jobs = start_manage("run_jobs", "--once", env=process_env(), log=tmp_path / "jobs.log")
    assert jobs.wait(timeout=120) == 0, (tmp_path / "jobs.log").read_text()
    registration.refresh_from_db()
    assert registration.geo_status == Registration.GeoStatus.LOCATED


def edition_whose_day_before_reminders_are_due() -> Edition:
    """An edition starting 18 hours from now in Los Angeles (its start time is local in every zone): the
    1-day reminder of every participant there is due now, and nobody's 7-day one any more."""
    starts = (timezone.now() + dt.timedelta(hours=18)).astimezone(ZoneInfo("America/Los_Angeles"))
    return EditionFactory(
        ordinal=40, date=starts.date(), start_time=starts.time().replace(second=0, microsecond=0)
    )


def test_a_reminder_run_killed_mid_way_loses_no_reminder(tmp_path):
    edition = edition_whose_day_before_reminders_are_due()
    registrations = RegistrationFactory.create_batch(
        RECIPIENTS, edition=edition, status="approved", time_zone="America/Los_Angeles"
    )
    reminders_plan(edition=edition)
    assert Reminder.objects.filter(kind="1d").count() == RECIPIENTS
    expected = {registration.email.lower() for registration in registrations}
    with SmtpSink(delay=0.02) as sink:
        env = process_env(EMAIL_URL=sink.url, OUTBOX_LEASE_SECONDS="3")
        run = start_manage("send_reminders", env=env, log=tmp_path / "r1.log")
        try:
            assert wait_until(lambda: sum(sink.received().values()) >= KILL_AFTER, 60), (
                tmp_path / "r1.log"
            ).read_text()
            os.kill(run.pid, signal.SIGKILL)
            run.wait(timeout=10)
        finally:
            stop(run)
        at_kill = sum(sink.received().values())
        assert KILL_AFTER <= at_kill < RECIPIENTS  # killed in the middle, not after
        # The next run (the hourly job) takes over what the dead run held once its lease has run out.
        assert wait_until(
            lambda: (
                not Reminder.objects.filter(claimed_at__gt=timezone.now() - dt.timedelta(seconds=3))
                .filter(sent_at__isnull=True)
                .exists()
            ),
            30,
        )
        again = start_manage("send_reminders", env=env, log=tmp_path / "r2.log")
        assert again.wait(timeout=120) == 0, (tmp_path / "r2.log").read_text()

    received = sink.received()
    twice = sum(count - 1 for count in received.values())
    print(f"\nreminders: killed after {at_kill} of {RECIPIENTS}; sent twice after the kill: {twice}")
    assert set(received) == expected  # every participant, and nobody else
    assert twice <= 1  # at most the one in flight when the run died
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 0
