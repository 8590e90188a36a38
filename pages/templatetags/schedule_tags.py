from __future__ import annotations

import datetime as dt

from django import template

from pages import localization

register = template.Library()


@register.filter
def utc_offset(offset: dt.timedelta) -> str:
    """timedelta(hours=5, minutes=30) -> 'UTC+05:30'."""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


@register.filter
def zone_place(tz_name: str) -> str:
    """'Pacific/Honolulu' -> 'Honolulu', in the page's language."""
    return localization.zone_place(tz_name)
