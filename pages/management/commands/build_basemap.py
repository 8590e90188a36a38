"""Build the packaged basemap: Natural Earth country outlines, TopoJSON (npm world-atlas) to GeoJSON.

The participant map draws the result under everything, so it stays readable on networks where no tile
server can be reached. See static/basemap/NOTICE.md for the source and how to rebuild.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# 3 decimals is about 100 m: finer than the 1:110m source, and it halves the file.
PRECISION = 3
# A closed ring needs three distinct points and the first one again.
MIN_RING = 4

Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Absolute coordinates of every arc; quantized arcs are delta-encoded integers."""
    transform = topology.get("transform")
    if transform is None:
        return [[(p[0], p[1]) for p in arc] for arc in topology["arcs"]]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for position in arc:
            x += position[0]
            y += position[1]
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[Point]]) -> list[Point]:
    points: list[Point] = []
    for index in indexes:
        # A negative index ~i means arc i walked backwards.
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Each arc starts where the previous one ended: keep that point once.
        points.extend(arc[1:] if points else arc)
    return points


def split_at_antimeridian(points: list[Point]) -> list[list[Point]]:
    """Cut a closed ring wherever it jumps across the 180th meridian (Fiji, Chukotka).

    world-atlas is drawn on a sphere, where such a ring is fine; Leaflet draws lon/lat flat, and the jump
    would fill a band across the whole world. Each piece is closed along the meridian. A ring with a
    single jump goes round a pole (Antarctica) and comes back as one piece, drawn right flat.
    """
    ring_points = points[:-1]
    count = len(ring_points)
    jumps = [i for i in range(count) if abs(ring_points[i][0] - ring_points[(i + 1) % count][0]) > 180]
    if not jumps:
        return [points]
    # Start just after a jump, so that no piece wraps round the end of the list.
    rotated = ring_points[jumps[0] + 1 :] + ring_points[: jumps[0] + 1]
    pieces: list[list[Point]] = []
    piece: list[Point] = []
    for i, (x1, y1) in enumerate(rotated):
        piece.append((x1, y1))
        x2, y2 = rotated[(i + 1) % count]
        if abs(x1 - x2) > 180:
            edge = 180.0 if x1 > 0 else -180.0
            x2_unwrapped = x2 - 360 if x2 > x1 else x2 + 360
            # A point already on the meridian is the crossing (and would divide by zero below).
            y = y1 if x1 == edge else y1 + (edge - x1) / (x2_unwrapped - x1) * (y2 - y1)
            pieces.append([*piece, (edge, y)])
            piece = [(-edge, y)]
    # The last crossing (back to the start) is where the first piece enters.
    pieces[0].insert(0, piece[0])
    return [[*p, p[0]] for p in pieces]


def rounded(points: list[Point]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in points:
        # "+ 0.0" turns -0.0 into 0.0.
        point = [round(x, PRECISION) + 0.0, round(y, PRECISION) + 0.0]
        # Repeated points: in the source (North Korea), or where a ring is cut on a point of the meridian.
        if not out or out[-1] != point:
            out.append(point)
    return out


def polygons(rings: list[list[int]], arcs: list[list[Point]]) -> list[list[list[list[float]]]]:
    outer, *holes = (ring(r, arcs) for r in rings)
    pieces = split_at_antimeridian(outer)
    if len(pieces) > 1 and holes:
        raise CommandError("a polygon with holes crosses the 180th meridian: not supported")
    rounded_holes = [h for h in map(rounded, holes) if len(h) >= MIN_RING]
    # world-atlas has a ring made of one point repeated (North Korea): nothing to draw.
    return [[p, *rounded_holes] for p in map(rounded, pieces) if len(p) >= MIN_RING]


def geometry(obj: dict[str, Any], arcs: list[list[Point]]) -> dict[str, Any] | None:
    kind = obj.get("type")
    if kind is None:
        return None
    if kind == "Polygon":
        parts = polygons(obj["arcs"], arcs)
    elif kind == "MultiPolygon":
        parts = [part for rings in obj["arcs"] for part in polygons(rings, arcs)]
    else:
        raise CommandError(f"unsupported geometry type {kind!r}: expected Polygon or MultiPolygon")
    if not parts:
        return None
    if len(parts) == 1:
        return {"type": "Polygon", "coordinates": parts[0]}
    return {"type": "MultiPolygon", "coordinates": parts}


def to_feature_collection(topology: dict[str, Any], object_name: str) -> dict[str, Any]:
    if topology.get("type") != "Topology":
        raise CommandError("not a TopoJSON file: its type is not 'Topology'")
    try:
        collection = topology["objects"][object_name]
    except KeyError:
        raise CommandError(
            f"no object {object_name!r}; the file has {', '.join(topology.get('objects', {})) or 'none'}"
        ) from None
    arcs = decode_arcs(topology)
    members = collection["geometries"] if collection.get("type") == "GeometryCollection" else [collection]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": (member.get("properties") or {}).get("name", "")},
                "geometry": geometry(member, arcs),
            }
            for member in members
        ],
    }


class Command(BaseCommand):
    help = "Convert world-atlas countries-110m.json (TopoJSON) into the basemap GeoJSON the map draws."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "topojson", type=Path, help="countries-110m.json from the npm package world-atlas"
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.BASE_DIR / "static" / "basemap" / "countries-110m.geojson",
            help="where to write the GeoJSON (default: static/basemap/countries-110m.geojson)",
        )
        parser.add_argument(
            "--object", dest="object_name", default="countries", help="TopoJSON object to convert"
        )

    def handle(self, *args: Any, topojson: Path, output: Path, object_name: str, **options: Any) -> None:
        try:
            topology = json.loads(topojson.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {topojson}: {exc}") from exc
        collection = to_feature_collection(topology, object_name)
        output.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"
        output.write_text(text, encoding="utf-8")
        size = len(text.encode("utf-8"))
        self.stdout.write(f"Wrote {len(collection['features'])} features to {output} ({size / 1024:.0f} KiB)")
