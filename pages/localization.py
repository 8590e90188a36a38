"""Names a visitor reads in their own language that no catalogue of ours holds: time zones by their place."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import get_timezone_location
from django.utils import translation


@lru_cache(maxsize=4096)
def _zone_place(tz_name: str, language: str) -> str:
    fallback = tz_name.rsplit("/", 1)[-1].replace("_", " ")
    try:
        # CLDR's exemplar city, in the language: "Honolulu", "Ciudad de México", "هونولولو".
        return get_timezone_location(tz_name, locale=Locale.parse(language), return_city=True) or fallback
    except (LookupError, UnknownLocaleError, ValueError):
        return fallback


def zone_place(tz_name: str, language: str | None = None) -> str:
    """'Pacific/Honolulu' -> 'Honolulu' (in the active language); UTC and unknown ids keep their last part."""
    if not tz_name:
        return ""
    return _zone_place(tz_name, (language or translation.get_language() or "en").replace("-", "_"))
