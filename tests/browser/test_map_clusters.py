"""The map's clustering (supercluster in a Web Worker) in Chromium: kinds sharing a place, the kind and
on-air filters, the pin permalink, the popup's local and visitor's time, a place no zoom can split, and
keyboard focus after a cluster opens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Edition
from tests.browser.helpers import wait_for_map
from tests.browser.test_map import crowded_map  # noqa: F401 (the fixture)
from tests.factories import EditionFactory, ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIRMINGHAM = {"latitude": 52.4862, "longitude": -1.8904}
FOCUS_IS_A_POINT = (
    "() => !!document.activeElement && document.activeElement.matches('.poltwt-marker, .poltwt-cluster')"
)


def map_url(live_server, edition: Edition, query: str = "") -> str:
    return f"{live_server.url}{reverse('pages:map')}?edition={edition.ordinal}{query}"


def drawn(page) -> int:
    return int(page.locator(".poltwt-map").get_attribute("data-drawn") or 0)


def set_view(page, lat: float, lng: float, zoom: int) -> None:
    """Move the map and wait until the view has been drawn from the worker's answer."""
    before = drawn(page)
    page.evaluate(
        "([lat, lng, zoom]) => { window.poltwtMap.map.setView([lat, lng], zoom, {animate: false}); }",
        [lat, lng, zoom],
    )
    page.wait_for_function(f"() => Number(document.querySelector('.poltwt-map').dataset.drawn) > {before}")


@pytest.fixture
def shared_place(open_edition) -> Edition:
    """Three agencies and two officers of Birmingham, all at the city's one point."""
    for n in range(3):
        ParticipantFactory(edition=open_edition, handle=f"BrumAgency{n}", city="Birmingham", country="GB",
                           time_zone="Europe/London", **BIRMINGHAM)  # fmt: skip
    for n in range(2):
        ParticipantFactory(edition=open_edition, handle=f"BrumOfficer{n}", officer=True, city="Birmingham",
                           country="GB", time_zone="Europe/London", **BIRMINGHAM)  # fmt: skip
    return open_edition


def test_agencies_and_officers_at_one_place_share_one_badge_and_the_filter_splits_it(
    page, live_server, shared_place
):
    page.goto(map_url(live_server, shared_place))
    assert wait_for_map(page) == 5
    set_view(page, BIRMINGHAM["latitude"], BIRMINGHAM["longitude"], 12)

    # One badge, not two stacked ones: it counts each kind, and a screen reader hears which is which.
    badge = page.locator(".poltwt-cluster")
    expect(badge).to_have_count(1)
    expect(badge).to_have_class(
        "leaflet-marker-icon poltwt-cluster poltwt-cluster--agency poltwt-cluster--officer "
        "poltwt-cluster--mixed leaflet-zoom-animated leaflet-interactive"
    )
    expect(badge.locator(".poltwt-cluster__count--agency")).to_have_text("3 agencies")
    expect(badge.locator(".poltwt-cluster__count--officer")).to_have_text("2 officers")
    legend = page.locator(".poltwt-legend")
    expect(legend).to_contain_text("Agencies (square): 3")
    expect(legend).to_contain_text("Officers (circle): 2")

    # The layers control's "Officers" box takes the officers out of the clusters, not just off the map.
    page.locator(".leaflet-control-layers").get_by_role("checkbox", name="Officers").uncheck()
    expect(page.locator(".poltwt-map")).to_have_attribute("data-visible-count", "3")
    expect(badge.locator(".poltwt-cluster__count--officer")).to_have_count(0)
    expect(badge.locator(".poltwt-cluster__count--agency")).to_have_text("3 agencies")
    expect(legend).to_contain_text("Officers (circle): 0")
    expect(page.locator("#map-list")).to_have_attribute("data-count", "3")
    expect(page.locator("#map-list li")).to_have_count(3)

    page.locator(".leaflet-control-layers").get_by_role("checkbox", name="Agencies").uncheck()
    expect(page.locator(".poltwt-map")).to_have_attribute("data-visible-count", "0")
    expect(page.locator(".poltwt-cluster, .poltwt-marker")).to_have_count(0)
    page.locator(".leaflet-control-layers").get_by_role("checkbox", name="Officers").check()
    expect(badge.locator(".poltwt-cluster__count--officer")).to_have_text("2 officers")
    expect(badge.locator(".poltwt-cluster__count--agency")).to_have_count(0)


def test_a_place_no_zoom_can_split_lists_its_participants(page, live_server, shared_place):
    page.goto(map_url(live_server, shared_place))
    wait_for_map(page)
    set_view(page, BIRMINGHAM["latitude"], BIRMINGHAM["longitude"], 18)  # the deepest zoom

    badge = page.locator(".poltwt-cluster")
    expect(badge).to_have_count(1)
    badge.focus()
    page.keyboard.press("Enter")
    # A list of the five, as buttons; the focus moves into it.
    members = page.locator(".leaflet-popup-content .poltwt-popup__member")
    expect(members).to_have_count(5)
    expect(members.first).to_be_focused()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("@BrumOfficer0, officer")
    page.get_by_role("button", name="@BrumOfficer1, officer").press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("@BrumOfficer1")
    expect(popup).to_contain_text("Birmingham, United Kingdom")
    expect(popup.get_by_role("link")).to_be_focused()
    page.keyboard.press("Escape")
    expect(popup).to_have_count(0)
    expect(badge).to_be_focused()


def test_enter_on_a_cluster_moves_the_focus_to_a_point_where_it_was(page, live_server, crowded_map):  # noqa: F811
    page.goto(map_url(live_server, crowded_map))
    wait_for_map(page)
    expect(page.locator(".poltwt-map")).to_have_attribute("data-tab-stops", "1")
    cluster = page.locator(".leaflet-marker-pane .poltwt-cluster").first
    cluster.focus()
    before = drawn(page)
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.poltwtMap.map.getZoom() > 2")
    # The cluster's element may stay (a cluster that zoom does not split keeps its number): the focus
    # moves once the new view is drawn.
    page.wait_for_function(f"() => Number(document.querySelector('.poltwt-map').dataset.drawn) > {before}")
    page.wait_for_function(FOCUS_IS_A_POINT)
    # The map zoomed in on the cluster, now in the middle of the view: the focus is on the point drawn
    # nearest to it, not on the first point in reading order.
    page.wait_for_function("() => !window.poltwtMap.map._animatingZoom")
    nearest = page.evaluate(
        """() => {
          const m = document.querySelector('.poltwt-map').getBoundingClientRect();
          const [cx, cy] = [m.left + m.width / 2, m.top + m.height / 2];
          const pane = document.querySelector('.leaflet-marker-pane');
          const icons = [...pane.querySelectorAll('.poltwt-marker, .poltwt-cluster')];
          const distance = (icon) => {
            const r = icon.getBoundingClientRect();
            return Math.hypot(r.left + r.width / 2 - cx, r.top + r.height / 2 - cy);
          };
          const best = icons.reduce((a, b) => (distance(a) <= distance(b) ? a : b));
          return {focusedIsNearest: best === document.activeElement, icons: icons.length};
        }"""
    )
    assert nearest["focusedIsNearest"], nearest
    expect(page.locator(".poltwt-map")).to_have_attribute("data-tab-stops", "1")
    # The arrows go on from there.
    page.keyboard.press("ArrowRight")
    assert page.evaluate(FOCUS_IS_A_POINT)


def test_popup_shows_the_local_start_and_the_visitors_time(page, live_server, open_edition):
    ParticipantFactory(edition=open_edition, handle="PaloAltoPolice", agency_name="Palo Alto Police",
                       local_goal="Answer questions live", local_hashtag="#PaloAltoLive")  # fmt: skip
    page.goto(map_url(live_server, open_edition))
    wait_for_map(page)
    set_view(page, 37.4419, -122.1430, 14)
    page.locator('.leaflet-marker-icon[title="@PaloAltoPolice, agency"]').click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Palo Alto Police")
    # 08:00 in Los Angeles is 16:00 UTC (this browser's zone) in December, 15:00 in summer time.
    when = timezone.make_aware(dt.datetime.combine(open_edition.date, dt.time(8)), _los_angeles())
    utc = when.astimezone(dt.UTC).strftime("%H:%M")
    expect(popup.locator(".poltwt-popup__start")).to_contain_text("08:00 Los Angeles")
    expect(popup.locator(".poltwt-popup__start")).to_contain_text(f"{utc} your time")
    expect(popup.locator(".poltwt-popup__goal")).to_have_text("Local goal: Answer questions live")
    expect(popup.locator(".poltwt-popup__hashtag")).to_have_text("#PaloAltoLive")


def _los_angeles():
    import zoneinfo

    return zoneinfo.ZoneInfo("America/Los_Angeles")


def test_pin_permalink_opens_the_popup_of_a_participant_inside_a_cluster(page, live_server, crowded_map):  # noqa: F811
    # agency1 is one of 300 spread over the world: in a cluster at the world view.
    page.goto(map_url(live_server, crowded_map, "&p=@Agency1"))
    wait_for_map(page)
    expect(page.locator(".poltwt-map")).to_have_attribute("data-focused", "agency1")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("@agency1")
    assert page.evaluate("() => window.poltwtMap.map.getZoom()") >= 10
    expect(page.locator('.leaflet-marker-icon[title="@agency1, agency"]')).to_be_visible()


def test_pin_permalink_at_a_shared_place_and_for_an_unknown_handle(page, live_server, shared_place):
    page.goto(map_url(live_server, shared_place, "&p=BrumOfficer1"))
    wait_for_map(page)
    expect(page.locator(".poltwt-map")).to_have_attribute("data-focused", "brumofficer1")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("@BrumOfficer1")

    page.goto(map_url(live_server, shared_place, "&p=<b>Nobody</b>"))
    wait_for_map(page)
    expect(page.locator(".poltwt-map")).to_have_attribute("data-focused", "none")
    expect(page.locator(".poltwt-map-status")).to_contain_text("@<b>Nobody</b> is not on this map")
    expect(page.locator(".poltwt-map-status b")).to_have_count(0)


def test_on_air_now_shows_only_those_whose_hours_have_started(page, live_server):
    # 08:00 UTC on this date is at most 24 hours ago: a participant keeping UTC is on air now.
    now = timezone.now()
    edition = EditionFactory(ordinal=11, date=(now - dt.timedelta(hours=8)).date())
    ParticipantFactory(edition=edition, handle="OnAirUTC", time_zone="UTC", **BIRMINGHAM)
    ParticipantFactory(edition=edition, handle="OnAirToo", time_zone="UTC", latitude=51.5, longitude=-0.12)
    # No time zone known: no window, never on air.
    ParticipantFactory(edition=edition, handle="NoZoneKnown", time_zone="")
    # Los Angeles starts 8 hours after UTC: on air or not yet, depending on the hour of this test.
    for n in range(3):
        ParticipantFactory(edition=edition, handle=f"LosAngeles{n}")
    la_start = timezone.make_aware(dt.datetime.combine(edition.date, dt.time(8)), _los_angeles())
    on_air = 2 + (3 if la_start <= now < la_start + dt.timedelta(hours=24) else 0)

    page.goto(map_url(live_server, edition, "&on_air=1"))
    assert wait_for_map(page) == 6
    container = page.locator(".poltwt-map")
    expect(container).to_have_attribute("data-visible-count", "6")
    box = page.get_by_role("checkbox", name="On air now only")
    box.check()
    expect(container).to_have_attribute("data-visible-count", str(on_air))
    expect(page.locator(".poltwt-legend")).to_contain_text(f"Agencies (square): {on_air}")
    set_view(page, 51.9, -1.0, 7)
    expect(page.locator("#map-list")).to_have_attribute("data-count", "2")
    expect(page.locator("#map-list")).to_contain_text("@OnAirUTC")
    set_view(page, 20, 0, 2)
    expect(page.locator("#map-list")).to_have_attribute("data-count", str(on_air))
    expect(page.locator("#map-list")).not_to_contain_text("NoZoneKnown")
    box.uncheck()
    expect(container).to_have_attribute("data-visible-count", "6")
    expect(page.locator("#map-list")).to_contain_text("NoZoneKnown")
