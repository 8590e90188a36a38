"""Geocode the registrations that are waiting: new ones, and those whose retry after a failure is due.

Run it from cron where the task backend cannot defer retries (ImmediateBackend), or to catch up after an
outage. With a network provider it takes at least GEOCODER_MIN_INTERVAL seconds per uncached address.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registrations.models import Registration
from registrations.services.location import geocode_pending


class Command(BaseCommand):
    help = "Geocode registrations whose geocoding is pending and due (oldest first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be geocoded; change nothing."
        )
        parser.add_argument("--limit", type=int, help="Geocode at most this many registrations.")
        parser.add_argument(
            "--settled",
            type=float,
            metavar="SECONDS",
            help="Skip never-tried registrations changed less than this long ago (their task may be queued).",
        )

    def handle(
        self, *args: Any, dry_run: bool, limit: int | None, settled: float | None, **options: Any
    ) -> None:
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more.")
        wait = dt.timedelta(seconds=settled) if settled is not None else None
        ids = geocode_pending(dry_run=dry_run, limit=limit, settled=wait)
        if dry_run:
            listed = ": " + ", ".join(f"#{pk}" for pk in ids) if ids else "."
            self.stdout.write(f"Would geocode {len(ids)} registration(s){listed}")
            return
        outcomes = Registration.objects.filter(pk__in=ids).order_by("pk")
        statuses: Counter[str] = Counter()
        for pk, status, precision, error in outcomes.values_list(
            "pk", "geo_status", "geo_precision", "geo_error"
        ):
            statuses[status] += 1
            detail = precision if status == Registration.GeoStatus.LOCATED else error
            self.stdout.write(f"#{pk}: {status}" + (f" ({detail})" if detail else ""))
        summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
        self.stdout.write(
            self.style.SUCCESS(f"Geocoded {len(ids)} registration(s)" + (f": {summary}" if ids else "."))
        )
