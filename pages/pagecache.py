"""Whole-page cache for the public pages, answered before the session, CSRF, auth and CSP middleware.

The map, the participant list, the statistics and the schedule are the same for every anonymous visitor
until the public data changes. For a GET without cookies, this middleware keeps the rendered response of
each URL in the process and serves it again while the site's data version (selectors.SITE, moved by every
change to an edition or a registration) is unchanged, for at most PUBLIC_PAGE_CACHE_SECONDS (pages also
show time: countdowns, who is on air). The version is looked up at most once per
PUBLIC_PAGE_CACHE_RECHECK seconds, so a change shows within that delay.

Security: every response still gets a fresh CSP nonce. The stored copy holds a placeholder where the
nonce was, in the body and in the Content-Security-Policy header, and each hit fills in a new random one.
Visitors with any cookie (a session, flash messages, the CSRF cookie of a form) always get a page rendered
for them, and a response that sets a cookie is never stored.
"""

from __future__ import annotations

import base64
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from pages.selectors import participants as selectors

# Paths after the language prefix (/en/map/ is "/map/" in English): the key is the full URL, so every
# language has its own entries.
CACHED_PATHS = frozenset({"/map/", "/map/embed/", "/participants/", "/stats/", "/schedule/"})
_LANGUAGE_PREFIX = re.compile(r"^/([a-z]{2,3}(?:-[a-z0-9]+)?)(/.*)$")


def _unprefixed(path: str) -> str | None:
    match = _LANGUAGE_PREFIX.match(path)
    if match is None or match.group(1) not in dict(settings.LANGUAGES):
        return None
    return match.group(2)


PLACEHOLDER = "poltwt-page-cache-nonce"
MAX_ENTRIES = 256  # a search box makes URLs unbounded: keep the most recent ones
_NONCE_IN_POLICY = re.compile(r"'nonce-([A-Za-z0-9+/=_-]+)'")
# Headers worth keeping; others (Date, Content-Length) are set again for each response.
_KEPT_HEADERS = (
    "Content-Type",
    "Content-Security-Policy",
    "X-Frame-Options",
    "ETag",
    "Last-Modified",
    "Vary",
    "Cache-Control",
    "Content-Language",
)


@dataclass(frozen=True)
class _Entry:
    version: float
    stored_at: float
    body: str
    headers: tuple[tuple[str, str], ...]

    def response(self) -> HttpResponse:
        # The same length and alphabet as django-csp's nonces.
        nonce = base64.b64encode(os.urandom(16)).decode("ascii")
        response = HttpResponse(self.body.replace(PLACEHOLDER, nonce))
        for name, value in self.headers:
            response[name] = value.replace(PLACEHOLDER, nonce)
        return response


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._version: float | None = None
        self._version_checked_at = 0.0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._cacheable_request(request):
            return self.get_response(request)
        key = (request.get_host(), request.get_full_path())
        version, now = self._site_version(), time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if (
                entry
                and entry.version == version
                and now - entry.stored_at < settings.PUBLIC_PAGE_CACHE_SECONDS
            ):
                self._entries.move_to_end(key)
                return entry.response()
        response = self.get_response(request)
        stored = self._storable(response, version, now)
        if stored is not None:
            with self._lock:
                self._entries[key] = stored
                while len(self._entries) > MAX_ENTRIES:
                    self._entries.popitem(last=False)
        return response

    @staticmethod
    def _cacheable_request(request: HttpRequest) -> bool:
        return (
            request.method == "GET"
            and _unprefixed(request.path) in CACHED_PATHS
            # The language cookie does not change a page whose URL names its language.
            and not (request.COOKIES.keys() - {settings.LANGUAGE_COOKIE_NAME})
            # A browser revalidating its copy gets the view's own ETag handling (and its 304).
            and "HTTP_IF_NONE_MATCH" not in request.META
            and "HTTP_IF_MODIFIED_SINCE" not in request.META
        )

    def _site_version(self) -> float:
        now = time.monotonic()
        if self._version is None or now - self._version_checked_at >= settings.PUBLIC_PAGE_CACHE_RECHECK:
            self._version = selectors.data_version(selectors.SITE)
            self._version_checked_at = now
        return self._version

    @staticmethod
    def _storable(response: HttpResponse, version: float, now: float) -> _Entry | None:
        if response.status_code != 200 or response.streaming or response.cookies:
            return None
        policy = response.get("Content-Security-Policy", "")
        match = _NONCE_IN_POLICY.search(policy)
        if match is None:
            return None  # only pages whose nonce we can replace
        nonce = match.group(1)
        headers = tuple(
            (name, response[name].replace(nonce, PLACEHOLDER))
            for name in _KEPT_HEADERS
            if response.has_header(name)
        )
        body = response.content.decode(response.charset).replace(nonce, PLACEHOLDER)
        return _Entry(version=version, stored_at=now, body=body, headers=headers)
