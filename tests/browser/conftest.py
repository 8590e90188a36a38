"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live_server.

One Chromium for the whole browser suite (launching costs ~1 s), a fresh context per test (cookies,
storage and cache start empty). Every page is watched: an uncaught script error, a Content Security
Policy violation, a script/style/data file that fails to load, or a request to anywhere but the live
server fails the test at teardown, unless the test says it expects it (see PageLog). A request the
browser cancelled because its page navigated away is not a failure: nothing was waiting for it.

The live server runs in a thread of this process, so it shares the settings (the `settings` fixture
reaches it), the locmem cache and `django.core.mail.outbox` with the test.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Error, sync_playwright

from events.models import Edition
from geo import geocoding
from tests.browser.helpers import TIMEOUT_MS
from tests.factories import EditionFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MISSING_BROWSER = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}

# Chromium prints CSP violations on the console, in words that change between versions; the DOM event
# is stable. Frame-ancestors refusals are not dispatched to the parent page: those come from the console.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.effectiveDirective} blocked ${event.blockedURI}`);
});
"""


def _browser_required() -> bool:
    return os.environ.get("POLTWT_REQUIRE_BROWSER") == "1"


def _skip_or_fail(reason: str) -> None:
    # CI sets POLTWT_REQUIRE_BROWSER=1: there a missing browser must not turn the suite silently green.
    if _browser_required():
        pytest.fail(f"{reason} (POLTWT_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


# Package scope, not session: one Playwright and one Chromium serve every test under tests/browser/ (in a
# plain run, the whole session's browser tests), and both stop when the last browser test is done. A
# session-scoped Playwright would keep its event loop registered as running in the main thread (and the
# variable below set) while the rest of the suite runs after tests/browser/, disabling Django's
# async-safety check there and breaking anything that calls async_to_sync.
@pytest.fixture(scope="package")
def playwright_instance() -> Iterator:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _skip_or_fail(MISSING_BROWSER)
    # Playwright's sync API runs an asyncio event loop in this (the main) thread for the whole session.
    # Django's ORM sees a running loop and raises SynchronousOnlyOperation for every query made by the
    # tests and by pytest-django's database fixtures (including the flush after each transactional test).
    # Nothing here is really async: each Playwright call blocks until done and the ORM never runs inside
    # a coroutine, so the check is a false alarm. The live server's own threads have no loop and are not
    # affected. The variable is set only while Playwright runs and restored afterwards.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright_instance) -> Iterator:
    try:
        browser = playwright_instance.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:  # Playwright raises its own Error for a browser that cannot start
        _skip_or_fail(f"Chromium at {CHROMIUM} did not start: {str(exc).splitlines()[0]}")
    yield browser
    browser.close()


@dataclass
class PageLog:
    """What a page reported while a test ran. Tests read it; teardown fails on the unexpected parts."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    broken_resources: list[str] = field(default_factory=list)
    # Requests cancelled by the browser (net::ERR_ABORTED): broken only if their frame never navigated away
    # afterwards, which is known only at the end. Each is (frame, its navigations when cancelled, what).
    cancelled_requests: list[tuple[object, int, str]] = field(default_factory=list)
    # How many times each frame navigated or was removed so far (bumped by watch()).
    frame_navigations: dict[object, int] = field(default_factory=dict)
    # A test that provokes a failure on purpose lists the patterns it expects (re.search on the message).
    expected_page_errors: list[str] = field(default_factory=list)
    expected_csp_violations: list[str] = field(default_factory=list)

    def unexpected(self) -> list[str]:
        def keep(messages: list[str], expected: list[str]) -> list[str]:
            return [m for m in messages if not any(re.search(p, m) for p in expected)]

        # A frame that navigated (or was removed) after a request was cancelled no longer shows the
        # document that asked for it: the browser dropped a response nobody needed any more.
        still_shown = [
            what
            for frame, navigations, what in self.cancelled_requests
            if frame is None or self.frame_navigations.get(frame, 0) == navigations
        ]
        return [
            *(f"page error: {m}" for m in keep(self.page_errors, self.expected_page_errors)),
            *(f"CSP violation: {m}" for m in keep(self.csp_violations, self.expected_csp_violations)),
            *(f"request outside the live server: {url}" for url in self.outside_requests),
            *(f"broken resource: {what}" for what in [*self.broken_resources, *still_shown]),
        ]


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def browser_context(browser, page_log: PageLog, live_server) -> Iterator:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)

    def route(route) -> None:
        # Pages must not call out (no CDN, no tile server here): record and refuse anything not local.
        host = urlsplit(route.request.url).hostname or ""
        if urlsplit(route.request.url).scheme in ("http", "https") and host not in LOOPBACK_HOSTS:
            page_log.outside_requests.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", route)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    yield context
    context.close()


def watch(page, log: PageLog) -> None:
    """Record a page's script errors, CSP violations and subresources that failed to load."""

    def on_console(message) -> None:
        if message.type != "error":
            return
        text = message.text
        log.console_errors.append(text)
        if "Content Security Policy" in text or "X-Frame-Options" in text:
            log.csp_violations.append(text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: log.page_errors.append(f"{error.name}: {error.message}"))

    # A page answering 4xx is something a test may ask for; a script, stylesheet or data file that
    # does not load (a wrong static path, a failing GeoJSON view) is always a broken page.
    def on_response(response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            log.broken_resources.append(f"{response.status} {response.request.resource_type} {response.url}")

    def on_navigated(frame) -> None:
        log.frame_navigations[frame] = log.frame_navigations.get(frame, 0) + 1

    # When a frame commits a new document, the old document's requests still in flight fail with
    # net::ERR_ABORTED just before "framenavigated" arrives (Playwright fails them itself; so does the
    # browser when a document is unloaded): at the failure the page cannot yet tell a cancelled request
    # from a load that failed on a page that stays, so cancelled requests are judged at the end.
    page.on("framenavigated", on_navigated)
    page.on("framedetached", on_navigated)

    def on_request_failed(request) -> None:
        if request.resource_type == "document" or request.url in log.outside_requests:
            return
        what = f"{request.failure} {request.resource_type} {request.url}"
        if request.failure != "net::ERR_ABORTED":
            log.broken_resources.append(what)
            return
        try:
            frame = request.frame
        except Error:  # a service worker's request belongs to no frame
            frame = None
        log.cancelled_requests.append((frame, log.frame_navigations.get(frame, 0), what))

    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)


@pytest.fixture
def page(browser_context, page_log: PageLog) -> Iterator:
    page = browser_context.new_page()
    watch(page, page_log)
    yield page
    problems = page_log.unexpected()
    assert not problems, "The browser reported:\n" + "\n".join(problems)


@pytest.fixture(scope="package", autouse=True)
def _gazetteer_built() -> None:
    """Build the offline geocoder's city index (once per process) before any page is timed.

    Tests run background tasks at once, inside the request: the first sign-up would otherwise build the
    index (34,000 cities; about a second alone, over ten on a busy machine) while the browser waits for
    the next page, against the navigation timeout.
    """
    geocoding._GAZETTEER.get()


@pytest.fixture(autouse=True)
def _no_map_tiles(settings) -> None:
    """OpenStreetMap cannot be reached here: the map draws the packaged basemap instead of waiting."""
    settings.MAP_TILES_URL = ""


@pytest.fixture
def site_url(settings, live_server) -> str:
    """Links in emails point at the live server (SITE_URL is read when each email is rendered)."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def open_edition(transactional_db) -> Edition:
    """The edition open for sign-up now (date ahead, registration open for another month)."""
    now = timezone.now()
    return EditionFactory(
        ordinal=9,
        title="9th Global Police Tweet-a-thon",
        date=(now + dt.timedelta(days=40)).date(),
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
    )
