"""manage.py build_basemap: TopoJSON (world-atlas) to the GeoJSON basemap, checked on hand-made topologies."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

# Quantized: x = qx * 0.5 - 180, y = qy * 0.25 - 10; each arc is its first point, then deltas.
TOPOLOGY: dict[str, Any] = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [-180, -10]},
    "arcs": [
        # 0: the edge A and B share, (1,0) -> (1,1)
        [[362, 40], [0, 4]],
        # 1: the rest of A, (1,1) -> (0,1) -> (0,0) -> (1,0)
        [[362, 44], [-2, 0], [0, -4], [2, 0]],
        # 2: the rest of B, (1,0) -> (2,0) -> (2,1) -> (1,1)
        [[362, 40], [2, 0], [0, 4], [-2, 0]],
        # 3 and 4: the two triangles of C
        [[380, 40], [2, 0], [-2, 4], [0, -4]],
        [[400, 20], [2, 0], [-2, 4], [0, -4]],
        # 5: D, (179,0) -> (-179,2) -> (-179,4) -> (179,4) -> (179,0): jumps the 180th meridian twice
        [[718, 40], [-716, 8], [0, 8], [716, 0], [0, -16]],
        # 6: E, round the pole like Antarctica: one jump, (-180,-9) -> (0,-8) -> (180,-9) -> (-180,-9)
        [[0, 4], [360, 4], [360, -4], [-720, 0]],
    ],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "1", "properties": {"name": "A"}},
                # ~0 == -1: arc 0 walked backwards
                {"type": "Polygon", "arcs": [[-1, 2]], "properties": {"name": "B"}},
                {"type": "MultiPolygon", "arcs": [[[3]], [[4]]], "properties": {"name": "C", "iso": "XC"}},
                {"type": "Polygon", "arcs": [[5]], "properties": {"name": "D"}},
                {"type": "Polygon", "arcs": [[6]], "properties": {"name": "E"}},
                {"type": None, "properties": {"name": "Nowhere"}},
            ],
        }
    },
}


def build(tmp_path: Path, topology: dict[str, Any], *args: str) -> dict[str, Any]:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(topology))
    output = tmp_path / "out" / "basemap.geojson"
    call_command("build_basemap", str(source), "--output", str(output), *args)
    return json.loads(output.read_text(encoding="utf-8"))


def test_converts_shared_reversed_and_multi_polygon_arcs(tmp_path: Path) -> None:
    features = build(tmp_path, TOPOLOGY)["features"]

    assert [f["properties"] for f in features] == [
        {"name": "A"},
        {"name": "B"},
        {"name": "C"},
        {"name": "D"},
        {"name": "E"},
        {"name": "Nowhere"},
    ]
    a, b, c, d, e, nowhere = (f["geometry"] for f in features)
    assert a == {"type": "Polygon", "coordinates": [[[1, 0], [1, 1], [0, 1], [0, 0], [1, 0]]]}
    assert b == {"type": "Polygon", "coordinates": [[[1, 1], [1, 0], [2, 0], [2, 1], [1, 1]]]}
    assert c == {
        "type": "MultiPolygon",
        "coordinates": [
            [[[10, 0], [11, 0], [10, 1], [10, 0]]],
            [[[20, -5], [21, -5], [20, -4], [20, -5]]],
        ],
    }
    # Cut at the meridian, each half closed along it; the first crossing is interpolated at latitude 1.
    assert d == {
        "type": "MultiPolygon",
        "coordinates": [
            [[[-180, 1], [-179, 2], [-179, 4], [-180, 4], [-180, 1]]],
            [[[180, 4], [179, 4], [179, 0], [180, 1], [180, 4]]],
        ],
    }
    assert e == {"type": "Polygon", "coordinates": [[[-180, -9], [0, -8], [180, -9], [-180, -9]]]}
    assert nowhere is None


def test_rounds_to_three_decimals_and_drops_repeated_and_one_point_rings(tmp_path: Path) -> None:
    # Not quantized: absolute positions.
    topology = {
        "type": "Topology",
        "arcs": [
            [
                [0.00049, -0.0004],
                [1.00049, -0.0004],
                [1.0002, -0.0001],
                [1.00049, 0.9996],
                [0.00049, -0.0004],
            ],
            [[5, 5], [5, 5], [5, 5]],
        ],
        "objects": {"land": {"type": "MultiPolygon", "arcs": [[[0]], [[1]]], "properties": {"name": "R"}}},
    }

    collection = build(tmp_path, topology, "--object", "land")

    assert collection["features"][0]["geometry"] == {
        "type": "Polygon",
        "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]],
    }
    raw = (tmp_path / "out" / "basemap.geojson").read_text()
    assert "-0.0" not in raw
    assert " " not in raw


def test_unknown_object_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no object 'land'; the file has countries"):
        build(tmp_path, TOPOLOGY, "--object", "land")


def test_unsupported_geometry_is_a_command_error(tmp_path: Path) -> None:
    topology = {**TOPOLOGY, "objects": {"countries": {"type": "LineString", "arcs": [0]}}}
    with pytest.raises(CommandError, match="unsupported geometry type 'LineString'"):
        build(tmp_path, topology)


def test_unreadable_input_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("build_basemap", str(tmp_path / "missing.json"), "--output", str(tmp_path / "o.geojson"))


def test_packaged_basemap_is_small_and_drawable_flat() -> None:
    path = Path(__file__).resolve().parents[2] / "static" / "basemap" / "countries-110m.geojson"
    assert path.stat().st_size < 400 * 1024
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    assert len(features) == 177
    for feature in features:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for ring in (r for polygon in polygons for r in polygon):
            assert len(ring) >= 4 and ring[0] == ring[-1], feature["properties"]["name"]
            jumps = [p for p, q in itertools.pairwise(ring) if abs(p[0] - q[0]) > 180]
            # Only the ring round the South Pole may cross the whole map.
            assert not jumps or feature["properties"]["name"] == "Antarctica"
