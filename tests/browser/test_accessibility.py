"""Accessibility smoke test of the public pages: structure, keyboard, labels, phone width.

Not a full audit (no axe-core here: it would have to be vendored); these are the checks that break most
often and that a screen-reader or keyboard user notices first.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.helpers import wait_for_map
from tests.factories import ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIRMINGHAM = {
    "agency_name": "West Midlands Police",
    "city": "Birmingham",
    "region": "",
    "country": "GB",
    "latitude": 52.4862,
    "longitude": -1.8904,
    "time_zone": "Europe/London",
}
PAGES = [
    reverse("pages:home"),
    reverse("registrations:register", args=["agency"]),
    reverse("pages:participant_list"),
    reverse("pages:map"),
    reverse("pages:statistics"),
    reverse("pages:schedule"),
]

UNLABELLED_CONTROLS = """
(form) => Array.from(form.querySelectorAll("input, select, textarea"))
  .filter((el) => el.type !== "hidden")
  .filter((el) => el.labels.length === 0)
  .map((el) => el.name || el.id || el.outerHTML)
"""
LABEL_TEXTS = """
(form) => Array.from(form.querySelectorAll("input, select, textarea"))
  .filter((el) => el.type !== "hidden")
  .map((el) => [el.name, Array.from(el.labels).map((label) => label.textContent.trim()).join(" ")])
"""
OVERFLOWING = """
() => Array.from(document.querySelectorAll("body *"))
  .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + el.className)
"""


@pytest.fixture
def some_participants(open_edition):
    ParticipantFactory(edition=open_edition, handle="PaloAltoPolice")
    ParticipantFactory(edition=open_edition, handle="SgtJaneDoe", officer=True, **BIRMINGHAM)
    return open_edition


def load(page, url: str) -> None:
    page.goto(url)
    if page.locator(".poltwt-map").count():
        wait_for_map(page)


@pytest.mark.parametrize("path", PAGES)
def test_page_structure_keyboard_and_phone_width(page, live_server, some_participants, path):
    load(page, live_server.url + path)

    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert page.title().strip()

    # The first Tab lands on the skip link; Enter moves focus into <main>, past the navigation.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # visually hidden until focused, then shown
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    # The next Tab continues inside main, not back at the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")

    # A phone: nothing wider than the screen, so no sideways scrolling.
    page.set_viewport_size(PHONE)
    load(page, live_server.url + path)
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] + 1, (
        f"{path} scrolls sideways on a phone: {width}, {page.evaluate(OVERFLOWING)}"
    )


def test_every_signup_control_has_a_label(page, live_server, open_edition):
    for kind in ("agency", "officer"):
        page.goto(f"{live_server.url}/register/{kind}/")
        form = page.locator("form.registration-form")
        assert form.evaluate(UNLABELLED_CONTROLS) == []
        labels = dict(form.evaluate(LABEL_TEXTS))
        assert labels["handle"].startswith("X (Twitter) handle")
        assert labels["country"].startswith("Country")
        assert labels["consent_public"].startswith("Show this account on the public #poltwt map")
        # Required fields say so in the label, not by colour alone.
        assert labels["city"].endswith("*")
        # Help texts are read with their fields.
        expect(page.locator("#id_handle")).to_have_attribute("aria-describedby", "id_handle_helptext")
    # The list's filter form, too.
    page.goto(f"{live_server.url}/participants/")
    for form in page.locator("main form").all():
        assert form.evaluate(UNLABELLED_CONTROLS) == []
