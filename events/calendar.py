"""Calendar files (RFC 5545, with the icalendar library) and "add to calendar" web links.

One event per file. Its UID stays the same for the life of the edition (or registration) and its
SEQUENCE is the edition's ``schedule_sequence``, so a calendar that imports a newer file after the
edition moved replaces the event instead of adding a second one.

Times are written in UTC: every calendar shows them on its owner's clock, and the file needs no
VTIMEZONE (icalendar builds those from zoneinfo in 50-150 ms, and only for 1970-2038). The participant's
own zone is named in the description and, for Google, in the link's ``ctz``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import icalendar

PRODID = "-//poltwt//Global Police Tweet-a-thon//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8; method=PUBLISH"
# How often a subscribed calendar should fetch the feed again: REFRESH-INTERVAL (RFC 7986) and its older
# spelling X-PUBLISHED-TTL (Apple, Outlook). A moved edition then reaches subscribers within half a day.
REFRESH_INTERVAL = dt.timedelta(hours=12)


@dataclass(frozen=True)
class CalendarEvent:
    """What one calendar entry says; ``starts_at``/``ends_at`` are aware (UTC) datetimes."""

    uid: str
    sequence: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    description: str
    url: str
    stamp: dt.datetime
    tz_name: str = ""  # the participant's zone, for the links; the file itself is in UTC
    cancelled: bool = False


def uid_for(kind: str, pk: int, site_url: str) -> str:
    """A UID unique worldwide and stable for the object: "edition-5@poltwt.example.org"."""
    host = urlsplit(site_url).hostname or "poltwt.invalid"
    return f"{kind}-{pk}@{host}"


def ics_bytes(event: CalendarEvent) -> bytes:
    """The event as a complete VCALENDAR file (METHOD:PUBLISH)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
    entry = icalendar.Event()
    entry.add("uid", event.uid)
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", event.stamp.astimezone(dt.UTC))
    entry.add("dtstart", event.starts_at.astimezone(dt.UTC))
    entry.add("dtend", event.ends_at.astimezone(dt.UTC))
    entry.add("summary", event.summary)
    entry.add("description", event.description)
    entry.add("url", event.url)
    entry.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    entry.add("transp", "TRANSPARENT")  # a day of tweeting should not block the whole calendar
    calendar.add_component(entry)
    return calendar.to_ical()


def webcal_url(url: str) -> str:
    """The feed's address for subscribing (webcal://...): calendars then fetch it again by themselves."""
    return "webcal://" + url.split("://", 1)[-1]


def _utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def google_url(event: CalendarEvent) -> str:
    query = {
        "action": "TEMPLATE",
        "text": event.summary,
        "dates": f"{_utc_stamp(event.starts_at)}/{_utc_stamp(event.ends_at)}",
        "details": f"{event.description}\n\n{event.url}",
    }
    if event.tz_name:
        query["ctz"] = event.tz_name
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_url(event: CalendarEvent) -> str:
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.summary,
        "startdt": event.starts_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": event.ends_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": f"{event.description}\n\n{event.url}",
    }
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)
