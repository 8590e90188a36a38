"""pages.clustering.first_view: the map's opening view clustered on the server. That it is exactly the
worker's clustering (supercluster in Chromium) is checked in tests/browser/test_map_first_view.py; here,
what must hold whatever the points."""

from __future__ import annotations

import random

import pytest

from pages.clustering import WORLD_MAX_ZOOM, first_view


def spread(count: int, seed: int) -> tuple[list, list, list, list]:
    rng = random.Random(seed)
    lat = [round(rng.uniform(-60, 70), 4) for _ in range(count)]
    lng = [round(rng.uniform(-180, 180), 4) for _ in range(count)]
    kind = [1 if n % 3 == 0 else 0 for n in range(count)]
    handle = [f"Police{n}" for n in range(count)]
    return lat, lng, kind, handle


@pytest.mark.parametrize("zoom", range(WORLD_MAX_ZOOM + 1))
def test_every_participant_is_in_the_view_once_with_its_kind(zoom: int) -> None:
    lat, lng, kind, handle = spread(2_000, seed=zoom)
    view = first_view(lat, lng, kind, handle, zoom=zoom)

    clusters = [item for item in view if "c" in item]
    alone = [item for item in view if "i" in item]
    assert clusters and len(clusters) + len(alone) == len(view)
    assert sum(item["a"] for item in clusters) + sum(item["k"] == 0 for item in alone) == kind.count(0)
    assert sum(item["o"] for item in clusters) + sum(item["k"] == 1 for item in alone) == kind.count(1)
    assert len({item["i"] for item in alone}) == len(alone)
    assert len({item["c"] for item in clusters}) == len(clusters)
    assert all(item["c"] < 0 for item in clusters)  # the world index's numbers (participant-map-worker.js)
    for item in alone:
        assert item["h"] == handle[item["i"]] and item["k"] == kind[item["i"]]
        assert item["lat"] == pytest.approx(lat[item["i"]], abs=1e-9)
        assert item["lng"] == pytest.approx(lng[item["i"]], abs=1e-9)
    for item in clusters:
        assert -90 < item["lat"] < 90 and -180 <= item["lng"] <= 180
    # Fewer, bigger clusters as the map zooms out.
    if zoom:
        assert len(first_view(lat, lng, kind, handle, zoom=zoom - 1)) < len(view)


def test_participants_at_one_place_are_one_cluster_numbered_as_supercluster_numbers_it() -> None:
    view = first_view([51.5, 51.5, -33.9], [-0.12, -0.12, 151.2], [0, 1, 0], ["Met", "PC", "NSW"], zoom=2)

    (cluster,) = [item for item in view if "c" in item]
    # Made at zoom 4 from the level's first item (0): (0 << 5) + (4 + 1) + 3 input points = 8; the page
    # knows the world index's clusters by -1 - id.
    assert cluster["c"] == -1 - 8
    assert (cluster["a"], cluster["o"]) == (1, 1)
    assert (cluster["lat"], cluster["lng"]) == (pytest.approx(51.5, abs=1e-6), pytest.approx(-0.12, abs=1e-6))
    assert [item for item in view if "i" in item] == [
        {"i": 2, "lat": pytest.approx(-33.9), "lng": pytest.approx(151.2), "k": 0, "h": "NSW"}
    ]


def test_rows_without_a_valid_place_are_left_out_as_the_worker_leaves_them_out() -> None:
    lat = [None, 91.0, 10.0, 10.0, float("nan"), 90.0, -90.0, 0.0]
    lng = [0.0, 0.0, 181.0, "10", 0.0, 0.0, 0.0, 180.0]
    view = first_view(lat, lng, [0] * 8, [f"H{n}" for n in range(8)], zoom=0)

    assert sorted(item["i"] for item in view) == [5, 6, 7]  # the poles and the antimeridian are places


def test_the_same_points_give_the_same_view_and_no_points_none() -> None:
    lat, lng, kind, handle = spread(500, seed=7)
    assert first_view(lat, lng, kind, handle, zoom=2) == first_view(lat, lng, kind, handle, zoom=2)
    assert first_view([], [], [], [], zoom=2) == []


@pytest.mark.parametrize("zoom", [-1, WORLD_MAX_ZOOM + 1])
def test_only_the_world_index_zooms(zoom: int) -> None:
    with pytest.raises(ValueError, match="zooms 0 to"):
        first_view([0.0], [0.0], [0], ["H"], zoom=zoom)
