"""Signed, expiring links sent to registrants: confirm an email, manage a registration.

The payload names the registration and the version of its links; bumping `link_version` (on withdrawal)
invalidates every link sent so far. A confirmation link is also bound to the address it was sent to, so
changing the email makes the old link useless.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core import signing
from django.utils.crypto import salted_hmac

from events.models import Edition
from registrations.models import Registration

Purpose = Literal["confirm", "manage", "return"]

MAX_AGE: dict[str, dt.timedelta] = {
    "confirm": dt.timedelta(days=7),
    # Long enough to last from sign-up through the edition; a lost or expired link can be re-sent.
    "manage": dt.timedelta(days=365),
    # An invitation is good while the new edition takes sign-ups; the view checks that too.
    "return": dt.timedelta(days=180),
}


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def _email_tag(email: str) -> str:
    # Signed tokens are readable by anyone who sees the URL: a keyed HMAC, so that nobody without
    # SECRET_KEY can test a guessed address against the tag (a plain hash could be).
    return salted_hmac("poltwt.token-email", email.strip().lower(), algorithm="sha256").hexdigest()[:16]


def make_token(registration: Registration, purpose: Purpose) -> str:
    payload = {"r": registration.pk, "v": registration.link_version}
    if purpose == "confirm":
        payload["e"] = _email_tag(registration.email)
    return signing.dumps(payload, salt=f"poltwt.{purpose}", compress=True)


def make_return_token(registration: Registration, target: Edition) -> str:
    """An invitation to re-register `registration` (of a past edition) for the edition `target`."""
    payload = {"r": registration.pk, "v": registration.link_version, "t": target.pk}
    return signing.dumps(payload, salt="poltwt.return", compress=True)


def read_return_token(token: str) -> tuple[Registration, Edition]:
    registration = read_token(token, "return")
    target = Edition.objects.filter(pk=_payload(token, "return").get("t")).first()
    if target is None:
        raise LinkInvalid
    return registration, target


def _payload(token: str, purpose: Purpose) -> dict:
    try:
        payload = signing.loads(token, salt=f"poltwt.{purpose}", max_age=MAX_AGE[purpose])
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    if not isinstance(payload, dict):
        raise LinkInvalid
    return payload


def read_token(token: str, purpose: Purpose) -> Registration:
    """The registration a valid token names; LinkExpired or LinkInvalid otherwise."""
    payload = _payload(token, purpose)
    registration = Registration.objects.select_related("edition").filter(pk=payload.get("r")).first()
    if registration is None or registration.link_version != payload.get("v"):
        raise LinkInvalid
    if purpose == "confirm" and payload.get("e") != _email_tag(registration.email):
        raise LinkInvalid
    return registration
