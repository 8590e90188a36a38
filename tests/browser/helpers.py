"""Helpers shared by the browser tests: waiting for the map, reading links from emails."""

from __future__ import annotations

import re

from django.core import mail

# Long enough for a slow CI machine; a passing run here waits well under a second per step.
TIMEOUT_MS = 10_000


def wait_for_map(frame_or_page, *, timeout: float = TIMEOUT_MS) -> int:
    """Wait until static/js/participant-map.js has drawn the markers (data-ready); return data-count."""
    container = frame_or_page.locator('.poltwt-map[data-ready="true"]')
    container.wait_for(state="attached", timeout=timeout)
    return int(container.get_attribute("data-count"))


def open_popup(page, *, lat: float, lng: float, title: str, zoom: int = 16) -> str:
    """Zoom the map onto one point, click the marker Leaflet titled `title`, return the popup's textContent.

    At zoom 16 a participant far from the others is a lone marker, not part of a cluster.
    """
    page.evaluate(
        "([lat, lng, zoom]) => { window.poltwtMap.map.setView([lat, lng], zoom, {animate: false}); }",
        [lat, lng, zoom],
    )
    # After a zoom, MarkerCluster glides the markers from their clusters to their own places (a CSS
    # transition while the map pane has .leaflet-cluster-anim). A click then may press on the moving marker
    # and release on the map beside it, which opens nothing: click once the markers have arrived.
    page.locator(".leaflet-map-pane.leaflet-cluster-anim").wait_for(state="detached")
    page.locator(f'.leaflet-marker-icon[title="{title}"]').click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    return popup.text_content()


def links_in_outbox(kind: str, *, base_url: str, to: str | None = None) -> list[str]:
    """The /confirm/… or /manage/… links of the emails sent so far (to one address if given), oldest first."""
    found = []
    for message in mail.outbox:
        if to is None or to in message.to:
            found += re.findall(rf"{re.escape(base_url)}/[a-z]{{2}}/{kind}/[^/\s\"'<>]+/", message.body)
    return found
