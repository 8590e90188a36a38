"""The participant map in Chromium: clusters, counts, popups, the layers control, the embed in an iframe."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from events.models import Edition
from registrations.models import Registration
from tests.browser.helpers import open_popup, wait_for_map
from tests.factories import ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPREAD = 300
# Reykjavik: the spread below never comes near it (it stays south of 55°N).
LONE = {"lat": 64.1466, "lng": -21.9426}


def spread_of_participants(edition: Edition, count: int) -> list[Registration]:
    """`count` approved, located participants scattered between 45°S and 55°N, a third of them officers."""
    rng = random.Random(2013)
    rows = []
    for n in range(count):
        officer = n % 3 == 0
        rows.append(
            ParticipantFactory.build(
                edition=edition,
                handle=f"{'officer' if officer else 'agency'}{n}",
                officer=officer,
                latitude=round(rng.uniform(-45, 55), 4),
                longitude=round(rng.uniform(-170, 170), 4),
            )
        )
    return Registration.objects.bulk_create(rows)


@pytest.fixture
def crowded_map(open_edition) -> Edition:
    spread_of_participants(open_edition, SPREAD)
    ParticipantFactory(
        edition=open_edition,
        handle="ReykjavikPolice",
        agency_name="Lögreglan á höfuðborgarsvæðinu",
        city="Reykjavík",
        region="",
        country="IS",
        latitude=LONE["lat"],
        longitude=LONE["lng"],
        time_zone="Atlantic/Reykjavik",
    )
    # Not on the map: no point yet, not approved, no consent to be shown, withdrawn.
    ParticipantFactory(edition=open_edition, handle="NotLocated", latitude=None, longitude=None)
    ParticipantFactory(edition=open_edition, handle="StillPending", status=Registration.Status.PENDING)
    ParticipantFactory(edition=open_edition, handle="NoConsent", consent_public=False)
    return open_edition


def test_map_clusters_counts_popup_and_layers(page, live_server, crowded_map):
    located_public = Registration.objects.for_edition(crowded_map).public().located().count()
    assert located_public == SPREAD + 1

    page.goto(f"{live_server.url}/map/?edition={crowded_map.ordinal}")
    assert wait_for_map(page) == located_public
    container = page.locator(".poltwt-map")
    expect(container).to_have_attribute("data-visible-count", str(located_public))
    expect(container).to_have_attribute("data-basemap", "true")

    # 301 points over the world at zoom 2 are drawn as clusters, not as 301 markers (.poltwt-cluster, one
    # badge per place with a count per kind: .poltwt-cluster--agency and/or --officer).
    clusters = page.locator(".poltwt-cluster")
    expect(clusters.first).to_be_visible()
    cluster_count = clusters.count()
    single_count = page.locator(".poltwt-marker").count()
    assert 0 < cluster_count < located_public
    # Every participant is in exactly one cluster or alone: the cluster badges and lone markers add up.
    in_clusters = sum(
        int(text.split()[0]) for text in page.locator(".poltwt-cluster__count").all_inner_texts()
    )
    assert in_clusters + single_count == located_public
    assert page.locator(".poltwt-cluster--officer").count() > 0
    assert page.locator(".poltwt-cluster--agency").count() > 0

    # The lone participant's popup, built from text only.
    popup = open_popup(page, **LONE, title="@ReykjavikPolice, agency")
    assert "@ReykjavikPolice" in popup
    assert "Lögreglan á höfuðborgarsvæðinu" in popup
    assert "Reykjavík, Iceland" in popup
    assert "Agency" in popup
    link = page.locator(".leaflet-popup-content a")
    expect(link).to_have_attribute("href", "https://x.com/ReykjavikPolice")
    expect(link).to_have_attribute("rel", "noopener noreferrer")

    # Back to the world: switching "Officers" off in the layers control takes every officer off the map.
    page.evaluate("() => { window.poltwtMap.map.setView([20, 0], 2, {animate: false}); }")
    officers_box = page.locator(".leaflet-control-layers").get_by_role("checkbox", name="Officers")
    expect(officers_box).to_be_checked()
    assert page.evaluate("() => window.poltwtMap.map.hasLayer(window.poltwtMap.layers.officer)")
    expect(page.locator(".poltwt-cluster--officer").first).to_be_visible()
    officers_box.uncheck()
    assert not page.evaluate("() => window.poltwtMap.map.hasLayer(window.poltwtMap.layers.officer)")
    assert page.evaluate("() => window.poltwtMap.map.hasLayer(window.poltwtMap.layers.agency)")
    expect(page.locator(".poltwt-cluster--officer, .poltwt-marker--officer")).to_have_count(0)
    expect(page.locator(".poltwt-cluster--agency").first).to_be_visible()
    # And back on.
    officers_box.check()
    expect(page.locator(".poltwt-cluster--officer").first).to_be_visible()


class _HostPage(BaseHTTPRequestHandler):
    """Serves one HTML page, as an agency's own website on another origin would."""

    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def other_origin() -> Iterator:
    """An HTTP server on 127.0.0.1 (the live server is on localhost, another port): a different origin."""
    handler = type("HostPage", (_HostPage,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(html: str) -> str:
        handler.body = html.encode()
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    server.shutdown()
    server.server_close()


def test_embed_works_in_a_cross_origin_iframe_and_the_map_page_does_not(
    page, page_log, live_server, open_edition, other_origin
):
    ParticipantFactory(edition=open_edition, handle="PaloAltoPolice")
    ParticipantFactory(
        edition=open_edition,
        handle="SgtJaneDoe",
        officer=True,
        city="Birmingham",
        region="",
        country="GB",
        latitude=52.4862,
        longitude=-1.8904,
        time_zone="Europe/London",
    )
    embed = f"{live_server.url}/map/embed/?edition={open_edition.ordinal}"
    host_url = other_origin(
        "<!doctype html><title>Agency site</title><h1>Our agency</h1>"
        f'<iframe id="embed" title="#poltwt map" src="{embed}" width="800" height="480"></iframe>'
    )
    assert host_url.split("/")[2] != live_server.url.split("/")[2]

    headers = page.request.get(embed).headers
    assert "x-frame-options" not in headers
    assert "frame-ancestors *" in headers["content-security-policy"]
    page.goto(host_url)
    frame = page.frame_locator("#embed")
    assert wait_for_map(frame) == 2
    expect(frame.locator(".poltwt-cluster, .poltwt-marker").first).to_be_visible()
    expect(frame.locator(".embed-credit")).to_have_attribute("href", f"{live_server.url}/en/map/?edition=9")
    # The clustering worker runs inside the cross-origin iframe too: a participant's popup opens there.
    [inner] = page.main_frame.child_frames
    inner.evaluate("() => { window.poltwtMap.map.setView([52.4862, -1.8904], 12, {animate: false}); }")
    frame.locator('.leaflet-marker-icon[title="@SgtJaneDoe, officer"]').click()
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("Birmingham, United Kingdom")

    # The full page is not for framing: frame-ancestors 'none' (and X-Frame-Options: DENY) refuse it.
    page_log.expected_csp_violations.append(r"frame-ancestors 'none'")
    map_page = f"{live_server.url}/map/?edition={open_edition.ordinal}"
    headers = page.request.get(map_page).headers
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    host_url = other_origin(
        "<!doctype html><title>Agency site</title><h1>Our agency</h1>"
        f'<iframe id="full" title="#poltwt map" src="{map_page}" width="800" height="480"></iframe>'
    )
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
        page.goto(host_url)
    [child] = page.main_frame.child_frames
    child.wait_for_load_state()
    assert not child.url.startswith(live_server.url)
    assert page.frame_locator("#full").locator(".poltwt-map").count() == 0
    assert any("frame-ancestors 'none'" in message for message in page_log.csp_violations)
