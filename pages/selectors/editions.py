"""Reads the event pages need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Window
from django.db.models.functions import Lower, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from events import calendar, schedule
from events.models import Award, Edition, Figure
from pages.selectors import participants as participant_selectors
from poltwt import siteurl
from registrations.models import ParticipantResult, Registration


def featured_edition() -> Edition | None:
    """The edition the home page is about: the one open for sign-up, else the next one, else the latest."""
    return Edition.objects.current() or Edition.objects.upcoming().first() or Edition.objects.first()


@dataclass(frozen=True)
class ResultRow:
    """One measure of an edition: what the record says (with its source) beside what poltwt counted."""

    measure: str
    label: str
    reported: str  # "over 200", "about 10", "48,842", a place; "" when the record has no figure
    details: str
    source_name: str
    source_url: str
    counted: int | None  # approved accounts or countries on poltwt, for the measures poltwt can count


@dataclass(frozen=True)
class TopRow:
    handle: str
    value: int
    participant: bool  # the handle is a registration of the edition on poltwt

    @property
    def x_url(self) -> str:
        return f"https://x.com/{self.handle}"


@dataclass(frozen=True)
class Source:
    name: str
    url: str


@dataclass(frozen=True)
class TopTable:
    """The accounts with the highest figure of one measure, and who published the figures."""

    rows: list[TopRow]
    sources: list[Source]


@dataclass(frozen=True)
class EditionRecord:
    edition: Edition
    first_set_for: dt.date | None
    rows: list[ResultRow]
    most_active: TopTable | None = None  # by tweets
    most_mentioned: TopTable | None = None
    awards: list[Award] = field(default_factory=list)


# How many accounts the "most active" and "most mentioned" tables list.
TOP_ACCOUNTS = 10


# The measures poltwt itself can count from its approved registrations, and the annotation holding each.
COUNTED = {
    Figure.Measure.AGENCIES: "known_agencies",
    Figure.Measure.OFFICERS: "known_officers",
    Figure.Measure.PARTICIPATING_COUNTRIES: "known_countries",
}


def _top_table(results: list[ParticipantResult], measure: str) -> TopTable | None:
    ranked = sorted(
        (result for result in results if getattr(result, measure) is not None),
        key=lambda result: (-getattr(result, measure), result.handle.lower()),
    )[:TOP_ACCOUNTS]
    if not ranked:
        return None
    sources = list(
        dict.fromkeys(Source(r.source_name, r.source_url) for r in ranked if r.source_name or r.source_url)
    )
    rows = [
        TopRow(handle=r.handle, value=getattr(r, measure), participant=r.registration_id is not None)
        for r in ranked
    ]
    return TopTable(rows=rows, sources=sources)


def top_results() -> dict[int, list[ParticipantResult]]:
    """Per edition id, the results among its TOP_ACCOUNTS most tweets or most mentions (one query: each
    edition may hold thousands of results, of which only these are shown)."""
    by_tweets = Window(
        RowNumber(), partition_by=F("edition"), order_by=[F("tweets").desc(nulls_last=True), Lower("handle")]
    )
    by_mentions = Window(
        RowNumber(),
        partition_by=F("edition"),
        order_by=[F("mentions").desc(nulls_last=True), Lower("handle")],
    )
    ranked = (
        ParticipantResult.objects.annotate(tweets_rank=by_tweets, mentions_rank=by_mentions)
        .filter(Q(tweets_rank__lte=TOP_ACCOUNTS) | Q(mentions_rank__lte=TOP_ACCOUNTS))
        .order_by()
    )
    tops: dict[int, list[ParticipantResult]] = {}
    for result in ranked:
        tops.setdefault(result.edition_id, []).append(result)
    return tops


def _record(edition: Edition, results: list[ParticipantResult] | None = None) -> EditionRecord:
    figures = {figure.measure: figure for figure in edition.figures.all()}
    rows = []
    for measure, label in Figure.Measure.choices:
        figure = figures.get(measure)
        counted = getattr(edition, COUNTED[measure]) if measure in COUNTED else None
        if figure is None and not counted:
            continue
        rows.append(
            ResultRow(
                measure=measure,
                label=str(label),
                reported=figure.display_value if figure and figure.value is not None else "",
                details=figure.details if figure else "",
                source_name=figure.source_name if figure else "",
                source_url=figure.source_url if figure else "",
                counted=counted,
            )
        )
    results = results or []
    return EditionRecord(
        edition=edition,
        first_set_for=edition.first_set_for,
        rows=rows,
        most_active=_top_table(results, "tweets"),
        most_mentioned=_top_table(results, "mentions"),
        awards=list(edition.awards.all()),
    )


def edition_history() -> list[EditionRecord]:
    """Every edition but cancelled ones, newest first: the published results, each with its qualifier
    and source, beside the approved accounts and countries poltwt itself counted; the most active and
    most mentioned accounts with their source; the awards; and the date each edition was first set for
    when it has moved. Five queries whatever the number of editions.
    """
    approved = Q(registrations__status=Registration.Status.APPROVED)
    editions = (
        Edition.objects.exclude(status=Edition.Status.CANCELLED)
        .annotate(
            known_agencies=Count("registrations", filter=approved & Q(registrations__kind="agency")),
            known_officers=Count("registrations", filter=approved & Q(registrations__kind="officer")),
            known_countries=Count(
                "registrations__country", filter=approved & ~Q(registrations__country=""), distinct=True
            ),
        )
        .prefetch_related("figures", "former_dates", "awards")
        .order_by("-ordinal")
    )
    tops = top_results()
    return [_record(edition, tops.get(edition.pk)) for edition in editions]


def _phrase(measure: str, value: int, shown: str) -> str:
    """A countable measure in words ("over 200 agency accounts"), "" for one a summary does not name."""
    n = {"n": shown}
    if measure == Figure.Measure.AGENCIES:
        return ngettext("%(n)s agency account", "%(n)s agency accounts", value) % n
    if measure == Figure.Measure.OFFICERS:
        return ngettext("%(n)s officer account", "%(n)s officer accounts", value) % n
    if measure == Figure.Measure.PARTICIPATING_COUNTRIES:
        return ngettext("%(n)s country", "%(n)s countries", value) % n
    if measure == Figure.Measure.TWEETS:
        return ngettext("%(n)s tweet", "%(n)s tweets", value) % n
    if measure == Figure.Measure.ORIGINAL_TWEETS:
        return ngettext("%(n)s original tweet", "%(n)s original tweets", value) % n
    if measure == Figure.Measure.UNIQUE_USERS:
        return ngettext("%(n)s unique user", "%(n)s unique users", value) % n
    return ""


def published_line(edition: Edition, *, limit: int = 3) -> str:
    """A past edition's published results in one line ("over 200 agency accounts, about 10 countries,
    48,842 tweets"): what its share image and its pages say instead of poltwt's own few rows. "" for an
    edition that is not completed or whose record gives no countable figure."""
    if edition.status != Edition.Status.COMPLETED:
        return ""
    figures = {figure.measure: figure for figure in edition.figures.all() if figure.value is not None}
    # In the order of Figure.Measure: accounts, countries, then tweets and users.
    parts = [
        _phrase(measure, figures[measure].value, figures[measure].display_value)
        for measure in Figure.Measure.values
        if measure in figures
    ]
    return ", ".join([part for part in parts if part][:limit])


@dataclass(frozen=True)
class ChartBar:
    series: str  # "agencies" or "officers": the bar's colour and the table's column
    value: int
    text: str  # as the record gives it ("over 250"), or poltwt's own count


@dataclass(frozen=True)
class ChartGroup:
    label: str
    bars: list[ChartBar]

    def _text(self, series: str) -> str:
        return next((bar.text for bar in self.bars if bar.series == series), "")

    @property
    def agencies(self) -> str:
        return self._text(Figure.Measure.AGENCIES)

    @property
    def officers(self) -> str:
        return self._text(Figure.Measure.OFFICERS)


def accounts_chart(history: list[EditionRecord]) -> list[ChartGroup]:
    """Agency and officer accounts per edition, oldest first: the published figure where there is one,
    else what poltwt counted. Editions with neither are left out."""
    groups = []
    for record in reversed(history):
        bars = []
        for measure in (Figure.Measure.AGENCIES, Figure.Measure.OFFICERS):
            row = next((row for row in record.rows if row.measure == measure), None)
            figure = next((f for f in record.edition.figures.all() if f.measure == measure), None)
            if figure is not None and figure.value is not None:
                bars.append(ChartBar(series=measure, value=figure.value, text=figure.display_value))
            elif row is not None and row.counted:
                text = gettext("%(count)s registered on poltwt") % {"count": row.counted}
                bars.append(ChartBar(series=measure, value=row.counted, text=text))
        if bars:
            edition = record.edition
            year = f" ({edition.date.year})" if edition.date else ""
            groups.append(ChartGroup(label=f"{edition.ordinal_label}{year}", bars=bars))
    return groups


def edition_span(edition: Edition) -> schedule.Window | None:
    """From the first participant zone's 8 a.m. to the last one's end (the whole world if none is located)."""
    if edition.date is None:
        return None
    return schedule.worldwide_span(
        date=edition.date,
        start_time=edition.start_time,
        duration_hours=edition.duration_hours,
        tz_names=list(participant_selectors.zone_counts(edition)),
    )


def edition_event(edition: Edition) -> calendar.CalendarEvent | None:
    """The calendar entry of the whole edition, None without a date.

    It spans every time zone on Earth (UTC+14 to UTC-12), not only the participants' zones as the home
    page's span does: the entry then changes only when the edition moves, which is when its SEQUENCE
    goes up, and calendars that imported it are never left with a silently different event.
    """
    if edition.date is None:
        return None
    span = schedule.worldwide_span(
        date=edition.date, start_time=edition.start_time, duration_hours=edition.duration_hours
    )
    description = gettext("The one rule: put %(hashtag)s in every tweet.") % {"hashtag": edition.hashtag}
    if edition.display_theme:
        description += " " + gettext("Theme: %(theme)s %(hashtag)s") % {
            "theme": edition.display_theme,
            "hashtag": edition.theme_hashtag,
        }
    description += " " + gettext("Each time zone tweets for %(hours)d hours from %(start)s local time.") % {
        "hours": edition.duration_hours,
        "start": edition.start_time.strftime("%H:%M"),
    }
    return calendar.CalendarEvent(
        uid=calendar.uid_for("edition", edition.pk, siteurl.site_url()),
        sequence=edition.schedule_sequence,
        starts_at=span.starts_at,
        ends_at=span.ends_at,
        summary=f"{edition.display_title} ({edition.hashtag})",
        description=description,
        url=siteurl.absolute(reverse("pages:schedule") + f"?edition={edition.ordinal}"),
        stamp=edition.updated_at,
        cancelled=edition.status == Edition.Status.CANCELLED,
    )


@dataclass(frozen=True)
class TimelineRow:
    """The time zones that share one window (the same UTC offset on the edition's date)."""

    window: schedule.Window
    utc_offset: dt.timedelta
    tz_names: list[str]
    participants: int
    live: bool
    left: float  # percent of the worldwide span before these zones start
    width: float  # percent of the span they are on air


@dataclass(frozen=True)
class AxisTick:
    """One whole UTC hour on the timeline's axis, placed in percent of the worldwide span."""

    at: dt.datetime
    left: float
    every: int  # the coarsest step (6, 3 or 1 hours) this mark belongs to: phones label only every 6th


@dataclass(frozen=True)
class RegionGroup:
    """The zones on air now in one IANA region (Europe, America, ...), for an expandable list."""

    name: str
    zones: list[schedule.ZoneSlot]
    participants: int


@dataclass(frozen=True)
class ScheduleView:
    edition: Edition
    span: schedule.Window
    rows: list[TimelineRow]
    on_air: list[schedule.ZoneSlot]
    on_air_participants: int
    unlocated: int
    hours: list[dt.datetime]
    ticks: list[AxisTick]
    now_left: float | None  # percent of the span where "now" is, None outside the span
    on_air_regions: list[RegionGroup]


def _percent(moment: dt.datetime, span: schedule.Window) -> float:
    return round((moment - span.starts_at).total_seconds() / span.duration.total_seconds() * 100, 2)


def axis_ticks(span: schedule.Window) -> list[AxisTick]:
    """The whole UTC hours inside the span, each tagged with the coarsest 12/6/3/1-hour step it falls on."""
    ticks = []
    for hour in schedule.timeline_hours(span):
        if not span.starts_at <= hour <= span.ends_at:
            continue
        every = next(step for step in (12, 6, 3, 1) if hour.hour % step == 0)
        ticks.append(AxisTick(at=hour, left=_percent(hour, span), every=every))
    return ticks


def region_groups(slots: list[schedule.ZoneSlot]) -> list[RegionGroup]:
    """Zones grouped by the first part of their IANA name, most participants first."""
    groups: dict[str, list[schedule.ZoneSlot]] = {}
    for slot in slots:
        region = slot.tz_name.split("/", 1)[0] if "/" in slot.tz_name else "Other"
        groups.setdefault(region, []).append(slot)
    regions = [
        RegionGroup(name=name, zones=zones, participants=sum(slot.participants for slot in zones))
        for name, zones in groups.items()
    ]
    return sorted(regions, key=lambda group: (-group.participants, group.name))


def edition_schedule(edition: Edition, now: dt.datetime | None = None) -> ScheduleView | None:
    """Which time zones tweet when, how many participants each has, and who is on air now."""
    if edition.date is None:
        return None
    now = now or timezone.now()
    counts = participant_selectors.zone_counts(edition)
    slots = schedule.zone_slots(
        date=edition.date,
        start_time=edition.start_time,
        duration_hours=edition.duration_hours,
        zone_counts=counts,
    )
    span = edition_span(edition)
    live = schedule.on_air(now=now, slots=slots)
    total = span.duration.total_seconds()
    by_window: dict[schedule.Window, list[schedule.ZoneSlot]] = {}
    for slot in slots:  # already ordered by start
        by_window.setdefault(slot.window, []).append(slot)
    rows = [
        TimelineRow(
            window=window,
            utc_offset=group[0].utc_offset,
            tz_names=[slot.tz_name for slot in group],
            participants=sum(slot.participants for slot in group),
            live=window.contains(now),
            left=round((window.starts_at - span.starts_at).total_seconds() / total * 100, 2),
            width=round(window.duration.total_seconds() / total * 100, 2),
        )
        for window, group in by_window.items()
    ]
    return ScheduleView(
        edition=edition,
        span=span,
        rows=rows,
        on_air=live,
        on_air_participants=sum(slot.participants for slot in live),
        unlocated=sum(1 for row in participant_selectors.participants(edition) if not row["time_zone"]),
        hours=schedule.timeline_hours(span),
        ticks=axis_ticks(span),
        now_left=_percent(now, span) if span.contains(now) else None,
        on_air_regions=region_groups(live),
    )
