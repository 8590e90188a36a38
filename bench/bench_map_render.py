"""Time pages.maps.render_map, the server's share of the map page, and print its size.

    DJANGO_SETTINGS_MODULE=poltwt.settings DEBUG=1 .venv/bin/python bench/bench_map_render.py

The participants are not in this markup (the browser fetches them; the page's first view, clustered once
per data version, is added by the view), so the figures do not grow with data.
"""

from __future__ import annotations

import gzip
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402

from pages.maps import MapParts, render_map  # noqa: E402

RUNS = 50
TILES_URL = settings.MAP_TILES_URL or "https://tile.example/{z}/{x}/{y}.png"


def render(tiles_url: str, data_url: str = "/participants.map.json?edition=7") -> MapParts:
    return render_map(
        data_url=data_url,
        tiles_url=tiles_url,
        tiles_attribution=settings.MAP_TILES_ATTRIBUTION,
        basemap_url="/static/basemap/countries-110m.geojson",
    )


def main() -> None:
    print(f"render_map: {RUNS} runs per case")
    print("  cold   = folium renders (a new data_url each run, as for a new edition or language)")
    print("  cached = what every further request pays (the same markup, from the render cache)\n")
    print(f"{'case':<24}{'median ms':>10}{'min ms':>9}{'max ms':>9}{'HTML KiB':>10}{'gzip KiB':>10}")
    for tiles, tiles_url in [("tiles", TILES_URL), ("basemap only", "")]:
        for cache in ["cold", "cached"]:
            times = []
            for run in range(RUNS):
                data_url = f"/participants.map.json?edition={run if cache == 'cold' else 7}"
                start = time.perf_counter()
                parts = render(tiles_url, data_url)
                times.append((time.perf_counter() - start) * 1000)
            html = (parts.start + parts.header + parts.html + parts.script).encode()
            median, fastest, slowest = statistics.median(times), min(times), max(times)
            print(
                f"{tiles + ', ' + cache:<24}{median:>10.3f}{fastest:>9.3f}{slowest:>9.3f}"
                f"{len(html) / 1024:>10.1f}{len(gzip.compress(html)) / 1024:>10.1f}"
            )
    basemap = Path(finders.find("basemap/countries-110m.geojson")).read_bytes()
    print(
        f"\nstatic basemap (fetched once, cacheable): {len(basemap) / 1024:.0f} KiB, "
        f"{len(gzip.compress(basemap)) / 1024:.0f} KiB gzipped"
    )


if __name__ == "__main__":
    main()
