"""Public pages and exports in Django's cache, and the HTTP headers that let any cache in front keep them.

A public view says so with ``@public_cache``: its response is the same for every visitor of its URL (no
nonce, no CSRF token, no session, no flash messages; the language is in the URL). The decorator adds
``Cache-Control: public, max-age=PUBLIC_PAGE_CACHE_RECHECK, s-maxage=PUBLIC_PAGE_CACHE_SECONDS`` and an
ETag (the content's hash unless the view set one), and answers a matching If-None-Match with 304.

``PublicPageCacheMiddleware`` comes first of all the middleware and keeps such responses in the default
cache (CACHE_URL) under the site's public data version and the URL (scheme, host, path with language
prefix, and the query parameters the view declares it reads, sorted). A request with any other query
parameter is answered but neither looked up nor stored, so made-up query strings (``?r=1``, ``?r=2``, ...)
cannot fill the cache; a page over PUBLIC_PAGE_CACHE_MAX_ENTRY_BYTES is not stored either.
A hit is answered there, before the security headers are added (they were stored
with the page), before the input checks, sessions, CSRF, auth, messages and CSP, so a cached page costs
about what a bare Django view does. Only a response to a request that went through every check is stored,
and the key holds the scheme and the query, so a request the checks would refuse (or
redirect to HTTPS) finds nothing and goes on to its 400 (or redirect). Cookies do not
matter: the page is the same for everyone (a language cookie, a session, anything).

Each process also keeps the pages it served last in memory, under the same keys (as the data helpers keep
their values, pages/selectors/participants.py): a hit then costs no trip to the shared cache, which would
cost more than the rest of the request (a Redis round trip, or a file read and decompression). Because the
key carries the data version, a copy in memory is exactly as fresh as the shared entry, and it is dropped
after the same lifetime. The shared cache is what other workers (and this one, after a restart) find.

Freshness: any change to public data moves the version in the database (pages/versioning.py), so a new
key is used by every worker within PUBLIC_PAGE_CACHE_RECHECK seconds; what is old is never found again and
expires. Pages that show the time (the home page's "registration open", the schedule's "on air now", the
countdown's starting text before its script runs) are up to PUBLIC_PAGE_CACHE_SECONDS old, the entries'
lifetime; HTTP caches in front may keep them as long (s-maxage).

Only what is safe to share is stored: a 200 to a GET, marked public and not private/no-store, setting no
cookie and without a Vary header (a response that varies with request headers is not the same for every
visitor of its URL). One variation is allowed: a view marked ``@public_cache(by_encoding=True)`` sends
documents kept compressed (the exports and the map feed, pages/precompressed.py) with ``Vary:
Accept-Encoding``; its key also holds the encoding the request negotiates (br, gzip or identity, not the
header as sent, so browsers' many spellings share three entries), and a response is stored only under the
encoding it was sent in.

Which view a path has (so whether and how it is cached) is looked up once per path and process and
remembered: resolving the URL on every request cost as much as the rest of a hit.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
from collections.abc import Callable, Iterable
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import parse_http_date_safe

from pages import precompressed, versioning
from pages.lru import LocalLRU

logger = logging.getLogger(__name__)
View = Callable[..., HttpResponse]
Entry = tuple[bytes, tuple[tuple[str, str], ...], float]  # content, headers, when it was stored (time.time())
_UNSHAREABLE = frozenset({"private", "no-store", "no-cache"})
_CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


class Rule(NamedTuple):
    """How the page cache keeps a view's responses."""

    params: frozenset[str]  # the query parameters the view reads
    by_encoding: bool  # its response varies with Accept-Encoding (and only with it)


# The paths of cached views already looked up: the site's pages in every language, with room to spare
# (should more ever come, the least used lookups are only made again).
_RULES: LocalLRU[str, Rule] = LocalLRU(1024)


# Every page reads ?edition= (the canonical link of its preview card, pages/context_processors.py).
SITE_PARAMS = frozenset({"edition"})


def public_cache(
    view: View | None = None, *, params: Iterable[str] = (), by_encoding: bool = False
) -> View | Callable[[View], View]:
    """Mark a view's responses as the same for every visitor: cacheable by us and by any HTTP cache.

    ``params`` names the query parameters the view reads besides ``edition``: the page cache keys on
    those alone, and a request carrying any other (or one twice) is answered but not stored, so made-up
    query strings cannot fill the cache. ``by_encoding``: the view sends a document kept compressed
    (pages/precompressed.py), the same for every visitor who accepts the same encoding.
    ``@public_cache`` or ``@public_cache(params=("page", ...))``.
    """
    if view is None:
        return functools.partial(public_cache, params=params, by_encoding=by_encoding)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Flash messages wait for the next private page: showing them here would put one visitor's
        # message into a page that is the same for everyone (and reading them touches the session).
        messages = request.__dict__.pop("_messages", None)
        try:
            response = view(request, *args, **kwargs)
        finally:
            if messages is not None:
                request._messages = messages
        if response.status_code not in (200, 304):
            return response
        patch_cache_control(
            response,
            public=True,
            max_age=math.ceil(settings.PUBLIC_PAGE_CACHE_RECHECK),
            s_maxage=math.ceil(settings.PUBLIC_PAGE_CACHE_SECONDS),
        )
        if response.status_code == 200 and not response.streaming and not response.has_header("ETag"):
            set_response_etag(response)
        return _conditional(request, response)

    # Read by the middleware through the URL's view (outer decorators copy it with functools.wraps).
    wrapped.public_cache_rule = Rule(SITE_PARAMS | frozenset(params), by_encoding)  # type: ignore[attr-defined]
    return wrapped


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Static files are WhiteNoise's, below: never stored here, so not looked up either.
        if request.method not in ("GET", "HEAD") or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        try:
            key, encoding = cache_key(request)
            entry = _stored(key) if key is not None else None
        except Exception:
            # The cache or the database (versions) is down: answer without the page cache, so that what
            # can work does (/healthz names the failing part instead of this middleware's 500).
            logger.warning("Page cache unavailable; answering %s uncached", request.path, exc_info=True)
            return self.get_response(request)
        if entry is not None:
            return _from_cache(request, entry)
        response = self.get_response(request)
        if key is not None and request.method == "GET" and shareable(response, encoding=encoding):
            entry = (response.content, tuple(response.items()), time.time())
            if _size(entry) > settings.PUBLIC_PAGE_CACHE_MAX_ENTRY_BYTES:
                return response  # left to HTTP caches and to the data caches behind the view
            _LOCAL.put(key, entry)
            try:
                cache.set(key, entry, settings.PUBLIC_PAGE_CACHE_SECONDS)
            except Exception:
                logger.warning("Page cache unavailable; %s not stored", request.path, exc_info=True)
        return response


def cache_key(request: HttpRequest) -> tuple[str | None, str | None]:
    """The key of a URL's page under the current public data version, and the encoding it is kept in
    (None unless its view sends documents by encoding); (None, None) when it is not to be stored.

    Only a URL whose view is marked ``@public_cache`` has a key, and only with no query parameter but
    those the view reads, each at most once; the key holds them sorted, empty ones left out (the views
    read an empty value as a missing one). The host is taken as the request gives it, before Django
    checks it against ALLOWED_HOSTS (which costs more than the rest of a hit): a page is only stored by
    a request that passed that check, so a key made of a host Django would refuse never finds anything,
    and the request goes on to its 400.
    """
    found = rule(request.path_info)
    if found is None:
        return None, None
    query = []
    if request.META.get("QUERY_STRING"):
        for name, values in request.GET.lists():
            if name not in found.params or len(values) > 1:
                return None, None
            if values[0]:
                query.append((name, values[0]))
    encoding = precompressed.chosen_encoding(request) if found.by_encoding else None
    url = f"{request.scheme}://{request._get_raw_host()}{request.path}?{urlencode(sorted(query))}"
    digest = hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()
    return f"poltwt:page:{versioning.site().token}:{digest}{f':{encoding}' if encoding else ''}", encoding


def rule(path: str) -> Rule | None:
    """How the view of ``path`` is cached, if it is a ``@public_cache`` view; else None.

    Remembered for the paths of such views only: other paths (private pages, 404s) go through the whole
    middleware chain and Django's own resolving anyway.
    """
    found = _RULES.get(path)
    if found is None:
        # The language prefix of the path: i18n_patterns resolve only the active language's.
        language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
        try:
            with translation.override(language):
                match = resolve(path)
        except Resolver404:
            return None
        found = getattr(match.func, "public_cache_rule", None)
        if found is not None:
            _RULES.put(path, found)
    return found


@receiver(setting_changed)
def _urls_changed(*, setting: str, **kwargs) -> None:
    # Tests that swap the URLconf (as Django's own URL caches are cleared then).
    if setting == "ROOT_URLCONF":
        _RULES.clear()


def shareable(response: HttpResponse, *, encoding: str | None = None) -> bool:
    """Whether the response may be kept for everyone asking for its URL (by ``encoding``, for a view
    that sends documents by encoding: then Vary may name Accept-Encoding, and the response must be in
    that encoding)."""
    directives = {
        part.split("=", 1)[0].strip().lower() for part in response.get("Cache-Control", "").split(",")
    }
    if encoding is None:
        same_for_all = not response.has_header("Vary")
    else:
        varies = {part.strip().lower() for part in response.get("Vary", "").split(",")} - {""}
        sent_in = response.get("Content-Encoding", precompressed.IDENTITY).strip().lower()
        same_for_all = varies <= {"accept-encoding"} and sent_in == encoding
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and same_for_all
        and "public" in directives
        and not directives & _UNSHAREABLE
    )


def _stored(key: str) -> Entry | None:
    entry = _LOCAL.get(key)
    if entry is not None:
        if time.time() - entry[2] < settings.PUBLIC_PAGE_CACHE_SECONDS:  # as the shared entry expires
            return entry
        _LOCAL.discard(key)
    entry = cache.get(key)
    if entry is not None:
        _LOCAL.put(key, entry)
    return entry


def forget_local() -> None:
    """Drop this process's copies (the shared cache is emptied with cache.clear()): for tests, whose
    rollbacks bring versions back, so that a key can come round again with another test's page."""
    _LOCAL.clear()


def _size(entry: Entry) -> int:
    content, headers, _ = entry
    return len(content) + sum(len(name) + len(value) for name, value in headers)


# The pages in use at once (a few editions, languages and list filters, ~40 KiB each), and at most 16 MiB
# in all: an export of a large edition weighs megabytes.
_LOCAL: LocalLRU[str, Entry] = LocalLRU(256, max_weight=16 * 1024 * 1024, weigh=_size)


def _from_cache(request: HttpRequest, entry: Entry) -> HttpResponse:
    content, headers, stored_at = entry
    response = HttpResponse(content, headers=dict(headers))
    response["Age"] = str(max(0, int(time.time() - stored_at)))
    if any(name in request.META for name in _CONDITIONAL):
        return _conditional(request, response)
    return response


def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # As Django's ConditionalGetMiddleware does, from the response's own validators.
    etag = response.get("ETag")
    last_modified = parse_http_date_safe(response.get("Last-Modified"))
    if etag or last_modified:
        return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
    return response
