from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

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


@register.filter
def local_time(moment: dt.datetime, format_name: str = "DATETIME_FORMAT") -> SafeString:
    """A moment in UTC, with a slot that static/js/local-times.js fills with the visitor's own time.

    The slot holds the same words in UTC, invisible until the script fills it (and not shown at all
    without JavaScript, base.html), so that it takes its room from the first paint: filling it moves
    nothing on the page below (no layout shift).
    """
    utc = timezone.localtime(moment, dt.UTC)
    placeholder = gettext("({time} your time)").replace("{time}", date_format(utc, "SHORT_DATETIME_FORMAT"))
    return format_html(
        '<time datetime="{}" data-local>{} UTC<span class="local-time small text-body-secondary" '
        "data-local-slot> {}</span></time>",
        utc.isoformat(),
        date_format(utc, format_name),
        placeholder,
    )


@register.simple_tag
def local_zone() -> SafeString:
    """A slot that static/js/local-times.js fills with the visitor's time zone, held open as local_time's."""
    placeholder = gettext("and in your time zone ({zone})").replace("{zone}", "UTC")
    return format_html("<span data-local-zone data-local-slot> {}</span>", placeholder)
