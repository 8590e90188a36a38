"""A participant's local goal and hashtag in the map popup and the list: shown, and only as text."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.helpers import open_popup, wait_for_map
from tests.factories import ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOAL = "<img src=x onerror=window.__pwned=1> ${window.__pwned=2} `${window.__pwned=3}`"
HASHTAG = "#<b>x</b>${x}"  # impossible through the forms; stored directly to prove the output escapes
POINT = {"lat": 39.0639, "lng": -108.5506}


def test_local_goal_and_hashtag_in_the_popup_and_the_list_stay_text(page, live_server, open_edition):
    ParticipantFactory(
        edition=open_edition,
        handle="GJPD",
        agency_name="Grand Junction Police Department",
        city="Grand Junction",
        region="CO",
        latitude=POINT["lat"],
        longitude=POINT["lng"],
        time_zone="America/Denver",
        local_goal=GOAL,
        local_hashtag=HASHTAG,
    )
    query = f"?edition={open_edition.ordinal}"
    page.goto(live_server.url + reverse("pages:map") + query)
    assert wait_for_map(page) == 1
    popup = open_popup(page, **POINT, title="@GJPD, agency")
    assert f"Local goal: {GOAL}" in popup
    assert HASHTAG in popup
    expect(page.locator(".leaflet-popup-content img, .leaflet-popup-content b")).to_have_count(0)
    assert page.evaluate("() => typeof window.__pwned") == "undefined"

    page.goto(live_server.url + reverse("pages:participant_list") + query)
    row = page.locator("table.participants tbody tr").filter(has_text="@GJPD")
    expect(row.locator("td.local-goal")).to_have_text(f"{HASHTAG} · {GOAL}")
    expect(page.locator("main img, main table b")).to_have_count(0)
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
