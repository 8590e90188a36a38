"""Times in the visitor's own zone, and the countdown, appear without moving the page (Lighthouse's
cumulative layout shift).

static/js/local-times.js fills slots that the server already put in the page, invisible and taking their
room (pages/templatetags/schedule_tags.py). To see what a phone on a slow network sees, the script is
held back here until the page has been painted; the page must not move when it then runs.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, watch
from tests.browser.helpers import TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every layout shift that no user input caused, summed as Lighthouse's CLS counts them in one window.
RECORD_SHIFTS = """
window.__layoutShift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__layoutShift += entry.value;
  }
}).observe({type: "layout-shift", buffered: true});
"""
# Resolves once two more frames have been drawn.
PAINTED = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())))"
PAGES = ["pages:home", "pages:schedule"]


@pytest.fixture
def kolkata_phone(browser, page_log, live_server):
    """A phone in India (UTC+05:30), so that every local time differs from its UTC placeholder."""
    context = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Asia/Kolkata")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORD_SHIFTS)

    def late_script(route) -> None:
        # The same script, run when the test runs window.__late's functions.
        body = route.fetch().text()
        route.fulfill(
            content_type="text/javascript",
            body=f"(window.__late = window.__late || []).push(function () {{\n{body}\n}});",
        )

    context.route(re.compile(r"/static/js/(local-times|countdown)(\.[0-9a-f]+)?\.js$"), late_script)
    page = context.new_page()
    watch(page, page_log)
    yield page
    context.close()
    assert not page_log.unexpected(), page_log.unexpected()


@pytest.mark.parametrize("name", PAGES)
def test_local_times_appear_without_moving_the_page(kolkata_phone, live_server, open_edition, name):
    page = kolkata_phone
    page.goto(live_server.url + reverse(name) + f"?edition={open_edition.ordinal}")
    slots = page.locator("[data-local-slot]")
    assert slots.count() >= 2
    page.wait_for_function("() => document.readyState === 'complete'")  # deferred scripts loaded
    page.evaluate(PAINTED)
    expect(slots.first).to_be_hidden()  # painted, the scripts not run yet: room kept, nothing shown
    page.evaluate("() => window.__late.forEach((run) => run())")
    expect(page.locator("[data-local-slot]:not([data-filled])")).to_have_count(0)
    page.evaluate(PAINTED)  # the frame after the change, where a shift would be reported
    for slot in slots.all():
        expect(slot).to_be_visible()
    # 08:00 UTC reads 13:30 in Kolkata: the slots show the visitor's time, not their placeholder.
    assert ":30 your time)" in page.locator("time[data-local]").first.inner_text()
    shift = page.evaluate("() => window.__layoutShift")
    assert shift < 0.01, f"the page moved by {shift:.3f} when the local times appeared"


@pytest.mark.parametrize("name", PAGES)
def test_without_javascript_no_empty_slot_shows(browser, live_server, open_edition, name):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + reverse(name) + f"?edition={open_edition.ordinal}")
    times = page.locator("time[data-local]")
    assert times.count() >= 2
    for slot in page.locator("[data-local-slot]").all():
        assert slot.evaluate("(el) => getComputedStyle(el).display") == "none"
    assert "your time" not in times.first.inner_text()
    assert times.first.inner_text().endswith(" UTC")
    context.close()
