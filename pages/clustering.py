"""The map's first view, clustered on the server exactly as the map's worker clusters it.

The worker (static/js/participant-map-worker.js) clusters the zooms up to ``WORLD_MAX_ZOOM`` with one
supercluster index built from the shown participants. Starting a worker, fetching the feed and building
that index take the browser about half a second on a busy phone; the first view (the world at the map's
opening zoom) is worked out here instead, once per version of the data, and comes with the page, so the
clusters are drawn as soon as the Leaflet map exists.

This is supercluster 9.1's algorithm (static/vendor/supercluster/, ``load`` and ``_cluster``) for those
few zooms, with the same arithmetic: coordinates in fixed point (2**30 units to the world), distances
compared as doubles, cluster centres as integer sums divided once and truncated, and cluster ids made
the same way. So the worker, asked for the same view later, answers with the same clusters under the
same numbers: the page keeps the markers it has, and a cluster of the first view zooms and lists its
participants like any other. A browser test compares the two.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

# The worker's constants (participant-map-worker.js): cluster radius in pixels, and its world index's
# deepest zoom. supercluster's defaults: 512-pixel tiles, at least 2 points to a cluster.
RADIUS = 60
WORLD_MAX_ZOOM = 4
EXTENT = 512
# supercluster 9 keeps coordinates as 32-bit integers: (x - 0.5) * 2**30.
SCALE = 1 << 30


def first_view(
    lat: Sequence[Any], lng: Sequence[Any], kind: Sequence[int], handle: Sequence[str], *, zoom: int
) -> list[dict[str, Any]]:
    """Every cluster and lone participant of the map at ``zoom`` (at most WORLD_MAX_ZOOM), all kinds
    shown, in the worker's answer format: {c, lat, lng, a, o} for a cluster (c: the page's number for
    it), {i, lat, lng, k, h} for a participant (i: its row in the feed). Rows whose place is not a
    valid latitude and longitude are left out, as the worker leaves them out."""
    if not 0 <= zoom <= WORLD_MAX_ZOOM:
        raise ValueError(f"the first view is worked out for zooms 0 to {WORLD_MAX_ZOOM}, not {zoom}")
    rows = [
        i
        for i in range(len(lat))
        if _number(lat[i]) and _number(lng[i]) and abs(lat[i]) <= 90 and abs(lng[i]) <= 180
    ]
    count = len(rows)
    # Columns with one entry per item of the current level, in supercluster's order (the input order,
    # then the order in which each level was made): x, y, id, points, agencies, officers. A point's id
    # is its place among the input points.
    xs = [_fixed(_x(lng[i])) for i in rows]
    ys = [_fixed(_y(lat[i])) for i in rows]
    ids = list(range(count))
    points = [1] * count
    agencies = [1 if kind[i] == 0 else 0 for i in rows]
    officers = [1 if kind[i] == 1 else 0 for i in rows]
    for level in range(WORLD_MAX_ZOOM, zoom - 1, -1):
        xs, ys, ids, points, agencies, officers = _cluster(
            level, count, xs, ys, ids, points, agencies, officers
        )
    view = []
    for n in range(len(xs)):
        if points[n] > 1:
            view.append(
                {
                    "c": -1 - ids[n],  # the world index's numbers are negative (participant-map-worker.js)
                    "lat": _lat(ys[n] / SCALE + 0.5),
                    "lng": _lng(xs[n] / SCALE + 0.5),
                    "a": agencies[n],
                    "o": officers[n],
                }
            )
        else:
            i = rows[ids[n]]
            # Placed where supercluster puts a point: its coordinates there and back.
            place = {"lat": _lat(_y(lat[i])), "lng": _lng(_x(lng[i]))}
            view.append({"i": i, **place, "k": kind[i], "h": handle[i]})
    return view


def _cluster(zoom: int, count: int, *columns: list[int]) -> tuple[list[int], ...]:
    """supercluster's _cluster: the next level up, from the items of the level below (the columns as in
    first_view; count: the number of input points, which every cluster id includes)."""
    xs, ys, ids, points, agencies, officers = columns
    radius = RADIUS / (EXTENT * (1 << zoom)) * SCALE
    limit = radius * radius
    # Cells as wide as the radius: every neighbour is in the item's cell or one of the eight around it.
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for n in range(len(xs)):
        grid[(math.floor(xs[n] / radius), math.floor(ys[n] / radius))].append(n)
    visited = [False] * len(xs)
    up: tuple[list[int], ...] = ([], [], [], [], [], [])
    for n in range(len(xs)):
        if visited[n]:
            continue
        visited[n] = True
        x, y = xs[n], ys[n]
        column, row = math.floor(x / radius), math.floor(y / radius)
        # Squared distances as doubles (as JavaScript computes them), not as Python's exact integers.
        near = [
            m
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for m in grid.get((column + dx, row + dy), ())
            if not visited[m] and _squared(float(xs[m] - x)) + _squared(float(ys[m] - y)) <= limit
        ]
        if not near:
            for column_of, value in zip(up, (x, y, ids[n], points[n], agencies[n], officers[n]), strict=True):
                column_of.append(value)
            continue
        total, wx, wy = points[n], x * points[n], y * points[n]
        a, o = agencies[n], officers[n]
        for m in near:
            visited[m] = True
            total += points[m]
            wx += xs[m] * points[m]
            wy += ys[m] * points[m]
            a += agencies[m]
            o += officers[m]
        # The id says where the cluster began: its first item's place in the level and its zoom.
        cluster_id = (n << 5) + (zoom + 1) + count
        for column_of, value in zip(
            up, (int(wx / total), int(wy / total), cluster_id, total, a, o), strict=True
        ):
            column_of.append(value)
    return up


def _squared(value: float) -> float:
    return value * value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _fixed(value: float) -> int:
    return int((value - 0.5) * SCALE)  # truncated, as stored into supercluster's Int32Array


def _x(lng: float) -> float:
    return lng / 360 + 0.5


def _y(lat: float) -> float:
    sin = math.sin(lat * math.pi / 180)
    if sin >= 1:
        return 0.0
    if sin <= -1:
        return 1.0
    y = 0.5 - 0.25 * math.log((1 + sin) / (1 - sin)) / math.pi
    return 0.0 if y < 0 else 1.0 if y > 1 else y


def _lng(x: float) -> float:
    return 360 * (x - 0.5)


def _lat(y: float) -> float:
    return 360 * math.atan(math.exp((180 - 360 * y) * math.pi / 180)) / math.pi - 90
