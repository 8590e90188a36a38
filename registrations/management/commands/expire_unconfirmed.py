"""Delete registrations never confirmed whose confirmation link has expired (run_jobs runs it hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from registrations.services.privacy import unconfirmed_expire


class Command(BaseCommand):
    help = "Delete unconfirmed registrations whose confirmation link (7 days) has expired."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        count = unconfirmed_expire(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {count} unconfirmed registration(s) whose link expired.")
