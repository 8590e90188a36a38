"""The map's own data: every located public participant in a compact, columnar JSON document.

The GeoJSON export repeats every property name and nests every point in three objects: at 100,000
participants it is about 30 MB to parse. The map needs less, in a shape that parses fast and clusters
without reshaping (static/js/participant-map-worker.js):

    {"version": 1, "edition": 6, "count": 2, "kinds": ["agency", "officer"],
     "lat": [37.4419, 52.5], "lng": [-122.143, -1.9],  # degrees; officers at city level, as everywhere
     "kind": [0, 1],                                    # index into "kinds"
     "handle": ["PaloAltoPolice", "SgtJaneDoe"],
     "text": ["", "Palo Alto PD", ...],                 # every other string once
     "name": [1, 0], "city": [...], "country": [...], "goal": [...], "hashtag": [...],  # into "text"
     "when": [0, 1],                                    # into "windows"
     "windows": [["08:00 Los Angeles", 1796400000, 1796486400], ...]}  # local start, UTC s (or null)

Participants come in the order the list below the map shows them (country, city, handle), so the page
lists those in view by walking the arrays, without sorting.
"""

from __future__ import annotations

import json
from typing import Any

from events.models import Edition
from pages import precompressed
from pages.localization import zone_place
from pages.selectors.participants import cached, participants, row_window

FEED_VERSION = 1
KINDS = ("agency", "officer")
# About 11 m: finer than any geocoder's city or street point needs, and 4 digits less per number.
DECIMALS = 4
TEXT_COLUMNS = {
    "name": "agency_name",
    "city": "city",
    "country": "country_name",
    "goal": "local_goal",
    "hashtag": "local_hashtag",
}


def map_feed(edition: Edition) -> precompressed.Encoded:
    """The feed, encoded and compressed once per version of the edition's public data (and language)."""
    return cached(edition, "mapfeed", lambda: precompressed.compress(_encode(build_feed(edition))))


def build_feed(edition: Edition) -> dict[str, Any]:
    rows = [row for row in participants(edition) if row["latitude"] is not None]
    rows.sort(key=lambda row: (row["country_name"].casefold(), row["city"].casefold(), row["handle"].lower()))
    texts: dict[str, int] = {"": 0}
    windows: dict[tuple, int] = {}
    window_rows: list[list[Any]] = []
    columns: dict[str, list[Any]] = {name: [] for name in ("lat", "lng", "kind", "handle", "when")}
    columns.update({name: [] for name in TEXT_COLUMNS})
    for row in rows:
        columns["lat"].append(round(row["latitude"], DECIMALS))
        columns["lng"].append(round(row["longitude"], DECIMALS))
        columns["kind"].append(KINDS.index(row["kind"]))
        columns["handle"].append(row["handle"])
        for name, field in TEXT_COLUMNS.items():
            columns[name].append(texts.setdefault(row[field] or "", len(texts)))
        when = (row["time_zone"], row["hours_from"], row["hours_to"])
        if when not in windows:
            windows[when] = len(window_rows)
            window_rows.append(_window(edition, row))
        columns["when"].append(windows[when])
    return {
        "version": FEED_VERSION,
        "edition": edition.ordinal,
        "count": len(rows),
        "kinds": list(KINDS),
        **columns,
        "text": list(texts),
        "windows": window_rows,
    }


def _window(edition: Edition, row: dict[str, Any]) -> list[Any]:
    """[the participant's own start ("08:00 Honolulu"), start and end in UTC seconds, or None]."""
    if not row["time_zone"]:
        return ["", None, None]
    start = row["hours_from"] or edition.start_time
    window = row_window(edition, row)
    return [
        f"{start:%H:%M} {zone_place(row['time_zone'])}",
        int(window.starts_at.timestamp()) if window else None,
        int(window.ends_at.timestamp()) if window else None,
    ]


def _encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
