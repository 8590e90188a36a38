"""Reads the event pages need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from events import schedule
from events.models import Edition
from pages.selectors import participants as participant_selectors
from registrations.models import Registration


def featured_edition() -> Edition | None:
    """The edition the home page is about: the one open for sign-up, else the next one, else the latest."""
    return Edition.objects.current() or Edition.objects.upcoming().first() or Edition.objects.first()


def past_editions() -> list[Edition]:
    """Completed editions, newest first, with the approved accounts and countries poltwt itself counted."""
    approved = Q(registrations__status=Registration.Status.APPROVED)
    return list(
        Edition.objects.past().annotate(
            known_agencies=Count("registrations", filter=approved & Q(registrations__kind="agency")),
            known_officers=Count("registrations", filter=approved & Q(registrations__kind="officer")),
            known_countries=Count("registrations__country", filter=approved, distinct=True),
        )
    )


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
class ScheduleView:
    edition: Edition
    span: schedule.Window
    rows: list[TimelineRow]
    on_air: list[schedule.ZoneSlot]
    on_air_participants: int
    unlocated: int
    hours: list[dt.datetime]


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
    )
