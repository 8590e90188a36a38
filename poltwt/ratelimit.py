"""Rate-limit keys and rates, read from settings so operators (and tests) can tune them."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(group: str, request: HttpRequest) -> str:
    """The client's address. Behind a proxy, the last X-Forwarded-For hop: the one our own proxy appended.

    Earlier hops are whatever the client claimed and must not be trusted, or anyone could pick a fresh key.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def signup_rate(group: str, request: HttpRequest) -> str:
    return settings.RATE_LIMIT_SIGNUP


def link_rate(group: str, request: HttpRequest) -> str:
    return settings.RATE_LIMIT_LINKS
