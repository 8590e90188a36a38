from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter
def utc_offset(offset: dt.timedelta) -> str:
    """timedelta(hours=5, minutes=30) -> 'UTC+05:30'."""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"
