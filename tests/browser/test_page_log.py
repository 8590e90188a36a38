"""The browser tests' own checker (conftest.watch and PageLog): what it calls a broken resource.

A page on a stub server asks for a resource that the server holds back until the test lets it go. When the
test navigates away meanwhile, the browser cancels the request (net::ERR_ABORTED): nothing was waiting for
it, so it is not broken. The same cancellation on a page that stays, and a resource answered with 404,
are broken.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.conftest import PageLog, watch
from tests.browser.helpers import TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How each kind of resource is asked for, and the resource type Playwright gives its request.
RESOURCES = {
    "script": ('<script src="/held/script.js"></script>', "script"),
    "stylesheet": ('<link rel="stylesheet" href="/held/style.css">', "stylesheet"),
    "image": ('<img src="/held/image.png" alt="">', "image"),
    "fetch": ('<script>fetch("/held/data.json")</script>', "fetch"),
    "icon": ('<link rel="icon" href="/held/icon.svg">', "other"),
}


class HeldResources:
    """A server on 127.0.0.1: /page/<kind> asks for /held/…, which is answered only after release()."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.released = threading.Event()
        held = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/page/"):
                    return self.answer(
                        200, "text/html", f"<!doctype html>{RESOURCES[self.path[6:]][0]}<p>page"
                    )
                if self.path.startswith("/held/"):
                    held.asked.set()
                    held.released.wait(timeout=60)
                    return self.answer(200, "text/plain", "")
                if self.path == "/broken":
                    return self.answer(200, "text/html", '<!doctype html><script src="/missing.js"></script>')
                if self.path == "/next":
                    return self.answer(200, "text/html", "<!doctype html><p>next")
                return self.answer(404, "text/plain", "not here")

            def answer(self, status: int, content_type: str, body: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def wait_until_asked(self, page) -> None:
        # Playwright's sync API runs the context's route handler only while this thread is inside one of its
        # calls: wait inside Playwright, a few milliseconds at a time, not on the event alone.
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while not self.asked.is_set():
            assert time.monotonic() < deadline, "the page never asked for the held resource"
            page.wait_for_timeout(10)


@pytest.fixture
def held() -> Iterator[HeldResources]:
    stub = HeldResources()
    thread = threading.Thread(target=stub.server.serve_forever, daemon=True)
    thread.start()
    yield stub
    stub.released.set()
    stub.server.shutdown()
    stub.server.server_close()


@pytest.fixture
def watched(browser_context) -> Iterator[tuple[object, PageLog]]:
    """A page watched by its own log, so the failures provoked here do not fail the test at teardown."""
    log = PageLog()
    page = browser_context.new_page()
    watch(page, log)
    yield page, log
    page.close()


@pytest.mark.parametrize("kind", RESOURCES)
def test_a_request_cancelled_because_the_page_navigated_away_is_not_broken(watched, held, kind):
    page, log = watched
    page.goto(f"{held.url}/page/{kind}", wait_until="commit")
    held.wait_until_asked(page)
    # On a busy machine the first page's own document may still be arriving and be cancelled too: wait for
    # the held resource's failure, whatever else fails before it.
    with page.expect_event("requestfailed", predicate=lambda request: "/held/" in request.url) as failed:
        page.goto(f"{held.url}/next")

    assert failed.value.failure == "net::ERR_ABORTED"
    assert failed.value.resource_type == RESOURCES[kind][1]
    assert f"net::ERR_ABORTED {RESOURCES[kind][1]} {failed.value.url}" in [
        what for _, _, what in log.cancelled_requests
    ]
    assert log.unexpected() == []


def test_a_request_cancelled_on_a_page_that_stays_is_broken(watched, held):
    page, log = watched
    page.goto(f"{held.url}/page/script", wait_until="commit")
    held.wait_until_asked(page)
    with page.expect_event("requestfailed"):
        page.evaluate("window.stop()")

    assert log.unexpected() == [f"broken resource: net::ERR_ABORTED script {held.url}/held/script.js"]


def test_a_missing_script_is_broken_even_when_the_test_navigates_on(watched, held):
    page, log = watched
    page.goto(f"{held.url}/broken")
    page.goto(f"{held.url}/next")

    assert log.unexpected() == [f"broken resource: 404 script {held.url}/missing.js"]
