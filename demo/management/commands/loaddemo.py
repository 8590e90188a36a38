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

# The public record's sources (shared/NOTES.md, "The public record of past editions"): (name, link).
BRIGHTPLANET_RESULTS = (
    "BrightPlanet, “Final Results of #Poltwt Tweet-a-thon” (25 March 2013)",
    "https://brightplanet.com/2013/03/25/final-results-of-poltwt-tweet-a-thon/",
)
GOVTECH = (
    "Government Technology, “Cops Worldwide Participate in Global Tweet-a-Thon” (25 March 2013)",
    "https://www.govtech.com/public-safety/Cops-Worldwide-Participate-in-Global-Tweet-a-Thon.html",
)
NIELD = (
    "Roger Nield, Runnymede Police, on the Runnymede residents’ blog (1 November 2013)",
    "https://runnymederesidents.wordpress.com/2013/11/01/"
    "today-for-one-day-only-check-out-poltwt-and-see-what-police-are-doing-worldwide/",
)
WRAP_UP = (
    "LAwS Communications, “#poltwt wrap-up”, with BrightPlanet’s figures (ConnectedCOPS)",
    "http://connectedcops.net/poltwt-wrap-up/",
)
BRIGHTPLANET_PREVIEW = (
    "BrightPlanet, “2014 Global Law Enforcement Tweet-a-thon: #poltwt is back” (26 June 2014)",
    "https://brightplanet.com/2014/06/26/2014-global-law-enforcement-tweet-thon-poltwt-back",
)
GRAND_JUNCTION = (
    "Grand Junction Police Department, “The fourth Global Police Tweet-a-thon has kicked off” "
    "(19 December 2014)",
    "https://grandjunctionpolicedepartment.com/2014/12/19/"
    "grandjunctionpd-joining-sheriffmesacolo-in-global-police-tweet-a-thon-today-poltwt-gvcopbeat/",
)

M, Q = Figure.Measure, Figure.Qualifier

# The editions as the record tells them, each figure and date with the source that gives it, and no figure
# the record does not give: a missing measure stays missing.
HISTORICAL = [
    {
        "ordinal": 1,
        "title": "1st Global Police Tweet-a-thon",
        "date": dt.date(2013, 3, 22),
        "date_source": BRIGHTPLANET_RESULTS,
        "status": Edition.Status.COMPLETED,
        "figures": [
            (M.AGENCIES, Q.OVER, 200, "", GOVTECH),
            (M.PARTICIPATING_COUNTRIES, Q.ABOUT, 10, "", GOVTECH),
            # BrightPlanet's table; the same post's text also says 48,482.
            (M.TWEETS, Q.EXACT, 48_842, "", BRIGHTPLANET_RESULTS),
            (M.RETWEETS, Q.EXACT, 18_092, "", BRIGHTPLANET_RESULTS),
            (M.UNIQUE_USERS, Q.EXACT, 15_621, "", BRIGHTPLANET_RESULTS),
            (M.LANGUAGES, Q.EXACT, 23, "", BRIGHTPLANET_RESULTS),
            # "Total outreach": the participants' combined followers.
            (M.PEOPLE_REACHED, Q.EXACT, 11_203_796, "combined followers", BRIGHTPLANET_RESULTS),
            (M.TRENDED, Q.EXACT, None, "top 10 in the United States on 22 March", BRIGHTPLANET_RESULTS),
        ],
    },
    {
        "ordinal": 2,
        "title": "2nd Global Police Tweet-a-thon",
        "date": dt.date(2013, 11, 1),
        "date_source": NIELD,
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
        "ordinal": 3,
        "title": "3rd Global Police Tweet-a-thon",
        "date": dt.date(2014, 6, 27),
        "date_source": BRIGHTPLANET_PREVIEW,
        "status": Edition.Status.COMPLETED,
        "figures": [
            (M.ORIGINAL_TWEETS, Q.OVER, 15_000, "", WRAP_UP),
            (M.UNIQUE_USERS, Q.EXACT, 1_000, "", WRAP_UP),
        ],
    },
    {
        "ordinal": 4,
        "title": "4th Global Police Tweet-a-thon",
        "date": dt.date(2014, 12, 19),
        "date_source": GRAND_JUNCTION,
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
    for measure, qualifier, value, details, (source_name, source_url) in figures:
        Figure.objects.update_or_create(
            edition=edition,
            measure=measure,
            defaults={
                "qualifier": qualifier,
                "value": value,
                "details": details,
                "source_name": source_name,
                "source_url": source_url,
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
                if key not in ("ordinal", "figures", "former_dates", "date_source")
            }
            values["date_source_name"], values["date_source_url"] = fields.get("date_source", ("", ""))
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
