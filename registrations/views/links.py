"""The private links poltwt emails (confirm, manage, withdraw, invitations) share one front door."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from poltwt.ratelimit import client_ip, link_rate
from registrations import tokens


def private_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page with a secret in its URL or personal data in its body: no cache keeps it (browser back
    button, shared proxies), no Referer header carries its URL to another site, and no search engine
    indexes it (the header, and the robots meta tag that base.html writes for `request.noindex`)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.noindex = True
        response = view(request, *args, **kwargs)
        mark_private(response)
        return response

    # Under that policy browsers send "Origin: null" with the page's own forms: the CSRF middleware
    # accepts it here, and still demands the CSRF token (poltwt/middleware.py).
    wrapper.csrf_accepts_null_origin = True  # type: ignore[attr-defined]
    return wrapper


def mark_private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def private_link(read: Callable[[str], Any]):
    """Rate-limit the view, read its token with `read`, and explain a bad link instead of calling the view.

    The view is called as view(request, found, token), where `found` is what `read` returned.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[[HttpRequest, str], HttpResponse]:
        @functools.wraps(view)
        @require_http_methods(["GET", "POST"])
        @ratelimit(group="links", key=client_ip, rate=link_rate, method=ratelimit.ALL, block=False)
        @private_page
        def wrapper(request: HttpRequest, token: str) -> HttpResponse:
            if getattr(request, "limited", False):
                return render(request, "registrations/too_many.html", status=429)
            try:
                found = read(token)
            except tokens.LinkExpired:
                return render(request, "registrations/link_problem.html", {"expired": True}, status=410)
            except tokens.LinkInvalid:
                return render(request, "registrations/link_problem.html", {"expired": False}, status=404)
            return view(request, found, token)

        wrapper.csrf_accepts_null_origin = True  # type: ignore[attr-defined]
        return wrapper

    return decorate


def registration_link(purpose: tokens.Purpose):
    return private_link(functools.partial(tokens.read_token, purpose=purpose))
