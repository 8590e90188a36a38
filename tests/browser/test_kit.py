"""A participant tells others: "Post on X" after confirming, the copy button, and the pin permalink."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from registrations import tokens
from tests.browser.helpers import wait_for_map
from tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_post_on_x_after_confirming(page, browser_context, live_server, site_url, open_edition):
    registration = RegistrationFactory(
        edition=open_edition,
        handle="PaloAltoPolice",
        email_confirmed_at=None,
        time_zone="America/Los_Angeles",
        hours_from="09:00",
        hours_to="17:00",
    )
    opened: list[str] = []

    def fake_x(route) -> None:
        # The browser never reaches x.com: the intent is answered here, and what it asked for is kept.
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>X (stand-in)</title>")

    browser_context.route("https://x.com/**", fake_x)
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    token = tokens.make_token(registration, "confirm")
    page.goto(live_server.url + reverse("registrations:confirm", args=[token]))
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_role("heading", name="Thank you, your email is confirmed")).to_be_visible()
    expect(page.locator("#next-steps li")).to_have_count(5)

    with page.expect_popup() as popup_info:
        page.locator("#post-on-x").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert opened and opened[0] == popup.url
    intent = urlsplit(popup.url)
    assert (intent.scheme, intent.netloc, intent.path) == ("https", "x.com", "/intent/post")
    query = parse_qs(intent.query)
    assert query["hashtags"] == ["poltwt"]
    assert "@PaloAltoPolice takes part in the 9th Global Police Tweet-a-thon" in query["text"][0]
    assert "09:00-17:00 (America/Los_Angeles)" in query["text"][0]
    pin = urlsplit(query["url"][0])
    assert pin.path == reverse("pages:map")
    assert parse_qs(pin.query) == {"edition": ["9"], "p": ["PaloAltoPolice"]}
    popup.close()

    # The same text for other networks, copied with one click.
    page.get_by_role("button", name="Copy the text").click()
    expect(page.locator("#ready-post-section [data-copy-status]")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#ready-post").input_value()
    # The calendar: the file link works from the page.
    ics = page.request.get(page.locator("#calendar-ics").get_attribute("href"))
    assert ics.ok and ics.body().startswith(b"BEGIN:VCALENDAR")


def test_pin_permalink_opens_the_map_on_the_participant(page, live_server, open_edition):
    ParticipantFactory(edition=open_edition, handle="ReykjavikPolice", latitude=64.1466, longitude=-21.9426)
    ParticipantFactory(edition=open_edition, handle="PaloAltoPolice")
    page.goto(f"{live_server.url}{reverse('pages:map')}?edition={open_edition.ordinal}&p=reykjavikpolice")
    assert wait_for_map(page) == 2
    container = page.locator(".poltwt-map")
    expect(container).to_have_attribute("data-focused", "reykjavikpolice")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text("@ReykjavikPolice")
    assert page.evaluate("window.poltwtMap.map.getZoom()") > 5


def test_odd_characters_in_the_permalink_are_harmless_text(page, page_log, live_server, open_edition):
    ParticipantFactory(edition=open_edition, handle="PaloAltoPolice")
    odd = "<img src=x onerror=alert(1)>"
    page.on("dialog", lambda dialog: page_log.page_errors.append(f"dialog opened: {dialog.message}"))
    page.goto(f"{live_server.url}{reverse('pages:map')}?edition={open_edition.ordinal}&p={odd}")
    wait_for_map(page)
    container = page.locator(".poltwt-map")
    expect(container).to_have_attribute("data-focused", "none")
    expect(page.locator(".poltwt-map-status")).to_contain_text(f"@{odd} is not on this map")
    assert page.locator(".poltwt-map img[src='x']").count() == 0
    expect(page.locator(".leaflet-popup-content")).to_have_count(0)
