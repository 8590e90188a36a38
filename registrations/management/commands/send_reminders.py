"""Plan and send the reminders due now (7 days and 1 day before each participant's start).

Idempotent: run it every few minutes from the recurring jobs; a reminder never goes out twice, even
when two runs overlap. ``--dry-run`` plans and reports what is due without sending.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from jobs import outbox
from registrations.services.reminders import reminders_due, reminders_plan_all, reminders_send_due


class Command(BaseCommand):
    help = "Plan reminders for every upcoming edition and send those that are due."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Plan and count, send nothing.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        planned = reminders_plan_all()
        self.stdout.write(
            f"Planned: {planned.created} new, {planned.updated} moved, {planned.deleted} dropped."
        )
        now = timezone.now()
        if dry_run:
            due = outbox.claimable(reminders_due(now=now), now=now).count()
            self.stdout.write(f"Due now (not sent, dry run): {due}.")
            return
        result = reminders_send_due(now=now)
        self.stdout.write(self.style.SUCCESS(f"Sent: {result.sent}, failed: {result.failed}."))
