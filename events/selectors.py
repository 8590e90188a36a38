"""Reads the event pages need."""

from __future__ import annotations

from events.models import Edition


def featured_edition() -> Edition | None:
    """The edition the home page is about: the one open for sign-up, else the next one, else the latest."""
    return Edition.objects.current() or Edition.objects.upcoming().first() or Edition.objects.first()


def past_editions() -> list[Edition]:
    return list(Edition.objects.past())
