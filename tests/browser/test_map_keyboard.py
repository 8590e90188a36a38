"""The participant map with a keyboard and a screen reader: a skip link, the points as one Tab stop with
arrows between them, Enter on a cluster, Escape from a popup, and the list of participants in view."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from registrations.models import Registration
from tests.browser.helpers import wait_for_map
from tests.browser.test_map import LONE, SPREAD, crowded_map  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_IS_A_POINT = (
    "() => !!document.activeElement && document.activeElement.matches('.poltwt-marker, .poltwt-cluster')"
)
FOCUS_IN_MAP = "() => document.querySelector('.poltwt-map').contains(document.activeElement)"
ZOOM = "() => window.poltwtMap.map.getZoom()"


def open_map(page, live_server, edition) -> None:
    page.goto(live_server.url + reverse("pages:map") + f"?edition={edition.ordinal}")
    wait_for_map(page)
    # The roving tab stop is set once the clusters are drawn.
    expect(page.locator(".poltwt-map")).to_have_attribute("data-tab-stops", "1")


def tab_to_a_point(page, *, limit: int = 15) -> int:
    """Press Tab from where the focus is until a map point has it; return how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUS_IS_A_POINT):
            return presses
    raise AssertionError(f"no map point reached in {limit} Tab presses")


def test_skip_link_jumps_past_the_map(page, live_server, crowded_map):  # noqa: F811
    open_map(page, live_server, crowded_map)
    skip = page.get_by_role("link", name="Skip the map")
    skip.focus()
    expect(skip).to_be_visible()  # hidden until focused
    page.keyboard.press("Enter")
    expect(page.locator("#map-list")).to_be_focused()
    page.keyboard.press("Tab")
    assert not page.evaluate(FOCUS_IN_MAP)


def test_points_are_one_tab_stop_with_arrows_between_them(page, live_server, crowded_map):  # noqa: F811
    open_map(page, live_server, crowded_map)
    page.get_by_role("link", name="Skip the map").focus()
    # Into the map: past its few controls to the points, in far fewer presses than there are points.
    tab_to_a_point(page)
    first = page.evaluate(
        "() => document.activeElement.getAttribute('title') || document.activeElement.textContent"
    )
    page.keyboard.press("ArrowRight")
    assert page.evaluate(FOCUS_IS_A_POINT)
    second = page.evaluate(
        "() => document.activeElement.getAttribute('title') || document.activeElement.textContent"
    )
    assert second != first
    # Only the focused point is a Tab stop: the next Tab leaves the points altogether.
    assert page.locator('.leaflet-marker-pane [tabindex="0"]').count() == 1
    page.keyboard.press("Tab")
    assert not page.evaluate(FOCUS_IS_A_POINT)


def test_enter_on_a_cluster_zooms_into_it(page, live_server, crowded_map):  # noqa: F811
    open_map(page, live_server, crowded_map)
    page.get_by_role("link", name="Skip the map").focus()
    tab_to_a_point(page)
    for _ in range(60):
        if page.evaluate("() => document.activeElement.matches('.poltwt-cluster')"):
            break
        page.keyboard.press("ArrowRight")
    else:
        raise AssertionError("no cluster reached with the arrow keys")
    before = page.evaluate(ZOOM)
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => window.poltwtMap.map.getZoom() > {before}")
    # The focus stays on the map's points, in the new view, for the next arrow or Enter.
    page.wait_for_function(FOCUS_IS_A_POINT)
    # Space works the same.
    page.evaluate("() => { window.poltwtMap.map.setView([20, 0], 2, {animate: false}); }")
    expect(page.locator(".poltwt-map")).to_have_attribute("data-tab-stops", "1")
    page.locator(".leaflet-marker-pane .poltwt-cluster").first.focus()
    page.keyboard.press(" ")
    page.wait_for_function("() => window.poltwtMap.map.getZoom() > 2")


def test_escape_closes_a_popup_and_returns_to_its_marker(page, live_server, crowded_map):  # noqa: F811
    open_map(page, live_server, crowded_map)
    page.evaluate(
        "([lat, lng]) => { window.poltwtMap.map.setView([lat, lng], 16, {animate: false}); }",
        [LONE["lat"], LONE["lng"]],
    )
    marker = page.locator('.leaflet-marker-icon[title="@ReykjavikPolice, agency"]')
    expect(marker).to_have_attribute("tabindex", "0")
    marker.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("@ReykjavikPolice")
    # The popup takes the focus (its link to the X profile).
    expect(popup.get_by_role("link")).to_be_focused()
    page.keyboard.press("Escape")
    expect(popup).to_have_count(0)
    expect(marker).to_be_focused()


def test_list_of_participants_in_view_follows_the_map(page, live_server, crowded_map):  # noqa: F811
    open_map(page, live_server, crowded_map)
    located = Registration.objects.for_edition(crowded_map).public().located().count()
    assert located == SPREAD + 1
    section = page.locator("#map-list")
    page.wait_for_function(f"() => document.querySelector('#map-list').dataset.count === '{located}'")
    expect(section.get_by_role("heading")).to_have_text(f"{located} participants in this view of the map")
    expect(section.locator("li")).to_have_count(200)  # the rest are counted, not listed
    expect(section).to_contain_text(f"and {located - 200} more")

    page.evaluate(
        "([lat, lng]) => { window.poltwtMap.map.setView([lat, lng], 12, {animate: false}); }",
        [LONE["lat"], LONE["lng"]],
    )
    expect(section.get_by_role("heading")).to_have_text("1 participant in this view of the map")
    expect(section.locator("li")).to_have_count(1)
    expect(section.locator("li")).to_contain_text("@ReykjavikPolice")
    expect(section.locator("li")).to_contain_text("Lögreglan á höfuðborgarsvæðinu")
