from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def site_languages() -> list[tuple[str, str]]:
    """settings.LANGUAGES as written: each name in its own language, never translated into the page's."""
    return list(settings.LANGUAGES)
