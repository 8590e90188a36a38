"""The follow-the-sun schedule: when each time zone tweets during an edition.

An edition starts on its date at its local start time (08:00) in every time zone and lasts
``duration_hours``, so it sweeps around the world from UTC+14 to UTC-12. Everything here is a pure
function of dates, times and IANA zone names (zoneinfo); nothing touches the database.

Time-zone rules, applied the same way everywhere:

* Durations are elapsed time. A 24-hour edition that spans a DST change ends 24 real hours after it
  starts, so its local end clock reads one hour earlier (fall back) or later (spring forward) than
  its start: 2026-10-31 08:00 PDT in Los Angeles ends 2026-11-01 07:00 PST.
* Local clock times go through zoneinfo with ``fold=0`` (PEP 495). A time that does not exist (the
  spring-forward gap) takes the offset in force before the change, so 02:30 on 2026-03-08 in Los
  Angeles is read as 02:30 PST, the instant the clock shows as 03:30 PDT. A time that happens twice
  (fall back) means its first occurrence: 01:30 on 2026-11-01 in Los Angeles is 01:30 PDT.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The earliest and latest clocks on Earth. Etc/GMT+12 (UTC-12, "Anywhere on Earth"; the POSIX sign is
# inverted) rather than Pacific/Pago_Pago (UTC-11): no IANA zone is behind it, so the default span
# covers every zone a participant can register with. Their offsets are read from zoneinfo on the
# edition's date, not hard-coded, so a tzdata change follows automatically.
EARLIEST_ZONE = "Pacific/Kiritimati"
LATEST_ZONE = "Etc/GMT+12"

_HOUR = dt.timedelta(hours=1)
_DAY = dt.timedelta(days=1)


class NoDate(ValueError):
    """The edition has no date yet (TBD), so it has no schedule."""

    def __init__(self) -> None:
        super().__init__("The edition has no date yet.")


class UnknownTimeZone(ValueError):
    """The name is not a time zone zoneinfo knows (an IANA name such as "Europe/Berlin")."""

    def __init__(self, tz_name: str) -> None:
        self.tz_name = tz_name
        super().__init__(f"Unknown time zone: {tz_name!r}")


class HoursOutsideEdition(ValueError):
    """The participant's chosen hours do not overlap the edition in their time zone."""

    def __init__(self, tz_name: str, hours: tuple[dt.time, dt.time]) -> None:
        self.tz_name = tz_name
        self.hours = hours
        super().__init__(f"The hours {hours[0]:%H:%M}-{hours[1]:%H:%M} ({tz_name}) fall outside the edition.")


@dataclass(frozen=True)
class Window:
    """A half-open interval of time [starts_at, ends_at), both aware datetimes in UTC."""

    starts_at: dt.datetime
    ends_at: dt.datetime

    def __post_init__(self) -> None:
        # UTC only, so that arithmetic and equality never depend on a zone's wall clock.
        if self.starts_at.tzinfo is not dt.UTC or self.ends_at.tzinfo is not dt.UTC:
            raise ValueError("A Window's datetimes must be aware and in UTC (tzinfo=datetime.UTC).")
        if self.ends_at <= self.starts_at:
            raise ValueError("A Window must end after it starts.")

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at

    def contains(self, instant: dt.datetime) -> bool:
        """Whether the aware ``instant`` (any zone) is in the window; the end is excluded."""
        return self.starts_at <= instant < self.ends_at


@dataclass(frozen=True)
class ZoneSlot:
    """One time zone's share of an edition: its window and how many participants tweet from it."""

    tz_name: str
    utc_offset: dt.timedelta
    window: Window
    participants: int


# ZoneInfo keeps only a few zones in its strong cache; a schedule of hundreds would re-read tzdata each
# time. Bounded by the IANA zone list (invalid names raise, and exceptions are not cached).
@functools.cache
def _zone(tz_name: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz_name)
    # ValueError covers malformed keys ("", "../x", absolute paths) and non-TZif files ("zone.tab");
    # OSError a folder name ("America") when zoneinfo falls back to the tzdata package (which icalendar
    # installs), where opening it raises IsADirectoryError instead of "not found".
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise UnknownTimeZone(tz_name) from exc


def _local_instant(day: dt.date, clock: dt.time, zone: ZoneInfo) -> dt.datetime:
    """``day`` at wall-clock ``clock`` in ``zone``, in UTC; fold=0 decides gaps and repeats."""
    return dt.datetime.combine(day, clock, tzinfo=zone).replace(fold=0).astimezone(dt.UTC)


def _require_date(date: dt.date | None) -> dt.date:
    if date is None:
        raise NoDate()
    return date


def participant_window(
    *,
    date: dt.date | None,
    start_time: dt.time,
    duration_hours: int,
    tz_name: str,
    hours: tuple[dt.time, dt.time] | None = None,
) -> Window:
    """When a participant in ``tz_name`` takes part in the edition, in UTC.

    Without ``hours``: from ``date`` at ``start_time`` local time, for ``duration_hours`` of elapsed
    time (see the module docstring for DST).

    With local ``hours=(from, to)``: from the first ``from`` at or after the edition's local start,
    until the next ``to`` after that (so 22:00-02:00 crosses midnight, and from == to means a whole
    day), cut off at the edition's end. Hours that straddle the start (07:00-09:00 for an 08:00
    start) therefore give the later piece, the next morning's 07:00-08:00.

    Raises NoDate, UnknownTimeZone, HoursOutsideEdition when the chosen hours begin at or after the
    edition's end, and ValueError when ``duration_hours`` is below 1.
    """
    date = _require_date(date)
    if duration_hours < 1:
        raise ValueError("duration_hours must be at least 1.")
    zone = _zone(tz_name)
    starts_at = _local_instant(date, start_time, zone)
    ends_at = starts_at + dt.timedelta(hours=duration_hours)
    if hours is None:
        return Window(starts_at=starts_at, ends_at=ends_at)

    hours_from, hours_to = hours
    from_day = date
    from_at = _local_instant(from_day, hours_from, zone)
    # Compared in UTC: aware datetimes sharing a tzinfo compare by wall clock and would ignore DST.
    if from_at < starts_at:
        from_day += _DAY
        from_at = _local_instant(from_day, hours_from, zone)
    if from_at >= ends_at:
        raise HoursOutsideEdition(tz_name, hours)
    to_at = _local_instant(from_day, hours_to, zone)
    if to_at <= from_at:
        to_at = _local_instant(from_day + _DAY, hours_to, zone)
    # from_at is never before the edition's start, so only the end needs clipping.
    return Window(starts_at=from_at, ends_at=min(to_at, ends_at))


def zone_slots(
    *, date: dt.date | None, start_time: dt.time, duration_hours: int, zone_counts: Mapping[str, int]
) -> list[ZoneSlot]:
    """One slot per valid zone in ``zone_counts`` (zone name -> participants), earliest start first.

    Zones with the same start are ordered by name. Invalid zone names (for example a blank
    ``time_zone`` on a registration) are skipped so one bad row cannot break a page.
    """
    date = _require_date(date)
    slots = []
    for tz_name, participants in zone_counts.items():
        try:
            zone = _zone(tz_name)
        except UnknownTimeZone:
            continue
        window = participant_window(
            date=date, start_time=start_time, duration_hours=duration_hours, tz_name=tz_name
        )
        # Local wall clock minus UTC wall clock at the start: the offset in force that day, DST included.
        local_start = window.starts_at.astimezone(zone)
        utc_offset = local_start.replace(tzinfo=None) - window.starts_at.replace(tzinfo=None)
        slots.append(
            ZoneSlot(tz_name=tz_name, utc_offset=utc_offset, window=window, participants=participants)
        )
    slots.sort(key=lambda slot: (slot.window.starts_at, slot.tz_name))
    return slots


def worldwide_span(
    *, date: dt.date | None, start_time: dt.time, duration_hours: int, tz_names: Iterable[str] | None = None
) -> Window:
    """From the first zone's start to the last zone's end, among ``tz_names``.

    With no names (None or empty), or none that is valid, the span runs from Pacific/Kiritimati
    (UTC+14) to Etc/GMT+12 (UTC-12): 24 + 26 = 50 hours for a 24-hour edition. Invalid names are
    skipped, as in ``zone_slots``.
    """
    date = _require_date(date)
    windows = []
    for tz_name in tz_names or ():
        try:
            windows.append(
                participant_window(
                    date=date, start_time=start_time, duration_hours=duration_hours, tz_name=tz_name
                )
            )
        except UnknownTimeZone:
            continue
    if not windows:
        windows = [
            participant_window(date=date, start_time=start_time, duration_hours=duration_hours, tz_name=name)
            for name in (EARLIEST_ZONE, LATEST_ZONE)
        ]
    return Window(
        starts_at=min(window.starts_at for window in windows),
        ends_at=max(window.ends_at for window in windows),
    )


def on_air(*, now: dt.datetime, slots: Iterable[ZoneSlot]) -> list[ZoneSlot]:
    """The slots tweeting at the aware instant ``now``, in the order given."""
    return [slot for slot in slots if slot.window.contains(now)]


def timeline_hours(span: Window) -> list[dt.datetime]:
    """Whole UTC hours from the last one at or before the span's start to the first at or after its end.

    Both ends are included, so the marks bracket the span: 02:30-02:30 the next day gives 26 marks,
    02:00 to 03:00 the next day.
    """
    first = span.starts_at.replace(minute=0, second=0, microsecond=0)
    last = span.ends_at.replace(minute=0, second=0, microsecond=0)
    if last < span.ends_at:
        last += _HOUR
    count = (last - first) // _HOUR + 1
    return [first + index * _HOUR for index in range(count)]
