"""A registrant's own calendar entry and ready post: their hours, in their time zone, for their edition."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from babel.dates import format_date
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from events import calendar, schedule
from poltwt import siteurl
from registrations.models import Registration

X_INTENT = "https://x.com/intent/post"
LIVE_URL = "https://x.com/hashtag/poltwt?f=live"


def registrant_window(registration: Registration) -> schedule.Window | None:
    """When this registrant tweets (their chosen hours in their zone), or None when it cannot be known:
    no date yet, no time zone yet (the address is not located), or hours outside the edition."""
    edition = registration.edition
    if edition.date is None or not registration.time_zone:
        return None
    hours = (registration.hours_from, registration.hours_to) if registration.hours_from is not None else None
    try:
        return schedule.participant_window(
            date=edition.date,
            start_time=edition.start_time,
            duration_hours=edition.duration_hours,
            tz_name=registration.time_zone,
            hours=hours,
        )
    except (schedule.UnknownTimeZone, schedule.HoursOutsideEdition):
        return None


def pin_url(registration: Registration) -> str:
    """The public permalink to the registrant's pin: the map opens on it with its popup."""
    query = urlencode({"edition": registration.edition.ordinal, "p": registration.handle})
    return siteurl.absolute(f"{reverse('pages:map')}?{query}")


def registrant_event(registration: Registration) -> calendar.CalendarEvent | None:
    window = registrant_window(registration)
    if window is None:
        return None
    edition = registration.edition
    rule = _("Your hours: %(hours)s.") % {"hours": hours_label(registration)}
    rule += " " + _("The one rule: put %(hashtag)s in every tweet.") % {"hashtag": edition.hashtag}
    if edition.display_theme:
        rule += " " + _("Theme: %(theme)s %(hashtag)s") % {
            "theme": edition.display_theme,
            "hashtag": edition.theme_hashtag,
        }
    return calendar.CalendarEvent(
        uid=calendar.uid_for("registration", registration.pk, siteurl.site_url()),
        sequence=edition.schedule_sequence,
        starts_at=window.starts_at,
        ends_at=window.ends_at,
        summary=_("#poltwt: @%(handle)s tweets in the %(edition)s")
        % {"handle": registration.handle, "edition": edition.display_title},
        description=rule,
        url=pin_url(registration),
        stamp=edition.updated_at or registration.updated_at,
        tz_name=registration.time_zone,
        cancelled=edition.status == edition.Status.CANCELLED,
    )


@dataclass(frozen=True)
class CalendarLinks:
    ics_url: str
    webcal_url: str  # the same file as a subscription: the calendar fetches it again when it changes
    google_url: str
    outlook_url: str


def calendar_links(registration: Registration, manage_token: str) -> CalendarLinks | None:
    event = registrant_event(registration)
    if event is None:
        return None
    ics_url = siteurl.absolute(reverse("registrations:calendar", args=[manage_token]))
    return CalendarLinks(
        ics_url=ics_url,
        webcal_url=calendar.webcal_url(ics_url),
        google_url=calendar.google_url(event),
        outlook_url=calendar.outlook_url(event),
    )


def hours_label(registration: Registration) -> str:
    """'08:00-20:00 (Pacific/Auckland)', or the edition's own local start when no hours were chosen."""
    edition = registration.edition
    if registration.hours_from is not None:
        hours = f"{registration.hours_from:%H:%M}-{registration.hours_to:%H:%M}"
    else:
        hours = _("from %(start)s for %(hours)d hours") % {
            "start": f"{edition.start_time:%H:%M}",
            "hours": edition.duration_hours,
        }
    return f"{hours} ({registration.time_zone})" if registration.time_zone else hours


def _hashtags(registration: Registration) -> list[str]:
    edition = registration.edition
    tags = ["poltwt"]
    for tag in (edition.theme_hashtag, registration.local_hashtag):
        tag = (tag or "").strip().lstrip("#")
        if tag and tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    return tags


@dataclass(frozen=True)
class ReadyPost:
    text: str  # without the link and hashtags: X's intent adds them
    full_text: str  # for other networks: text, hashtags and link in one
    url: str
    x_intent_url: str


def ready_post(registration: Registration) -> ReadyPost:
    edition = registration.edition
    if edition.date:
        when = _("on %(date)s, %(hours)s") % {
            # "27 Dec 2026", "27 dic 2026", "27 ديسمبر 2026": short enough for a post, in its language.
            "date": format_date(edition.date, "d MMM y", locale=(translation.get_language() or "en")),
            "hours": hours_label(registration),
        }
    else:
        when = _("(date to be announced)")
    if registration.kind == Registration.Kind.OFFICER:
        # An officer speaks for one person: "follow me" (Spanish "Sígame", not "Síganos").
        sentence = _("@%(handle)s takes part in the %(edition)s %(when)s. Follow me and police worldwide:")
    else:
        sentence = _("@%(handle)s takes part in the %(edition)s %(when)s. Follow us and police worldwide:")
    text = sentence % {
        "handle": registration.handle,
        "edition": edition.display_title,
        "when": when,
    }
    url = pin_url(registration)
    tags = _hashtags(registration)
    intent = f"{X_INTENT}?{urlencode({'text': text, 'url': url, 'hashtags': ','.join(tags)})}"
    full_text = f"{text} {' '.join('#' + tag for tag in tags)} {url}"
    return ReadyPost(text=text, full_text=full_text, url=url, x_intent_url=intent)
