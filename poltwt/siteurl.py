"""The site's public address, for links that leave the request: emails, calendar files, preview cards.

``SITE_URL`` decides in production. In development (DEBUG) without it, links use the address the site
was reached on (``runserver 127.0.0.1:8123`` gives links to port 8123): the middleware below remembers
the origin of the request being served, and the inline task backend renders emails in that same request.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

FALLBACK = "http://127.0.0.1:8000"
_request_origin: contextvars.ContextVar[str] = contextvars.ContextVar("poltwt_request_origin", default="")


def site_url() -> str:
    """``SITE_URL``; in development without it, the origin of the current request (else 127.0.0.1:8000)."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if settings.DEBUG:
        return _request_origin.get() or FALLBACK
    return FALLBACK


def absolute(path: str) -> str:
    return site_url() + path


class RequestOriginMiddleware:
    """Remember the origin of each request in development, when SITE_URL is not set."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SITE_URL or not settings.DEBUG:
            return self.get_response(request)
        # get_host() validates against ALLOWED_HOSTS, so a forged Host header never ends up in a link.
        token = _request_origin.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
