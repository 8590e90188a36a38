"""The follow-the-sun schedule (events/schedule.py): pure functions, no database.

Every expected instant is written out by hand: local clock time minus the zone's UTC offset on that
day. The 2026 DST dates come from the rules (US: 2nd Sunday of March / 1st Sunday of November at
02:00 local; EU: last Sunday of March / October at 01:00 UTC; New Zealand: NZDT +13 from the last
Sunday of September) and were checked against `zdump -v -c 2026,2027 <zone>`, not against zoneinfo.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from events.schedule import (
    HoursOutsideEdition,
    NoDate,
    UnknownTimeZone,
    Window,
    ZoneSlot,
    on_air,
    participant_window,
    timeline_hours,
    worldwide_span,
    zone_slots,
)

EIGHT = dt.time(8, 0)
# A December edition: no DST change anywhere in the northern hemisphere, NZ on summer time.
DECEMBER = dt.date(2026, 12, 4)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def window(tz_name: str, date: dt.date, *, start_time: dt.time = EIGHT, duration_hours: int = 24) -> Window:
    return participant_window(
        date=date, start_time=start_time, duration_hours=duration_hours, tz_name=tz_name
    )


def hours_window(
    tz_name: str, date: dt.date, hours: tuple[dt.time, dt.time], duration_hours: int = 24
) -> Window:
    return participant_window(
        date=date, start_time=EIGHT, duration_hours=duration_hours, tz_name=tz_name, hours=hours
    )


class TestWindow:
    def test_contains_is_half_open(self) -> None:
        span = Window(starts_at=utc(2026, 12, 4, 7), ends_at=utc(2026, 12, 5, 7))
        assert not span.contains(utc(2026, 12, 4, 6, 59, 59))
        assert span.contains(utc(2026, 12, 4, 7))
        assert span.contains(utc(2026, 12, 5, 6, 59, 59))
        assert not span.contains(utc(2026, 12, 5, 7))

    def test_contains_compares_instants_across_zones(self) -> None:
        span = Window(starts_at=utc(2026, 12, 4, 7), ends_at=utc(2026, 12, 5, 7))
        # 07:59 in Berlin (CET, +1) is 06:59 UTC, before the start despite the later wall clock.
        assert not span.contains(dt.datetime(2026, 12, 4, 7, 59, tzinfo=ZoneInfo("Europe/Berlin")))
        assert span.contains(dt.datetime(2026, 12, 4, 8, 0, tzinfo=ZoneInfo("Europe/Berlin")))

    def test_duration(self) -> None:
        span = Window(starts_at=utc(2026, 12, 3, 18), ends_at=utc(2026, 12, 5, 20, 30))
        assert span.duration == dt.timedelta(hours=50, minutes=30)

    @pytest.mark.parametrize(
        "starts_at",
        [
            dt.datetime(2026, 12, 4, 7),  # naive
            dt.datetime(2026, 12, 4, 7, tzinfo=ZoneInfo("Europe/Berlin")),
            dt.datetime(2026, 12, 4, 7, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        ],
    )
    def test_rejects_datetimes_not_in_utc(self, starts_at: dt.datetime) -> None:
        with pytest.raises(ValueError, match="UTC"):
            Window(starts_at=starts_at, ends_at=utc(2026, 12, 5, 7))

    @pytest.mark.parametrize("ends_at", [utc(2026, 12, 4, 7), utc(2026, 12, 4, 6)])
    def test_rejects_empty_or_reversed(self, ends_at: dt.datetime) -> None:
        with pytest.raises(ValueError, match="end after it starts"):
            Window(starts_at=utc(2026, 12, 4, 7), ends_at=ends_at)


class TestParticipantWindowAcrossTheDateLine:
    def test_auckland_starts_the_previous_utc_day(self) -> None:
        # NZDT is UTC+13 in December: 2026-12-04 08:00 - 13 h = 2026-12-03 19:00 UTC.
        assert window("Pacific/Auckland", DECEMBER) == Window(
            starts_at=utc(2026, 12, 3, 19), ends_at=utc(2026, 12, 4, 19)
        )

    def test_kiritimati_starts_25_hours_before_pago_pago(self) -> None:
        # Kiritimati is UTC+14: 08:00 - 14 h = 18:00 UTC the day before.
        kiritimati = window("Pacific/Kiritimati", DECEMBER)
        assert kiritimati.starts_at == utc(2026, 12, 3, 18)
        # Pago Pago is UTC-11 (no DST): 08:00 + 11 h = 19:00 UTC the same day.
        pago_pago = window("Pacific/Pago_Pago", DECEMBER)
        assert pago_pago.starts_at == utc(2026, 12, 4, 19)
        assert pago_pago.starts_at - kiritimati.starts_at == dt.timedelta(hours=25)


class TestParticipantWindowUsDst:
    def test_fall_back_day_starts_after_the_change(self) -> None:
        # 2026-11-01 is the 1st Sunday of November; at 08:00 the 02:00 change has happened, so PST
        # (UTC-8): 08:00 + 8 h = 16:00 UTC, and 24 elapsed hours later is 2026-11-02 16:00 UTC.
        span = window("America/Los_Angeles", dt.date(2026, 11, 1))
        assert span == Window(starts_at=utc(2026, 11, 1, 16), ends_at=utc(2026, 11, 2, 16))
        # ... which is 08:00 PST again: no change inside this window.
        assert span.ends_at.astimezone(ZoneInfo("America/Los_Angeles")).time() == dt.time(8, 0)

    def test_day_before_fall_back_ends_at_seven_local(self) -> None:
        # 2026-10-31 08:00 PDT (UTC-7) = 15:00 UTC; 24 elapsed hours = 2026-11-01 15:00 UTC, after the
        # fall back, so 15:00 - 8 h = 07:00 PST: the local end clock is an hour earlier than the start.
        span = window("America/Los_Angeles", dt.date(2026, 10, 31))
        assert span == Window(starts_at=utc(2026, 10, 31, 15), ends_at=utc(2026, 11, 1, 15))
        assert span.ends_at.astimezone(ZoneInfo("America/Los_Angeles")).replace(tzinfo=None) == dt.datetime(
            2026, 11, 1, 7, 0
        )

    def test_spring_forward_day(self) -> None:
        # 2026-03-08 is the 2nd Sunday of March; by 08:00 it is PDT (UTC-7): 15:00 UTC to 15:00 UTC.
        assert window("America/Los_Angeles", dt.date(2026, 3, 8)) == Window(
            starts_at=utc(2026, 3, 8, 15), ends_at=utc(2026, 3, 9, 15)
        )

    def test_day_before_spring_forward_ends_at_nine_local(self) -> None:
        # 2026-03-07 08:00 PST (UTC-8) = 16:00 UTC; +24 h = 2026-03-08 16:00 UTC = 09:00 PDT.
        span = window("America/Los_Angeles", dt.date(2026, 3, 7))
        assert span == Window(starts_at=utc(2026, 3, 7, 16), ends_at=utc(2026, 3, 8, 16))
        assert span.ends_at.astimezone(ZoneInfo("America/Los_Angeles")).time() == dt.time(9, 0)

    def test_start_in_the_spring_forward_gap_uses_the_offset_before_the_change(self) -> None:
        # 02:30 does not exist on 2026-03-08 (02:00 PST jumps to 03:00 PDT). fold=0 reads it with the
        # earlier offset, PST (UTC-8): 02:30 + 8 h = 10:30 UTC.
        span = window("America/Los_Angeles", dt.date(2026, 3, 8), start_time=dt.time(2, 30))
        assert span.starts_at == utc(2026, 3, 8, 10, 30)

    def test_ambiguous_start_means_the_first_occurrence(self) -> None:
        # 01:30 happens twice on 2026-11-01; fold=0 picks the first, PDT (UTC-7): 01:30 + 7 h = 08:30 UTC
        # (the second, PST, would be 09:30 UTC).
        span = window("America/Los_Angeles", dt.date(2026, 11, 1), start_time=dt.time(1, 30))
        assert span.starts_at == utc(2026, 11, 1, 8, 30)

    def test_fold_of_the_given_time_is_ignored(self) -> None:
        # Same as above with a fold=1 time: the rule is fold=0 whatever the caller passes.
        span = window("America/Los_Angeles", dt.date(2026, 11, 1), start_time=dt.time(1, 30, fold=1))
        assert span.starts_at == utc(2026, 11, 1, 8, 30)


class TestParticipantWindowFractionalOffsets:
    def test_kolkata_half_hour(self) -> None:
        # IST is UTC+05:30: 08:00 - 5:30 = 02:30 UTC.
        assert window("Asia/Kolkata", DECEMBER) == Window(
            starts_at=utc(2026, 12, 4, 2, 30), ends_at=utc(2026, 12, 5, 2, 30)
        )

    def test_kathmandu_quarter_hour(self) -> None:
        # NPT is UTC+05:45: 08:00 - 5:45 = 02:15 UTC.
        assert window("Asia/Kathmandu", DECEMBER) == Window(
            starts_at=utc(2026, 12, 4, 2, 15), ends_at=utc(2026, 12, 5, 2, 15)
        )


class TestParticipantWindowEuropeanDst:
    # EU clocks change at 01:00 UTC on 2026-03-29 (forward) and 2026-10-25 (back).
    @pytest.mark.parametrize(
        ("tz_name", "date", "starts_at"),
        [
            # London: BST (UTC+1) on the spring day, GMT (UTC+0) on the autumn day.
            ("Europe/London", dt.date(2026, 3, 29), utc(2026, 3, 29, 7)),
            ("Europe/London", dt.date(2026, 10, 25), utc(2026, 10, 25, 8)),
            # Berlin: CEST (UTC+2) on the spring day, CET (UTC+1) on the autumn day.
            ("Europe/Berlin", dt.date(2026, 3, 29), utc(2026, 3, 29, 6)),
            ("Europe/Berlin", dt.date(2026, 10, 25), utc(2026, 10, 25, 7)),
        ],
    )
    def test_dst_day_starts_at_eight_in_the_new_offset(
        self, tz_name: str, date: dt.date, starts_at: dt.datetime
    ) -> None:
        span = window(tz_name, date)
        assert span.starts_at == starts_at
        assert span.ends_at == starts_at + dt.timedelta(hours=24)

    @pytest.mark.parametrize(
        ("tz_name", "date", "ends_at", "local_end"),
        [
            # 2026-03-28 08:00 GMT = 08:00 UTC; +24 h = 03-29 08:00 UTC = 09:00 BST.
            ("Europe/London", dt.date(2026, 3, 28), utc(2026, 3, 29, 8), dt.time(9, 0)),
            # 2026-10-24 08:00 BST = 07:00 UTC; +24 h = 10-25 07:00 UTC = 07:00 GMT.
            ("Europe/London", dt.date(2026, 10, 24), utc(2026, 10, 25, 7), dt.time(7, 0)),
            # 2026-03-28 08:00 CET = 07:00 UTC; +24 h = 03-29 07:00 UTC = 09:00 CEST.
            ("Europe/Berlin", dt.date(2026, 3, 28), utc(2026, 3, 29, 7), dt.time(9, 0)),
            # 2026-10-24 08:00 CEST = 06:00 UTC; +24 h = 10-25 06:00 UTC = 07:00 CET.
            ("Europe/Berlin", dt.date(2026, 10, 24), utc(2026, 10, 25, 6), dt.time(7, 0)),
        ],
    )
    def test_day_before_the_change_lasts_24_elapsed_hours(
        self, tz_name: str, date: dt.date, ends_at: dt.datetime, local_end: dt.time
    ) -> None:
        span = window(tz_name, date)
        assert span.ends_at == ends_at
        assert span.duration == dt.timedelta(hours=24)
        assert span.ends_at.astimezone(ZoneInfo(tz_name)).time() == local_end

    def test_berlin_gap_and_london_repeat(self) -> None:
        # Berlin 2026-03-29 02:30 does not exist; fold=0 reads it as CET (UTC+1) = 01:30 UTC.
        assert window("Europe/Berlin", dt.date(2026, 3, 29), start_time=dt.time(2, 30)).starts_at == utc(
            2026, 3, 29, 1, 30
        )
        # London 2026-10-25 01:30 happens twice; fold=0 is the first, BST (UTC+1) = 00:30 UTC.
        assert window("Europe/London", dt.date(2026, 10, 25), start_time=dt.time(1, 30)).starts_at == utc(
            2026, 10, 25, 0, 30
        )

    def test_other_start_time_and_duration(self) -> None:
        # 09:15 CET (UTC+1) = 08:15 UTC; 12 hours later = 20:15 UTC.
        span = participant_window(
            date=DECEMBER, start_time=dt.time(9, 15), duration_hours=12, tz_name="Europe/Berlin"
        )
        assert span == Window(starts_at=utc(2026, 12, 4, 8, 15), ends_at=utc(2026, 12, 4, 20, 15))


class TestChosenHours:
    # Berlin in December is CET (UTC+1): the edition runs 2026-12-04 07:00 to 12-05 07:00 UTC.
    BERLIN = "Europe/Berlin"

    def test_hours_inside_the_window(self) -> None:
        # 10:00-14:00 CET = 09:00-13:00 UTC on the edition's day.
        assert hours_window(self.BERLIN, DECEMBER, (dt.time(10), dt.time(14))) == Window(
            starts_at=utc(2026, 12, 4, 9), ends_at=utc(2026, 12, 4, 13)
        )

    def test_hours_from_the_start_time_itself(self) -> None:
        # "At or after" the local start: 08:00 counts on the first day, 08:00-12:00 CET = 07:00-11:00 UTC.
        assert hours_window(self.BERLIN, DECEMBER, (dt.time(8), dt.time(12))) == Window(
            starts_at=utc(2026, 12, 4, 7), ends_at=utc(2026, 12, 4, 11)
        )

    def test_hours_crossing_midnight(self) -> None:
        # 22:00 CET on the 4th = 21:00 UTC, until 02:00 CET on the 5th = 01:00 UTC.
        assert hours_window(self.BERLIN, DECEMBER, (dt.time(22), dt.time(2))) == Window(
            starts_at=utc(2026, 12, 4, 21), ends_at=utc(2026, 12, 5, 1)
        )

    def test_hours_before_the_start_move_to_the_next_morning_and_are_clipped(self) -> None:
        # 06:00 is before the 08:00 start, so the first 06:00 is on the 5th (05:00 UTC); the 10:00 end
        # (09:00 UTC) is cut at the edition's end, 08:00 CET = 07:00 UTC.
        assert hours_window(self.BERLIN, DECEMBER, (dt.time(6), dt.time(10))) == Window(
            starts_at=utc(2026, 12, 5, 5), ends_at=utc(2026, 12, 5, 7)
        )

    def test_hours_running_past_the_end_are_clipped(self) -> None:
        # 20:00 CET (19:00 UTC) until the next 10:00 (12-05 09:00 UTC), cut at 07:00 UTC.
        assert hours_window(self.BERLIN, DECEMBER, (dt.time(20), dt.time(10))) == Window(
            starts_at=utc(2026, 12, 4, 19), ends_at=utc(2026, 12, 5, 7)
        )

    def test_equal_from_and_to_mean_a_whole_day(self) -> None:
        # 20:00-20:00 runs to the next day's 20:00, so only the edition's end (07:00 UTC) stops it.
        assert hours_window(self.BERLIN, DECEMBER, (dt.time(20), dt.time(20))) == Window(
            starts_at=utc(2026, 12, 4, 19), ends_at=utc(2026, 12, 5, 7)
        )

    def test_hours_after_a_short_edition_are_an_error(self) -> None:
        # A 4-hour edition runs 08:00-12:00 CET; 20:00 is after its end.
        with pytest.raises(HoursOutsideEdition, match=r"20:00-22:00 \(Europe/Berlin\)"):
            hours_window(self.BERLIN, DECEMBER, (dt.time(20), dt.time(22)), duration_hours=4)

    def test_hours_starting_exactly_at_the_end_are_an_error(self) -> None:
        # The window is half-open: 12:00 CET is the 4-hour edition's end, not part of it.
        with pytest.raises(HoursOutsideEdition):
            hours_window(self.BERLIN, DECEMBER, (dt.time(12), dt.time(14)), duration_hours=4)

    def test_hours_lost_to_the_fall_back_are_an_error(self) -> None:
        # The edition of 2026-10-31 in Los Angeles ends 2026-11-01 07:00 PST (see the DST tests), so
        # the next 07:30 after the start (11-01 07:30 PST = 15:30 UTC) is after the 15:00 UTC end.
        with pytest.raises(HoursOutsideEdition) as excinfo:
            hours_window("America/Los_Angeles", dt.date(2026, 10, 31), (dt.time(7, 30), dt.time(9)))
        assert excinfo.value.tz_name == "America/Los_Angeles"
        assert isinstance(excinfo.value, ValueError)

    def test_hours_across_the_fall_back_last_an_extra_hour(self) -> None:
        # 00:30-03:00 on 2026-11-01 in Los Angeles: 00:30 PDT = 07:30 UTC, 03:00 PST = 11:00 UTC,
        # 3 h 30 min elapsed for 2 h 30 min of wall clock.
        span = hours_window("America/Los_Angeles", dt.date(2026, 10, 31), (dt.time(0, 30), dt.time(3)))
        assert span == Window(starts_at=utc(2026, 11, 1, 7, 30), ends_at=utc(2026, 11, 1, 11))

    def test_hours_from_inside_the_spring_forward_gap(self) -> None:
        # Edition 2026-03-07 08:00 PST. The first 02:30 after it is 03-08 02:30, which does not exist;
        # fold=0 reads it as PST (UTC-8) = 10:30 UTC. 04:00 PDT (UTC-7) = 11:00 UTC.
        span = hours_window("America/Los_Angeles", dt.date(2026, 3, 7), (dt.time(2, 30), dt.time(4)))
        assert span == Window(starts_at=utc(2026, 3, 8, 10, 30), ends_at=utc(2026, 3, 8, 11))

    def test_hours_straddling_the_start_keep_the_later_piece(self) -> None:
        # 07:00-09:00 CET around an 08:00 start: the first 07:00 at or after the start is on the 5th
        # (06:00 UTC), and the edition ends at 07:00 UTC; 08:00-09:00 on the 4th is not counted.
        assert hours_window(self.BERLIN, DECEMBER, (dt.time(7), dt.time(9))) == Window(
            starts_at=utc(2026, 12, 5, 6), ends_at=utc(2026, 12, 5, 7)
        )


class TestErrors:
    def test_no_date(self) -> None:
        with pytest.raises(NoDate):
            participant_window(date=None, start_time=EIGHT, duration_hours=24, tz_name="Europe/Berlin")

    def test_no_date_in_zone_slots_even_without_zones(self) -> None:
        with pytest.raises(NoDate):
            zone_slots(date=None, start_time=EIGHT, duration_hours=24, zone_counts={})

    def test_no_date_in_worldwide_span(self) -> None:
        with pytest.raises(NoDate):
            worldwide_span(date=None, start_time=EIGHT, duration_hours=24)

    def test_no_date_is_a_value_error(self) -> None:
        assert issubclass(NoDate, ValueError)
        assert issubclass(UnknownTimeZone, ValueError)

    @pytest.mark.parametrize(
        "tz_name",
        ["Not/AZone", "europe/berlin", "", "America", "../etc/passwd", "/etc/localtime", "zone.tab"],
    )
    def test_unknown_time_zone(self, tz_name: str) -> None:
        with pytest.raises(UnknownTimeZone) as excinfo:
            window(tz_name, DECEMBER)
        assert excinfo.value.tz_name == tz_name

    def test_unknown_time_zone_message_names_the_zone(self) -> None:
        with pytest.raises(UnknownTimeZone, match="Mars/Olympus_Mons"):
            window("Mars/Olympus_Mons", DECEMBER)

    @pytest.mark.parametrize("duration_hours", [0, -1])
    def test_duration_must_be_positive(self, duration_hours: int) -> None:
        with pytest.raises(ValueError, match="at least 1"):
            window("Europe/Berlin", DECEMBER, duration_hours=duration_hours)


class TestZoneSlots:
    def test_ordered_by_start_with_offsets_and_counts(self) -> None:
        slots = zone_slots(
            date=DECEMBER,
            start_time=EIGHT,
            duration_hours=24,
            zone_counts={
                "America/Los_Angeles": 3,
                "Europe/Berlin": 4,
                "Pacific/Kiritimati": 1,
                "Asia/Kolkata": 5,
            },
        )
        # Starts: Kiritimati 12-03 18:00 UTC (+14), Kolkata 02:30 (+5:30), Berlin 07:00 (+1),
        # Los Angeles 16:00 (-8).
        assert slots == [
            ZoneSlot(
                tz_name="Pacific/Kiritimati",
                utc_offset=dt.timedelta(hours=14),
                window=Window(starts_at=utc(2026, 12, 3, 18), ends_at=utc(2026, 12, 4, 18)),
                participants=1,
            ),
            ZoneSlot(
                tz_name="Asia/Kolkata",
                utc_offset=dt.timedelta(hours=5, minutes=30),
                window=Window(starts_at=utc(2026, 12, 4, 2, 30), ends_at=utc(2026, 12, 5, 2, 30)),
                participants=5,
            ),
            ZoneSlot(
                tz_name="Europe/Berlin",
                utc_offset=dt.timedelta(hours=1),
                window=Window(starts_at=utc(2026, 12, 4, 7), ends_at=utc(2026, 12, 5, 7)),
                participants=4,
            ),
            ZoneSlot(
                tz_name="America/Los_Angeles",
                utc_offset=dt.timedelta(hours=-8),
                window=Window(starts_at=utc(2026, 12, 4, 16), ends_at=utc(2026, 12, 5, 16)),
                participants=3,
            ),
        ]

    def test_invalid_zone_names_are_skipped(self) -> None:
        slots = zone_slots(
            date=DECEMBER,
            start_time=EIGHT,
            duration_hours=24,
            zone_counts={"Not/AZone": 2, "": 7, "Asia/Kathmandu": 6, "../etc/passwd": 1},
        )
        assert [(slot.tz_name, slot.participants) for slot in slots] == [("Asia/Kathmandu", 6)]
        assert slots[0].utc_offset == dt.timedelta(hours=5, minutes=45)

    def test_same_start_is_ordered_by_name(self) -> None:
        # Paris and Berlin are both CET: same start, so the name decides.
        slots = zone_slots(
            date=DECEMBER,
            start_time=EIGHT,
            duration_hours=24,
            zone_counts={"Europe/Paris": 1, "Europe/Berlin": 2},
        )
        assert [slot.tz_name for slot in slots] == ["Europe/Berlin", "Europe/Paris"]

    def test_offset_is_the_one_in_force_on_the_edition_day(self) -> None:
        # On 2026-10-31 London is already on GMT (+0, it changed on 10-25) while Los Angeles is still
        # on PDT (-7, it changes on 11-01): 08:00 UTC and 15:00 UTC.
        slots = zone_slots(
            date=dt.date(2026, 10, 31),
            start_time=EIGHT,
            duration_hours=24,
            zone_counts={"America/Los_Angeles": 1, "Europe/London": 1},
        )
        assert [(slot.tz_name, slot.utc_offset) for slot in slots] == [
            ("Europe/London", dt.timedelta(0)),
            ("America/Los_Angeles", dt.timedelta(hours=-7)),
        ]

    def test_empty(self) -> None:
        assert zone_slots(date=DECEMBER, start_time=EIGHT, duration_hours=24, zone_counts={}) == []


class TestWorldwideSpan:
    # Default extremes: Kiritimati (UTC+14) starts 12-03 18:00 UTC; Etc/GMT+12 (UTC-12) starts 12-04
    # 20:00 UTC and ends 24 h later, 12-05 20:00 UTC: 50 hours in all.
    WORLD = Window(starts_at=utc(2026, 12, 3, 18), ends_at=utc(2026, 12, 5, 20))

    @pytest.mark.parametrize("tz_names", [None, [], ()])
    def test_without_zones_spans_the_world(self, tz_names: list[str] | tuple[str, ...] | None) -> None:
        span = worldwide_span(date=DECEMBER, start_time=EIGHT, duration_hours=24, tz_names=tz_names)
        assert span == self.WORLD
        assert span.duration == dt.timedelta(hours=50)

    def test_default_argument_spans_the_world(self) -> None:
        assert worldwide_span(date=DECEMBER, start_time=EIGHT, duration_hours=24) == self.WORLD

    def test_with_zones(self) -> None:
        # Earliest start Kolkata 02:30 UTC; latest end Los Angeles 12-05 16:00 UTC.
        span = worldwide_span(
            date=DECEMBER,
            start_time=EIGHT,
            duration_hours=24,
            tz_names=["Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata"],
        )
        assert span == Window(starts_at=utc(2026, 12, 4, 2, 30), ends_at=utc(2026, 12, 5, 16))

    def test_with_a_generator_and_an_invalid_name(self) -> None:
        span = worldwide_span(
            date=DECEMBER,
            start_time=EIGHT,
            duration_hours=24,
            tz_names=(name for name in ["Not/AZone", "Pacific/Auckland", "Pacific/Pago_Pago"]),
        )
        # Auckland starts 12-03 19:00 UTC; Pago Pago (UTC-11) ends 12-05 19:00 UTC.
        assert span == Window(starts_at=utc(2026, 12, 3, 19), ends_at=utc(2026, 12, 5, 19))

    def test_only_invalid_names_fall_back_to_the_world(self) -> None:
        span = worldwide_span(date=DECEMBER, start_time=EIGHT, duration_hours=24, tz_names=["Not/AZone", ""])
        assert span == self.WORLD

    def test_single_zone_is_its_own_window(self) -> None:
        span = worldwide_span(date=DECEMBER, start_time=EIGHT, duration_hours=24, tz_names=["Asia/Kathmandu"])
        assert span == Window(starts_at=utc(2026, 12, 4, 2, 15), ends_at=utc(2026, 12, 5, 2, 15))


class TestOnAir:
    # Slots written out by hand for 2026-12-04 (see TestZoneSlots for the arithmetic).
    KIRITIMATI = ZoneSlot(
        tz_name="Pacific/Kiritimati",
        utc_offset=dt.timedelta(hours=14),
        window=Window(starts_at=utc(2026, 12, 3, 18), ends_at=utc(2026, 12, 4, 18)),
        participants=1,
    )
    BERLIN = ZoneSlot(
        tz_name="Europe/Berlin",
        utc_offset=dt.timedelta(hours=1),
        window=Window(starts_at=utc(2026, 12, 4, 7), ends_at=utc(2026, 12, 5, 7)),
        participants=4,
    )
    LOS_ANGELES = ZoneSlot(
        tz_name="America/Los_Angeles",
        utc_offset=dt.timedelta(hours=-8),
        window=Window(starts_at=utc(2026, 12, 4, 16), ends_at=utc(2026, 12, 5, 16)),
        participants=3,
    )
    SLOTS = (KIRITIMATI, BERLIN, LOS_ANGELES)

    @pytest.mark.parametrize(
        ("now", "expected"),
        [
            (utc(2026, 12, 3, 17, 59, 59), []),  # before the first start
            (utc(2026, 12, 3, 18), ["Pacific/Kiritimati"]),  # exactly at the start
            (utc(2026, 12, 4, 7), ["Pacific/Kiritimati", "Europe/Berlin"]),
            (utc(2026, 12, 4, 17, 59, 59), ["Pacific/Kiritimati", "Europe/Berlin", "America/Los_Angeles"]),
            (utc(2026, 12, 4, 18), ["Europe/Berlin", "America/Los_Angeles"]),  # Kiritimati's end excluded
            (utc(2026, 12, 5, 15, 59, 59), ["America/Los_Angeles"]),
            (utc(2026, 12, 5, 16), []),  # the last end is excluded
        ],
    )
    def test_instants(self, now: dt.datetime, expected: list[str]) -> None:
        assert [slot.tz_name for slot in on_air(now=now, slots=self.SLOTS)] == expected

    def test_now_in_another_zone(self) -> None:
        # 08:00 in Berlin (CET) is 07:00 UTC: Berlin has just started, Kiritimati is still on.
        now = dt.datetime(2026, 12, 4, 8, tzinfo=ZoneInfo("Europe/Berlin"))
        assert on_air(now=now, slots=self.SLOTS) == [self.KIRITIMATI, self.BERLIN]

    def test_keeps_the_given_order_and_accepts_an_iterator(self) -> None:
        now = utc(2026, 12, 4, 17)
        assert on_air(now=now, slots=iter(reversed(self.SLOTS))) == [
            self.LOS_ANGELES,
            self.BERLIN,
            self.KIRITIMATI,
        ]


class TestTimelineHours:
    def test_whole_hour_span_includes_both_ends(self) -> None:
        marks = timeline_hours(Window(starts_at=utc(2026, 12, 3, 18), ends_at=utc(2026, 12, 5, 20)))
        # 18:00 on the 3rd to 20:00 on the 5th: 50 hours, so 51 marks.
        assert len(marks) == 51
        assert marks[0] == utc(2026, 12, 3, 18)
        assert marks[1] == utc(2026, 12, 3, 19)
        assert marks[6] == utc(2026, 12, 4, 0)
        assert marks[-1] == utc(2026, 12, 5, 20)
        assert all(later - earlier == dt.timedelta(hours=1) for earlier, later in itertools.pairwise(marks))

    def test_half_hour_span_is_bracketed(self) -> None:
        # Kolkata's 02:30-02:30 UTC: marks from 02:00 to 03:00 the next day, 26 of them.
        marks = timeline_hours(Window(starts_at=utc(2026, 12, 4, 2, 30), ends_at=utc(2026, 12, 5, 2, 30)))
        assert marks[0] == utc(2026, 12, 4, 2)
        assert marks[-1] == utc(2026, 12, 5, 3)
        assert len(marks) == 26

    def test_seconds_are_rounded_outwards(self) -> None:
        marks = timeline_hours(Window(starts_at=utc(2026, 12, 4, 2, 0, 1), ends_at=utc(2026, 12, 4, 4, 0, 1)))
        assert marks == [utc(2026, 12, 4, 2), utc(2026, 12, 4, 3), utc(2026, 12, 4, 4), utc(2026, 12, 4, 5)]

    def test_marks_are_utc(self) -> None:
        marks = timeline_hours(Window(starts_at=utc(2026, 12, 4, 2, 15), ends_at=utc(2026, 12, 4, 3)))
        assert marks == [utc(2026, 12, 4, 2), utc(2026, 12, 4, 3)]
        assert all(mark.tzinfo is dt.UTC for mark in marks)
