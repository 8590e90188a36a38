"""Run the recurring jobs of jobs/recurring.py when they are due, for ever (or once with --once)."""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from jobs.models import ScheduledJob
from jobs.recurring import JOBS, Job

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the recurring jobs (expiry, geocoding retries, mailings, purge, reminders) when due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between checks.")
        parser.add_argument("--list", action="store_true", help="List the jobs and when they run next.")

    def handle(self, *args: Any, once: bool, interval: float, list: bool, **options: Any) -> None:
        if list:
            for job in JOBS:
                row = ScheduledJob.objects.filter(name=job.name).first()
                next_run = row.next_run_at.isoformat() if row else "at the first check"
                self.stdout.write(f"{job.name}: every {job.every}, next {next_run}")
            return
        while True:
            close_old_connections()
            for job in JOBS:
                if take_if_due(job):
                    self.run(job)
            if once:
                return
            time.sleep(interval)

    def run(self, job: Job) -> None:
        error = ""
        if job.command not in get_commands():
            error = f"command {job.command!r} is not installed"
            logger.warning("Recurring job %s skipped: %s", job.name, error)
        else:
            logger.info("Recurring job %s starts", job.name)
            try:
                call_command(job.command, *job.args, stdout=self.stdout)
            except Exception:  # one failing job must not stop the others: record it for operators
                error = traceback.format_exc()
                logger.exception("Recurring job %s failed", job.name)
        ScheduledJob.objects.filter(name=job.name).update(last_finished_at=timezone.now(), last_error=error)


def take_if_due(job: Job, *, now: dt.datetime | None = None) -> bool:
    """Claim one run of the job if it is due: True for exactly one caller per interval."""
    now = now or timezone.now()
    row, _ = ScheduledJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    taken = ScheduledJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at, next_run_at__lte=now).update(
        next_run_at=now + job.every, last_started_at=now
    )
    return taken == 1
