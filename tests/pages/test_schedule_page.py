"""The /schedule/ page, the home page's worldwide span, and poltwt's own counts on /editions/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Edition, Figure
from pages.selectors.editions import edition_schedule
from registrations.models import Registration
from tests.factories import EditionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def located(edition, tz: str, **fields) -> Registration:
    return RegistrationFactory(
        edition=edition,
        status="approved",
        latitude=1.0,
        longitude=1.0,
        geo_status="located",
        time_zone=tz,
        **fields,
    )


def test_zones_are_grouped_by_window_and_counted():
    edition = EditionFactory(ordinal=6, date=dt.date(2026, 12, 4))
    located(edition, "Pacific/Auckland")
    located(edition, "Pacific/Auckland")
    located(edition, "Asia/Kolkata")
    located(edition, "Europe/Berlin")
    located(edition, "Europe/Paris")  # same offset as Berlin in December: one row
    RegistrationFactory(edition=edition, status="approved")  # not located: counted apart
    plan = edition_schedule(edition, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    rows = [(row.utc_offset, row.tz_names, row.participants) for row in plan.rows]
    assert rows == [
        (dt.timedelta(hours=13), ["Pacific/Auckland"], 2),
        (dt.timedelta(hours=5, minutes=30), ["Asia/Kolkata"], 1),
        (dt.timedelta(hours=1), ["Europe/Berlin", "Europe/Paris"], 2),
    ]
    assert plan.unlocated == 1
    # 08:00 NZDT on 4 December is 19:00 UTC on the 3rd; 08:00 CET is 07:00 UTC, ending 24 h later.
    assert plan.span.starts_at == dt.datetime(2026, 12, 3, 19, 0, tzinfo=dt.UTC)
    assert plan.span.ends_at == dt.datetime(2026, 12, 5, 7, 0, tzinfo=dt.UTC)
    assert plan.rows[0].left == 0.0
    # Berlin starts 12 of the span's 36 hours in and lasts 24 of them.
    assert (plan.rows[2].left, plan.rows[2].width) == (33.33, 66.67)


def test_on_air_now_at_a_given_instant():
    edition = EditionFactory(ordinal=6, date=dt.date(2026, 12, 4))
    located(edition, "Pacific/Auckland")
    located(edition, "America/Los_Angeles")
    # 3 December 20:00 UTC: Auckland (from 19:00 UTC) is on air; Los Angeles (16:00 UTC on the 4th) is not.
    plan = edition_schedule(edition, now=dt.datetime(2026, 12, 3, 20, 0, tzinfo=dt.UTC))
    assert [slot.tz_name for slot in plan.on_air] == ["Pacific/Auckland"]
    assert plan.on_air_participants == 1
    assert [row.live for row in plan.rows] == [True, False]


def test_schedule_page_during_the_event_says_who_is_on_air(client):
    # In UTC the edition runs from 08:00 on its date for 24 h; dated (now - 8 h) it is always on air now.
    date = (timezone.now() - dt.timedelta(hours=8)).date()
    edition = EditionFactory(ordinal=6, date=date)
    located(edition, "Etc/UTC")
    located(edition, "Etc/UTC")
    html = client.get(reverse("pages:schedule"), {"edition": 6}).content.decode()
    assert "On air now:</strong> 2 participants in 1 time zone" in html
    assert 'class="schedule-window live"' in html
    assert "Etc: 1 time zone, 2 participants" in html
    assert 'class="timeline-now"' in html
    assert reverse("pages:map") + "?edition=6&amp;on_air=1" in html


def test_schedule_page_for_a_tbd_edition(client):
    Edition.objects.create(ordinal=5, title="5th", date=None, status=Edition.Status.DATE_TBD)
    html = client.get(reverse("pages:schedule"), {"edition": 5}).content.decode()
    assert "The date is to be announced." in html


def test_schedule_page_shows_utc_and_local_time_hooks(client):
    edition = EditionFactory(ordinal=6, date=dt.date(2027, 3, 19))
    located(edition, "Asia/Kolkata")
    html = client.get(reverse("pages:schedule"), {"edition": 6}).content.decode()
    # 08:00 IST is 02:30 UTC.
    assert (
        '<time datetime="2027-03-19T02:30:00+00:00" data-local>Fri 19 Mar, 02:30 UTC'
        '<span class="local-time small text-body-secondary" data-local-slot>'
        " (Fri 19 Mar, 02:30 your time)</span></time>"
    ) in html
    assert "<span data-local-zone data-local-slot> and in your time zone (UTC)</span>" in html
    assert "UTC+05:30" in html
    assert "Nobody is on air yet" in html


def test_home_shows_the_first_and_last_hour_worldwide(client):
    edition = EditionFactory(
        ordinal=6, date=dt.date(2027, 3, 19), registration_opens_at=timezone.now() - dt.timedelta(days=1)
    )
    located(edition, "Pacific/Auckland")
    located(edition, "America/Los_Angeles")
    html = client.get(reverse("pages:home")).content.decode()
    # 08:00 NZDT (UTC+13) on 19 March is 18 March 19:00 UTC; 08:00 PDT (UTC-7) ends 20 March 15:00 UTC.
    assert "Thu 18 Mar 2027, 19:00 UTC" in html
    assert "Sat 20 Mar 2027, 15:00 UTC" in html


def test_editions_page_shows_results_beside_poltwts_own_counts(client):
    edition = EditionFactory(ordinal=2, date=dt.date(2013, 11, 1), status="completed")
    Figure.objects.create(edition=edition, measure="agencies", qualifier="over", value=250)
    RegistrationFactory(edition=edition, status="approved", country="US")
    RegistrationFactory(edition=edition, status="approved", country="GB")
    RegistrationFactory(edition=edition, status="approved", country="GB", officer=True)
    RegistrationFactory(edition=edition, status="pending", country="FR")
    html = client.get(reverse("pages:edition_list")).content.decode()
    agencies = re.search(r'<tr data-measure="agencies">(.*?)</tr>', html, re.S).group(1)
    assert "over 250" in agencies and '<td class="counted">2</td>' in agencies
    officers = re.search(r'<tr data-measure="officers">(.*?)</tr>', html, re.S).group(1)
    assert '<td class="reported">—</td>' in officers and '<td class="counted">1</td>' in officers
    countries = re.search(r'<tr data-measure="participating_countries">(.*?)</tr>', html, re.S).group(1)
    assert '<td class="counted">2</td>' in countries


def test_a_completed_editions_schedule_gives_its_date_not_to_be_announced(client):
    EditionFactory(ordinal=3, date=dt.date(2014, 6, 27), status=Edition.Status.COMPLETED)
    EditionFactory(ordinal=2, date=None, status=Edition.Status.COMPLETED)
    third = client.get(reverse("pages:schedule") + "?edition=3").content.decode()
    assert "This edition took place on 27 June 2014." in third
    assert "to be announced" not in third
    undated = client.get(reverse("pages:schedule") + "?edition=2").content.decode()
    assert "its exact date was not recorded" in undated
    assert "to be announced" not in undated
