"""Rate-limit keys and rates, read from settings so operators (and tests) can tune them."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(group: str, request: HttpRequest) -> str:
    """The client's address. Behind a proxy, the last X-Forwarded-For hop: the one our own proxy appended.

    Earlier hops are whatever the client claimed and must not be trusted, or anyone could pick a fresh key.
    """
    return client_key(client_address(request))


def client_address(request: HttpRequest) -> str:
    """The client's own address (see client_ip); also how django-axes keys login lockouts."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            address = hops[-1]
    return address


def client_key(address: str) -> str:
    """One key per client: an IPv4 address, or the /64 network of an IPv6 address.

    One IPv6 subscriber usually holds a whole /64 (2^64 addresses), so keying on the full address would
    give them a fresh limit per request. IPv4-mapped IPv6 addresses count as the IPv4 address.
    """
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def signup_rate(group: str, request: HttpRequest) -> str:
    return settings.RATE_LIMIT_SIGNUP


def link_rate(group: str, request: HttpRequest) -> str:
    return settings.RATE_LIMIT_LINKS
