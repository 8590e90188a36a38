"""Numbers read from a URL: ASCII digits only, and bounded.

``str.isdigit()`` is True for "²", "①" and "₁", which ``int()`` refuses, and ``int()`` itself accepts "٣"
(Arabic-Indic three), " 7", "+7" and "1_000". A number in a query string or an object id is a short run
of 0-9 or nothing.
"""

from __future__ import annotations

import re

_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")  # 18 digits stay within a 64-bit database integer


def parse(value: object, *, maximum: int = 2**63 - 1) -> int | None:
    """The whole number ``value`` spells in ASCII digits, if it is between 0 and ``maximum``; else None."""
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= maximum else None
