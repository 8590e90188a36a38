"""Client addresses, rate-limit keys and rates, read from settings so operators (and tests) can tune them."""

from __future__ import annotations

import ipaddress
import re

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# How proxies write a hop besides the bare address: "[2001:db8::1]", "[2001:db8::1]:443", "198.51.100.7:4000".
_BRACKETED = re.compile(r"\[(?P<host>[^\]]+)\](?::[0-9]{1,5})?")
_IPV4_WITH_PORT = re.compile(r"(?P<host>[0-9.]+):[0-9]{1,5}")


def client_ip(group: str, request: HttpRequest) -> str:
    """The rate-limit key of the client: its IPv4 address or its IPv6 /64 network ("2001:db8::/64")."""
    address = client_address(request)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address or "")


def lockout_address(request: HttpRequest) -> str:
    """How django-axes keys login lockouts (with the account): the IPv4 address, or the first address of
    the IPv6 /64, so that one subscriber's 2^64 addresses count as one client. Always a plain address,
    which the database's inet column accepts; "" when the server gave none."""
    address = client_address(request)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False).network_address)
    return str(address or "")


def client_address(request: HttpRequest) -> IPAddress | None:
    """The client's own address. Behind a proxy, the last X-Forwarded-For hop: the one our own proxy appended.

    Earlier hops are whatever the client claimed and must not be trusted, or anyone could pick a fresh key.
    A last hop that is no address at all is refused (400): our proxy would never write one. IPv4-mapped
    IPv6 addresses count as the IPv4 address.
    """
    if settings.BEHIND_PROXY:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            address = parse_address(hops[-1])
            if address is None:
                raise BadRequest("The last X-Forwarded-For hop is not an IP address.")
            return address
    return parse_address(request.META.get("REMOTE_ADDR", ""))


def parse_address(hop: str) -> IPAddress | None:
    """The address in a hop as proxies write it (bare, in brackets, with a port or an IPv6 zone), or None."""
    if match := _BRACKETED.fullmatch(hop) or _IPV4_WITH_PORT.fullmatch(hop):
        hop = match["host"]
    try:
        address = ipaddress.ip_address(hop.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def signup_rate(group: str, request: HttpRequest) -> str:
    return settings.RATE_LIMIT_SIGNUP


def link_rate(group: str, request: HttpRequest) -> str:
    return settings.RATE_LIMIT_LINKS
