"""Calendar subscriptions: webcal links to the edition's feed and to each registrant's own, refreshed by the
calendar itself, and a moved edition that moves the subscribed entry (same UID, higher SEQUENCE)."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from events.models import Edition
from events.services import edition_update
from registrations import tokens
from tests.factories import EditionFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def feed(client, url: str) -> tuple[icalendar.Calendar, icalendar.Event]:
    response = client.get(url)
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


@pytest.fixture
def open_edition():
    now = timezone.now()
    return EditionFactory(
        ordinal=7,
        date=(now + dt.timedelta(days=30)).date(),
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=20),
    )


def test_the_home_page_offers_a_webcal_subscription_to_the_editions_feed(client, open_edition):
    html = client.get(reverse("pages:home")).content.decode()
    path = reverse("pages:edition_ics", args=[open_edition.ordinal])
    assert re.search(rf'href="webcal://testserver{re.escape(path)}"[^>]*id="edition-webcal"', html)
    calendar, _event = feed(client, path)
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(hours=12)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert b"X-PUBLISHED-TTL:PT12H" in client.get(path).content


def test_a_moved_edition_feed_carries_the_new_date_under_the_same_uid_with_a_higher_sequence(client):
    edition = EditionFactory(ordinal=5, date=dt.date(2027, 6, 5))
    url = reverse("pages:edition_ics", args=[edition.ordinal])
    _calendar, before = feed(client, url)
    assert before.decoded("DTSTART").astimezone(UTC).date() == dt.date(2027, 6, 4)  # 08:00 at UTC+14

    edition.date = dt.date(2027, 8, 20)
    edition.status = Edition.Status.RESCHEDULED
    assert edition_update(edition=edition) is not None
    cache.clear()  # what a calendar fetching again after REFRESH-INTERVAL sees, whatever HTTP caches kept
    _calendar, after = feed(client, url)
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART").astimezone(UTC) == dt.datetime(2027, 8, 19, 18, 0, tzinfo=UTC)
    assert str(after["STATUS"]) == "CONFIRMED"


def test_each_registrant_subscribes_to_their_own_feed_which_moves_with_the_edition(client):
    edition = EditionFactory(date=dt.date(2027, 3, 22))
    registration = ParticipantFactory(edition=edition, time_zone="Asia/Kolkata")
    token = tokens.make_token(registration, "manage")
    page = client.get(reverse("registrations:manage", args=[token])).content.decode()
    path = reverse("registrations:calendar", args=[token])
    assert re.search(rf'href="webcal://testserver{re.escape(path)}"[^>]*id="calendar-webcal"', page)
    calendar, before = feed(client, path)
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(hours=12)

    edition.date = dt.date(2027, 4, 2)
    edition_update(edition=edition)
    _calendar, after = feed(client, path)
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART").astimezone(UTC) == dt.datetime(2027, 4, 2, 2, 30, tzinfo=UTC)
