"""The map's search and the all-editions map at 100,000 participants: the feeds' build time and size, and
the search in headless Chromium.

    .venv/bin/python bench/bench_map_search.py [--participants 100000] [--returning 50000] [--searches 5]

A throwaway SQLite file seeded with `manage.py loaddemo --participants N` (the open, 6th edition), then
`--returning` of those accounts copied into the 4th and the 5th editions at other places, so that the
all-editions map groups N + 2 x returning entries by handle (latest place wins), deleted at the end.

Server (in this process, production settings, locmem cache): the edition's feed and the all-editions
feed built cold (data version moved first) and warm (the cached, compressed bytes); their sizes plain,
gzip and brotli.

Browser: gunicorn (2 sync workers) on 127.0.0.1, Debian's Chromium, one fresh context. On the map of
the 6th and of all editions: from the search form's submit to the announced result (data-search-count),
the first search (which folds every name, city and country once, in the worker) and the next ones
(medians); "policia" (few matches, one opened) and "police" (thousands, fitted and listed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SEARCH = """async (query) => {
  const map = document.querySelector(".poltwt-map");
  const box = document.querySelector("#map-search");
  delete map.dataset.searchCount;
  const done = new Promise((resolve) => {
    new MutationObserver((_, observer) => {
      if (map.dataset.searchCount !== undefined) { observer.disconnect(); resolve(); }
    }).observe(map, {attributes: true, attributeFilter: ["data-search-count"]});
  });
  box.value = query;
  const start = performance.now();
  box.form.requestSubmit();
  await done;
  return [performance.now() - start, Number(map.dataset.searchCount)];
}"""


def returning_accounts(count: int) -> None:
    """Copy `count` accounts of the 6th edition into the 4th and 5th, elsewhere (one bulk insert each)."""
    from events.models import Edition
    from registrations.models import Registration

    source = list(Registration.objects.filter(edition__ordinal=6).order_by("pk")[:count])
    for ordinal, shift in ((4, 0.5), (5, -0.5)):
        edition = Edition.objects.get(ordinal=ordinal)
        copies = []
        for entry in source:
            entry.pk = None
            entry.edition = edition
            entry.latitude = max(-89.0, min(89.0, entry.latitude + shift))
            copies.append(entry)
        Registration.objects.bulk_create(copies, batch_size=2000)
        for entry in source:  # back to the 6th's values for the next copy
            entry.latitude -= shift


def server_figures() -> list[tuple[str, float, float, int, int, int]]:
    from django.test import Client

    from events.models import Edition
    from pages import versioning

    sixth = Edition.objects.get(ordinal=6).pk
    client = Client(HTTP_HOST="127.0.0.1")
    rows = []
    for label, edition in (("6th edition", "6"), ("all editions", "all")):
        cold = []
        for _ in range(3):
            versioning.bump([sixth])  # the site's version and the 6th's: both feeds cold
            start = time.perf_counter()
            response = client.get("/en/participants.map.json", {"edition": edition, "r": len(cold)})
            cold.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        warm = []
        for n in range(10):
            start = time.perf_counter()
            client.get("/en/participants.map.json", {"edition": edition, "w": n}, HTTP_ACCEPT_ENCODING="br")
            warm.append(time.perf_counter() - start)
        plain = len(client.get("/en/participants.map.json", {"edition": edition}).content)
        gz = client.get("/en/participants.map.json", {"edition": edition}, HTTP_ACCEPT_ENCODING="gzip")
        br = client.get("/en/participants.map.json", {"edition": edition}, HTTP_ACCEPT_ENCODING="br")
        rows.append(
            (label, statistics.median(cold), statistics.median(warm), plain, len(gz.content), len(br.content))
        )
    return rows


def browser_figures(base: str, searches: int) -> list[tuple[str, str, float, float, int]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            for label, edition in (("6th edition", "6"), ("all editions", "all")):
                page.goto(f"{base}/en/map/?edition={edition}", timeout=120_000)
                page.wait_for_selector('.poltwt-map[data-ready="true"]', state="attached", timeout=120_000)
                for query in ("policia", "police"):
                    times, count = [], 0
                    for _ in range(searches):
                        elapsed, count = page.evaluate(SEARCH, query)
                        times.append(elapsed)
                    rows.append((label, query, times[0], statistics.median(times[1:]), count))
        finally:
            browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--returning", type=int, default=50_000)
    parser.add_argument("--searches", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="poltwt-bench-") as workdir:
        env = _server.production_env(workdir, cache="default", MAP_TILES_URL="")
        _server.seed(env, args.participants, collectstatic=True)
        os.environ.update({**env, "CACHE_URL": "locmemcache://", "PUBLIC_PAGE_CACHE_RECHECK": "0"})
        import django

        django.setup()
        returning_accounts(args.returning)
        server = server_figures()
        with _server.gunicorn(env, workdir, workers=2) as base:
            browser = browser_figures(base, args.searches)

    total = args.participants + 2 * args.returning
    print(
        f"Map feeds at {args.participants:,} participants in the 6th edition, {args.returning:,} of them "
        f"also in the 4th and 5th ({total:,} entries for the all-editions map); "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    columns = ("cold build s", "warm ms", "plain KiB", "gzip KiB", "br KiB")
    print(f"{'feed':>14} | " + " | ".join(f"{name:>12}" for name in columns))
    for label, cold, warm, plain, gz, br in server:
        values = (f"{cold:.2f}", f"{warm * 1000:.1f}", *(f"{size / 1024:,.0f}" for size in (plain, gz, br)))
        print(f"{label:>14} | " + " | ".join(f"{value:>12}" for value in values))
    print()
    print("Search in Chromium, submit to announced result (ms): first search folds the texts once")
    print(f"{'map':>14} | {'query':>8} | {'first':>7} | {'next (median)':>13} | {'matches':>8}")
    for label, query, first, median, count in browser:
        print(f"{label:>14} | {query:>8} | {first:>7.0f} | {median:>13.0f} | {count:>8,}")


if __name__ == "__main__":
    main()
