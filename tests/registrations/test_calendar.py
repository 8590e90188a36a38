"""Calendar files: the registrant's own window in their zone, parsed back with icalendar, and the links."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from events.services import edition_update
from registrations import kit, tokens
from registrations.services.review import registration_approve
from tests.factories import EditionFactory, ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def parse_event(ics: bytes) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(ics)
    assert calendar["METHOD"] == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    return event


def utc(event: icalendar.Event, name: str) -> dt.datetime:
    return event.decoded(name).astimezone(UTC)


def ics_of(client, registration) -> bytes:
    token = tokens.make_token(registration, "manage")
    response = client.get(reverse("registrations:calendar", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content


D, T, W = dt.date, dt.time, dt.datetime


@pytest.mark.parametrize(
    ("tz_name", "date", "hours", "start", "end"),
    [
        # Auckland is on daylight time (UTC+13) in December.
        ("Pacific/Auckland", D(2026, 12, 4), None, W(2026, 12, 3, 19), W(2026, 12, 4, 19)),
        ("Pacific/Auckland", D(2026, 12, 4), (T(9), T(17)), W(2026, 12, 3, 20), W(2026, 12, 4, 4)),
        # Kolkata: UTC+05:30, no daylight saving.
        ("Asia/Kolkata", D(2026, 12, 4), None, W(2026, 12, 4, 2, 30), W(2026, 12, 5, 2, 30)),
        ("Asia/Kolkata", D(2026, 12, 4), (T(18), T(23, 30)), W(2026, 12, 4, 12, 30), W(2026, 12, 4, 18)),
        # Los Angeles falls back on 1 November 2026: 08:00 PDT plus 24 real hours is 07:00 PST.
        ("America/Los_Angeles", D(2026, 10, 31), None, W(2026, 10, 31, 15), W(2026, 11, 1, 15)),
        # 22:00 PDT to 02:00, which that night is PST: 5 hours of tweeting, not 4.
        ("America/Los_Angeles", D(2026, 10, 31), (T(22), T(2)), W(2026, 11, 1, 5), W(2026, 11, 1, 10)),
    ],
)
def test_registrant_file_holds_their_own_window(client, tz_name, date, hours, start, end):
    edition = EditionFactory(date=date)
    registration = ParticipantFactory(
        edition=edition,
        time_zone=tz_name,
        hours_from=hours[0] if hours else None,
        hours_to=hours[1] if hours else None,
    )
    event = parse_event(ics_of(client, registration))
    assert utc(event, "DTSTART") == start.replace(tzinfo=UTC)
    assert utc(event, "DTEND") == end.replace(tzinfo=UTC)
    # Their zone is named in the text (the times themselves are UTC, shown on the reader's clock).
    assert f"({tz_name})" in str(event["DESCRIPTION"])
    assert f"@{registration.handle}" in str(event["SUMMARY"])
    assert "#poltwt" in str(event["DESCRIPTION"])


def test_a_moved_edition_keeps_the_uid_and_bumps_the_sequence(client):
    edition = EditionFactory(date=dt.date(2026, 12, 4))
    registration = ParticipantFactory(edition=edition, time_zone="Asia/Kolkata")
    before = parse_event(ics_of(client, registration))
    assert int(before["SEQUENCE"]) == 0

    edition.date = dt.date(2026, 12, 11)
    assert edition_update(edition=edition) is not None
    after = parse_event(ics_of(client, registration))
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == 1
    assert utc(after, "DTSTART") == dt.datetime(2026, 12, 11, 2, 30, tzinfo=UTC)

    edition.theme = "Time to Unify"  # not a schedule change: same revision
    assert edition_update(edition=edition) is None
    assert int(parse_event(ics_of(client, registration))["SEQUENCE"]) == 1


def test_no_file_without_a_date_or_a_time_zone(client):
    tbd = EditionFactory(date=None, status="tbd")
    unlocated = RegistrationFactory(edition=EditionFactory(), time_zone="")
    for registration in (ParticipantFactory(edition=tbd), unlocated):
        token = tokens.make_token(registration, "manage")
        assert client.get(reverse("registrations:calendar", args=[token])).status_code == 404


def test_a_bad_token_is_a_404_page(client):
    response = client.get(reverse("registrations:calendar", args=["not-a-token"]))
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content


def test_approval_email_attaches_the_file_and_links_to_calendars(django_capture_on_commit_callbacks):
    edition = EditionFactory(date=dt.date(2026, 12, 4), theme="Time to Unify", theme_hashtag="#TimeToUnify")
    registration = RegistrationFactory(edition=edition, time_zone="Asia/Kolkata")
    with django_capture_on_commit_callbacks(execute=True):
        registration_approve(registration=registration, actor=get_user_model().objects.create(username="r"))
    [message] = mail.outbox
    [attachment] = [part for part in message.message().walk() if part.get_content_type() == "text/calendar"]
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename() == f"poltwt-{edition.ordinal}.ics"
    event = parse_event(attachment.get_payload(decode=True))
    assert utc(event, "DTSTART") == dt.datetime(2026, 12, 4, 2, 30, tzinfo=UTC)

    text = message.body
    google = next(line for line in text.splitlines() if "calendar.google.com" in line).split()[-1]
    query = parse_qs(urlsplit(google).query)
    assert query["dates"] == ["20261204T023000Z/20261205T023000Z"]
    assert query["ctz"] == ["Asia/Kolkata"]
    outlook = next(line for line in text.splitlines() if "outlook.live.com" in line).split()[-1]
    assert parse_qs(urlsplit(outlook).query)["startdt"] == ["2026-12-04T02:30:00Z"]
    # The ready post: X's intent with the hashtags, the participant's hours and their pin.
    intent = next(line for line in text.splitlines() if "x.com/intent/post" in line).split()[-1]
    post = parse_qs(urlsplit(intent).query)
    assert post["hashtags"] == ["poltwt,TimeToUnify"]
    assert "(Asia/Kolkata)" in post["text"][0]
    assert post["url"][0].endswith(
        f"{reverse('pages:map')}?edition={edition.ordinal}&p={registration.handle}"
    )
    # No dead end: the next steps.
    assert "NEXT STEPS" in text and "See yourself on the map" in text


def test_edition_file_spans_the_world_and_a_tbd_edition_has_none(client):
    edition = EditionFactory(date=dt.date(2026, 12, 4))
    response = client.get(reverse("pages:edition_ics", args=[edition.ordinal]))
    event = parse_event(response.content)
    # 08:00 at UTC+14 to 08:00 + 24 h at UTC-12: 50 hours.
    assert utc(event, "DTSTART") == dt.datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    assert utc(event, "DTEND") == dt.datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
    assert str(event["UID"]) == f"edition-{edition.pk}@testserver"

    tbd = EditionFactory(date=None, status="tbd")
    assert client.get(reverse("pages:edition_ics", args=[tbd.ordinal])).status_code == 404
    assert client.get(reverse("pages:edition_ics", args=[999])).status_code == 404


def test_manage_page_offers_calendar_and_post_but_not_after_rejection(client):
    edition = EditionFactory(date=dt.date(2026, 12, 4))
    registration = ParticipantFactory(edition=edition, time_zone="Asia/Kolkata")
    token = tokens.make_token(registration, "manage")
    page = client.get(reverse("registrations:manage", args=[token])).content.decode()
    assert reverse("registrations:calendar", args=[token]) in page
    assert re.search(r'<a [^>]*href="https://x\.com/intent/post\?[^"]+"[^>]*id="post-on-x"', page)
    assert "from 08:00 for 24 hours (Asia/Kolkata)" in page
    registration.status = "rejected"
    registration.save()
    page = client.get(reverse("registrations:manage", args=[token])).content.decode()
    assert "post-on-x" not in page


def test_the_ready_post_carries_the_local_hashtag():
    edition = EditionFactory(date=dt.date(2026, 12, 4), theme_hashtag="#TimeToUnify")
    registration = ParticipantFactory(edition=edition, local_hashtag="#PaloAltoProud")
    post = kit.ready_post(registration)
    assert parse_qs(urlsplit(post.x_intent_url).query)["hashtags"] == ["poltwt,TimeToUnify,PaloAltoProud"]
    assert "#poltwt #TimeToUnify #PaloAltoProud http" in post.full_text
