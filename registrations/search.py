"""Accent- and case-blind search: one folded text per registration, the same on SQLite and PostgreSQL.

Searching folds the query the same way (geo.text.fold) and looks for it inside the stored text with a
plain, case-sensitive `contains`.
"""

from __future__ import annotations

from geo.text import fold

# Fields a visitor or an organizer may search by name (the public list shows the first three).
SEARCHED_FIELDS = ("handle", "agency_name", "city", "region")
SEARCH_TEXT_LENGTH = 700


def search_text(values: dict[str, str] | object) -> str:
    """The folded text kept in Registration.search_text, from its searched fields."""
    get = values.get if isinstance(values, dict) else lambda name, default="": getattr(values, name, default)
    return " | ".join(fold(get(name, "") or "") for name in SEARCHED_FIELDS)[:SEARCH_TEXT_LENGTH]
