"""Script in participant data runs nowhere: map popup, list, statistics, embed (OWASP ASVS 1.2.1, 1.2.3).

Each payload assigns window.__pwned if it ever executes; the markup, template-literal and </script>
forms cover the ways folium and Leaflet are known to run text given to them (see NOTES.md).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import open_popup, wait_for_map
from tests.factories import ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "<img src=x onerror=window.__pwned=1></script><script>window.__pwned=3</script>"
CITY = "${window.__pwned=2}"
POINT = {"lat": 48.8566, "lng": 2.3522}


@pytest.fixture
def evil(open_edition):
    return ParticipantFactory(
        edition=open_edition,
        handle="Evil_1",
        agency_name=NAME,
        city=CITY,
        region="`${window.__pwned=4}`",
        country="FR",
        latitude=POINT["lat"],
        longitude=POINT["lng"],
        time_zone="Europe/Paris",
    )


def assert_not_pwned(page) -> None:
    assert page.evaluate("() => typeof window.__pwned") == "undefined"


def test_payloads_in_participant_data_stay_text(page, page_log, live_server, evil):
    edition = evil.edition.ordinal
    outside_images = []
    page.on(
        "request", lambda request: outside_images.append(request.url) if request.url.endswith("/x") else None
    )

    page.goto(f"{live_server.url}/map/?edition={edition}")
    assert wait_for_map(page) == 1
    popup = open_popup(page, **POINT, title="@Evil_1, agency")
    assert NAME in popup
    assert f"{CITY}, France" in popup
    expect(page.locator(".leaflet-popup-content img, .leaflet-popup-content script")).to_have_count(0)
    assert_not_pwned(page)

    page.goto(f"{live_server.url}/participants/?edition={edition}")
    row = page.locator("table.participants tbody tr").filter(has_text="@Evil_1")
    expect(row.locator("td").nth(2)).to_have_text(NAME)
    expect(row.locator("td").nth(3)).to_have_text(CITY)
    expect(page.locator("main img")).to_have_count(0)
    assert_not_pwned(page)

    # Reflected: the search box shows the query back, as text in its value.
    query = '"><img src=x onerror=window.__pwned=5>'
    page.get_by_label("Search handle, agency or city").fill(query)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_label("Search handle, agency or city")).to_have_value(query)
    expect(page.locator("main img")).to_have_count(0)
    assert_not_pwned(page)

    page.goto(f"{live_server.url}/stats/?edition={edition}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics")
    assert_not_pwned(page)

    page.goto(f"{live_server.url}/map/embed/?edition={edition}")
    assert wait_for_map(page) == 1
    popup = open_popup(page, **POINT, title="@Evil_1, agency")
    assert NAME in popup
    assert_not_pwned(page)

    assert outside_images == []
    assert page_log.page_errors == []
    assert page_log.csp_violations == []
