"""Demo data: the historical editions from the seeds and an upcoming edition open for sign-up.

Idempotent: each edition is keyed by its ordinal, so running it again updates instead of duplicating.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from demo.participants import load_demo_participants, load_first_edition_agencies
from events.models import Award, Edition, Figure, FormerDate
from registrations.models import ParticipantResult
from registrations.signals import public_data_changed

TIME_TO_UNIFY = {
    "theme": "Time to Unify",
    "theme_hashtag": "#TimeToUnify",
    "theme_description": (
        "An invitation to citizens to talk about police and community relations. "
        "In addition to #poltwt, use #TimeToUnify in tweets intended to improve the relationships "
        "between the police and specific communities, particularly communities of color."
    ),
}

# Sources as the record names them; no link is given where the record has none.
LAWS_2013 = "LAwS Communications, announcement of the 2nd Global Police Tweet-a-thon (October 2013)"
SENTINEL = "Santa Cruz Sentinel, “Bay area police set tweets in motion” (E. Ivie, 23 March 2013)"
NIELD = "Roger Nield, Runnymede Police blog (1 November 2013)"
BRIGHTPLANET = "BrightPlanet, in the organizer’s wrap-up of the 3rd edition (LAwS Communications)"
LAWS_RESULTS = "LAwS Communications, results of the 1st Global Police Tweet-a-thon"

M, Q = Figure.Measure, Figure.Qualifier

# The editions as the record tells them (shared/seeds and the organizer's published results), with no
# figure the record does not give: a missing measure stays missing.
HISTORICAL = [
    {
        "ordinal": 1,
        "title": "1st Global Police Tweet-a-thon",
        "date": dt.date(2013, 3, 22),
        "status": Edition.Status.COMPLETED,
        "figures": [
            (M.AGENCIES, Q.OVER, 200, "", LAWS_2013),
            (M.PARTICIPATING_COUNTRIES, Q.ABOUT, 10, "", SENTINEL),
            (M.TWEETS, Q.EXACT, 48_842, "", LAWS_RESULTS),
            (M.RETWEETS, Q.OVER, 18_000, "", LAWS_RESULTS),
            (M.LANGUAGES, Q.EXACT, 23, "", LAWS_2013),
            (M.PEOPLE_REACHED, Q.OVER, 11_000_000, "", LAWS_2013),
            (M.TRENDED, Q.EXACT, None, "across the western hemisphere", LAWS_2013),
        ],
    },
    {
        "ordinal": 2,
        "title": "2nd Global Police Tweet-a-thon",
        "date": dt.date(2013, 11, 1),
        "status": Edition.Status.COMPLETED,
        "figures": [
            (M.AGENCIES, Q.OVER, 250, "", NIELD),
            (M.OFFICERS, Q.OVER, 75, "", NIELD),
            (
                M.PARTICIPATING_COUNTRIES,
                Q.EXACT,
                12,
                "South Africa, Kenya, Estonia, Belgium, the Netherlands, the United Kingdom, Spain, "
                "New Zealand, Australia, Iceland, Canada and the United States",
                NIELD,
            ),
            (M.COUNTRIES_REACHED, Q.EXACT, 68, "", NIELD),
            (M.PEOPLE_REACHED, Q.OVER, 19_000_000, "", NIELD),
        ],
    },
    {
        # The record gives no exact date for the 3rd and the 4th.
        "ordinal": 3,
        "title": "3rd Global Police Tweet-a-thon",
        "date": None,
        "status": Edition.Status.COMPLETED,
        "figures": [
            (M.ORIGINAL_TWEETS, Q.OVER, 15_000, "", BRIGHTPLANET),
            (M.UNIQUE_USERS, Q.EXACT, 1_000, "", BRIGHTPLANET),
        ],
    },
    {
        "ordinal": 4,
        "title": "4th Global Police Tweet-a-thon",
        "date": None,
        "status": Edition.Status.COMPLETED,
        **TIME_TO_UNIFY,
        "figures": [],
    },
    {
        # Announced for 5 June 2015, then "rescheduled for later this summer" and shown as TBD.
        "ordinal": 5,
        "title": "5th Global Police Tweet-a-thon",
        "date": None,
        "status": Edition.Status.DATE_TBD,
        **TIME_TO_UNIFY,
        "former_dates": [dt.date(2015, 6, 5)],
        "figures": [],
    },
]

UPCOMING_ORDINAL = 6

BRIGHTPLANET_FINAL = "BrightPlanet, “Final Results of #Poltwt Tweet-a-thon” (25 March 2013)"
BRIGHTPLANET_FINAL_URL = "https://brightplanet.com/2013/03/25/final-results-of-poltwt-tweet-a-thon/"
# The 1st edition's most vocal accounts (tweets) and most mentioned accounts, as BrightPlanet lists them.
FIRST_MOST_VOCAL = [
    ("NYorksPolice", 568),
    ("mapwinn0605", 484),
    ("lawscomm", 289),
    ("CalgaryPolice", 209),
    ("GMPBlackley", 205),
    ("HaltonPolice", 186),
]
FIRST_MOST_MENTIONED = [
    ("CalgaryPolice", 918),
    ("gmpolice", 841),
    ("NYorksPolice", 662),
    ("lawscomm", 407),
    ("hantsyotcop", 355),
    ("FBIPressOffice", 316),
]
WRAP_UP = "Connected Cops, the organizer’s wrap-up of the 3rd edition"
WRAP_UP_URL = "http://connectedcops.net/poltwt-wrap-up/"
# The 3rd edition's prizes; the record names only the first winner, the others stay empty.
THIRD_AWARDS = [
    ("Best overall use of social media", "Halton Regional Police"),
    ("Best Hangout on Air", ""),
    ("Most retweeted / most popular", ""),
    ("Best use of video", ""),
    ("Best selfie", ""),
]


DEFAULT_PARTICIPANTS = 60


def load_record(edition: Edition, figures: list[tuple], former_dates: list[dt.date]) -> None:
    """Make the edition's figures and former dates exactly the given ones (so a rerun changes nothing)."""
    edition.figures.exclude(measure__in=[row[0] for row in figures]).delete()
    for measure, qualifier, value, details, source in figures:
        Figure.objects.update_or_create(
            edition=edition,
            measure=measure,
            defaults={
                "qualifier": qualifier,
                "value": value,
                "details": details,
                "source_name": source,
                "source_url": "",
            },
        )
    edition.former_dates.exclude(date__in=former_dates).delete()
    for date in former_dates:
        if not edition.former_dates.filter(date=date).exists():
            FormerDate.objects.create(edition=edition, date=date)


def load_results(edition: Edition) -> None:
    """The edition's most vocal and most mentioned accounts as published (a rerun changes nothing)."""
    figures: dict[str, dict[str, int]] = {}
    for handle, tweets in FIRST_MOST_VOCAL:
        figures.setdefault(handle, {})["tweets"] = tweets
    for handle, mentions in FIRST_MOST_MENTIONED:
        figures.setdefault(handle, {})["mentions"] = mentions
    edition.participant_results.all().delete()
    held = {
        registration.handle.lower(): registration
        for registration in edition.registrations.approved().exclude(handle="")
    }
    ParticipantResult.objects.bulk_create(
        ParticipantResult(
            edition=edition,
            handle=handle,
            registration=held.get(handle.lower()),
            tweets=values.get("tweets"),
            mentions=values.get("mentions"),
            source_name=BRIGHTPLANET_FINAL,
            source_url=BRIGHTPLANET_FINAL_URL,
        )
        for handle, values in figures.items()
    )
    public_data_changed.send(sender=ParticipantResult, edition_ids={edition.pk}, fields=None)


def load_awards(edition: Edition) -> None:
    edition.awards.all().delete()
    for category, winner in THIRD_AWARDS:
        Award.objects.create(
            edition=edition, category=category, winner=winner, source_name=WRAP_UP, source_url=WRAP_UP_URL
        )


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
            values = {
                key: value
                for key, value in fields.items()
                if key not in ("ordinal", "figures", "former_dates")
            }
            edition, created = Edition.objects.update_or_create(ordinal=fields["ordinal"], defaults=values)
            load_record(edition, fields["figures"], fields.get("former_dates", []))
            self.stdout.write(f"{'Created' if created else 'Updated'} {values['title']}")
        first = Edition.objects.get(ordinal=1)
        self.stdout.write(f"Loaded {load_first_edition_agencies(first)} Bay Area agencies into the {first}")
        load_results(first)
        load_awards(Edition.objects.get(ordinal=3))

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
