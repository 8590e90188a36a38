"""The map's own data: every located public participant in a compact, columnar JSON document.

The GeoJSON export repeats every property name and nests every point in three objects: at 100,000
participants it is about 30 MB to parse. The map needs less, in a shape that parses fast and clusters
without reshaping (static/js/participant-map-worker.js):

    {"version": 1, "build": "3f2a9c0d1e7b4a56", "edition": 6, "count": 2, "kinds": ["agency", "officer"],
     "lat": [37.4419, 52.5], "lng": [-122.143, -1.9],  # degrees; officers at city level, as everywhere
     "kind": [0, 1],                                    # index into "kinds"
     "handle": ["PaloAltoPolice", "SgtJaneDoe"],
     "text": ["", "Palo Alto PD", ...],                 # every other string once
     "name": [1, 0], "city": [...], "country": [...], "goal": [...], "hashtag": [...],  # into "text"
     "when": [0, 1],                                    # into "windows"
     "windows": [["08:00 Los Angeles", 1796400000, 1796486400], ...]}  # local start, UTC s (or null)

    "code": [...],                                     # country code ("GB"), into "text": the country filter
    "editions": {"1": 3},                              # by row: editions taken part in, where more than one
    "measures": ["tweets", "retweets", "mentions", "followers"],
    "results": {"1": [568, null, 662, null, 7, 8]}}    # by row, where published: the measures, then the
                                                       # source's name and address (into "text")

Participants come in the order the list below the map shows them (country, city, handle), so the page
lists those in view by walking the arrays, without sorting. The sparse columns ("editions", "results")
hold only rows that have something to say: most participants are new and have no published results.

``?edition=all`` has the same shape ("edition": "all"): every account that ever took part, once, at its
latest place, with no hours, goal or results (they belong to one edition).

The map's first view (the world at its opening zoom, clustered as the worker clusters it: pages/clustering.py)
is worked out from the same document when it is built, and comes with the page. Both carry the same random
"build", so that the page can tell when its first view and the feed its worker fetched are of different
data (the data changed between the two requests) and draws again from the feed.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from events.models import Edition
from pages import clustering, precompressed
from pages.localization import zone_place
from pages.maps import WORLD_ZOOM
from pages.selectors.participants import cached, cached_for_site, every_account, participants, row_window
from registrations.models import RESULT_MEASURES

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
    "code": "country_code",
}
ALL_EDITIONS = "all"
NO_WINDOW = ["", None, None]


@dataclass(frozen=True)
class MapData:
    feed: precompressed.Encoded  # the feed, encoded and compressed
    first_view: dict[str, Any]  # {"build", "zoom", "items": the worker's answer for the world at zoom}


def map_data(edition: Edition | None) -> MapData:
    """The edition's feed and first view (None: all editions'), built once per version of its public data
    (and language)."""
    if edition is None:
        return cached_for_site("mapdata.all", lambda: _map_data(build_all_editions_feed()))
    return cached(edition, "mapdata", lambda: _map_data(build_feed(edition)))


def _map_data(document: dict[str, Any]) -> MapData:
    build = secrets.token_hex(8)
    items = clustering.first_view(
        document["lat"], document["lng"], document["kind"], document["handle"], zoom=WORLD_ZOOM
    )
    return MapData(
        feed=precompressed.compress(_encode({**document, "build": build})),
        first_view={"build": build, "zoom": WORLD_ZOOM, "items": items},
    )


def build_feed(edition: Edition) -> dict[str, Any]:
    rows = [row for row in participants(edition) if row["latitude"] is not None]
    # A few hundred zones and hours for 100,000 participants: each window is worked out once.
    windows: dict[tuple, list[Any]] = {}

    def window(row: dict[str, Any]) -> list[Any]:
        when = (row["time_zone"], row["hours_from"], row["hours_to"])
        if when not in windows:
            windows[when] = _window(edition, row)
        return windows[when]

    return _columns(rows, edition=edition.ordinal, window=window)


def build_all_editions_feed() -> dict[str, Any]:
    return _columns(every_account(), edition=ALL_EDITIONS, window=lambda row: NO_WINDOW)


def _columns(rows: list[dict[str, Any]], *, edition: int | str, window: Callable) -> dict[str, Any]:
    rows = sorted(
        rows, key=lambda row: (row["country_name"].casefold(), row["city"].casefold(), row["handle"].lower())
    )
    texts: dict[str, int] = {"": 0}
    windows: dict[tuple, int] = {}
    window_rows: list[list[Any]] = []
    columns: dict[str, list[Any]] = {name: [] for name in ("lat", "lng", "kind", "handle", "when")}
    columns.update({name: [] for name in TEXT_COLUMNS})
    editions: dict[str, int] = {}
    results: dict[str, list[Any]] = {}
    for index, row in enumerate(rows):
        columns["lat"].append(round(row["latitude"], DECIMALS))
        columns["lng"].append(round(row["longitude"], DECIMALS))
        columns["kind"].append(KINDS.index(row["kind"]))
        columns["handle"].append(row["handle"])
        for name, field in TEXT_COLUMNS.items():
            columns[name].append(texts.setdefault(row.get(field) or "", len(texts)))
        when = tuple(window(row))
        if when not in windows:
            windows[when] = len(window_rows)
            window_rows.append(list(when))
        columns["when"].append(windows[when])
        if row.get("editions", 1) > 1:
            editions[str(index)] = row["editions"]
        result = row.get("results")
        if result and any(result[measure] is not None for measure in RESULT_MEASURES):
            sources = (
                texts.setdefault(result[field] or "", len(texts)) for field in ("source_name", "source_url")
            )
            results[str(index)] = [*(result[measure] for measure in RESULT_MEASURES), *sources]
    return {
        "version": FEED_VERSION,
        "edition": edition,
        "count": len(rows),
        "kinds": list(KINDS),
        **columns,
        "text": list(texts),
        "windows": window_rows,
        "editions": editions,
        "measures": list(RESULT_MEASURES),
        "results": results,
    }


def _window(edition: Edition, row: dict[str, Any]) -> list[Any]:
    """[the participant's own start ("08:00 Honolulu"), start and end in UTC seconds, or None]."""
    if not row["time_zone"]:
        return NO_WINDOW
    start = row["hours_from"] or edition.start_time
    window = row_window(edition, row)
    return [
        f"{start:%H:%M} {zone_place(row['time_zone'])}",
        int(window.starts_at.timestamp()) if window else None,
        int(window.ends_at.timestamp()) if window else None,
    ]


def _encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
