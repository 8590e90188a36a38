"""Erase personal data of past editions once their retention period is over (cron it daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from registrations.services.privacy import personal_data_purge, purge_due


class Command(BaseCommand):
    help = "Erase emails, officer names and street addresses of editions past their retention period."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="say what would be erased, change nothing")

    def handle(self, *args, dry_run: bool, **options) -> None:
        editions = purge_due()
        if not editions:
            self.stdout.write("No edition is past its retention period.")
        for edition in editions:
            count = personal_data_purge(edition=edition, dry_run=dry_run)
            verb = "Would erase" if dry_run else "Erased"
            self.stdout.write(f"{verb} personal data of {count} registration(s) of the {edition.title}.")
