"""Demo data: the historical editions from the seeds and an upcoming edition open for sign-up.

Idempotent: each edition is keyed by its ordinal, so running it again updates instead of duplicating.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from events.models import Edition
from registrations.demo import load_demo_participants

HISTORICAL = [
    {
        "ordinal": 1,
        "title": "1st Global Police Tweet-a-thon",
        "date": dt.date(2013, 3, 22),
        "status": Edition.Status.COMPLETED,
        "result_agency_accounts": 200,
        "result_countries": 10,
        "result_tweets": 48_000,
        "result_languages": 23,
        "result_people_reached": 11_000_000,
    },
    {
        "ordinal": 2,
        "title": "2nd Global Police Tweet-a-thon",
        "date": dt.date(2013, 11, 1),
        "status": Edition.Status.COMPLETED,
        "result_agency_accounts": 250,
        "result_officer_accounts": 75,
        "result_countries": 68,
        "result_people_reached": 19_000_000,
    },
    {
        # Announced for 5 June 2015, then postponed to a date "TBD".
        "ordinal": 5,
        "title": "5th Global Police Tweet-a-thon",
        "date": None,
        "status": Edition.Status.DATE_TBD,
        "theme": "Time to Unify",
        "theme_hashtag": "#TimeToUnify",
        "theme_description": (
            "An invitation to citizens to talk about police and community relations. "
            "In addition to #poltwt, use #TimeToUnify in tweets intended to improve the relationships "
            "between the police and specific communities, particularly communities of color."
        ),
    },
]

UPCOMING_ORDINAL = 6


DEFAULT_PARTICIPANTS = 60


class Command(BaseCommand):
    help = "Load demo editions and participants (idempotent and reproducible)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--participants",
            type=int,
            default=DEFAULT_PARTICIPANTS,
            help=f"approved, located demo participants in the open edition (default {DEFAULT_PARTICIPANTS})",
        )
        parser.add_argument(
            "--running-now",
            action="store_true",
            help="date the open edition so that it is on air now (UTC and the zones near it)",
        )

    @transaction.atomic
    def handle(self, *args, participants: int, running_now: bool, **options) -> None:
        for fields in HISTORICAL:
            values = {key: value for key, value in fields.items() if key != "ordinal"}
            _, created = Edition.objects.update_or_create(ordinal=fields["ordinal"], defaults=values)
            self.stdout.write(f"{'Created' if created else 'Updated'} {values['title']}")

        now = timezone.now()
        upcoming, created = Edition.objects.get_or_create(
            ordinal=UPCOMING_ORDINAL,
            defaults={
                "title": "6th Global Police Tweet-a-thon",
                "date": (now + dt.timedelta(days=21)).date(),
                "status": Edition.Status.SCHEDULED,
                "theme": "Time to Unify",
                "theme_hashtag": "#TimeToUnify",
                "registration_opens_at": now - dt.timedelta(days=1),
                "registration_closes_at": now + dt.timedelta(days=20),
            },
        )
        if not created and not upcoming.is_open_for_registration(now):
            # A demo left running for weeks: keep the upcoming edition ahead of today and open.
            upcoming.date = (now + dt.timedelta(days=21)).date()
            upcoming.status = Edition.Status.SCHEDULED
            upcoming.registration_opens_at = now - dt.timedelta(days=1)
            upcoming.registration_closes_at = now + dt.timedelta(days=20)
            upcoming.save()
        if running_now:
            # 08:00 UTC on this date is at most 24 hours ago, so UTC and the zones around it are on air.
            upcoming.date = (now - dt.timedelta(hours=8)).date()
            upcoming.save(update_fields=["date", "updated_at"])
        self.stdout.write(f"{'Created' if created else 'Kept'} {upcoming.title}, open for sign-up")
        loaded = load_demo_participants(upcoming, participants)
        self.stdout.write(f"Loaded {loaded} demo participants into the {upcoming.title}")
