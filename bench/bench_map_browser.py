"""Time until the 10,000-participant map has drawn its clusters, in headless Chromium.

    .venv/bin/python bench/bench_map_browser.py [--loads 5] [--participants 10000]

Server: gunicorn (2 sync workers) on 127.0.0.1, production settings except plain HTTP and plain static
storage (collectstatic into the temporary directory, served by WhiteNoise), MAP_TILES_URL="" so that
nothing waits on the network (only the packaged basemap is drawn), Redis as the shared cache (per-run key
prefix, keys deleted afterwards; the embedded file cache when Redis is not running). A throwaway SQLite
file seeded with `manage.py loaddemo`, deleted at the end. The page's Content-Security-Policy stays on
(the bench waits with a function, not a string to eval).

Browser: Debian's /usr/bin/chromium through Playwright, headless, a fresh context (empty HTTP cache, no
cookies) for every load. One load first warms the server's caches and is not counted. Times are from
navigation start (the page's performance.timeOrigin):

  HTML        the map page's response fully received (Navigation Timing responseEnd)
  DCL         DOMContentLoaded finished (deferred scripts ran: Leaflet, MarkerCluster, participant-map.js)
  GeoJSON     /participants.geojson fully received (Resource Timing responseEnd)
  ready       the map container's data-ready became "true" (a MutationObserver installed before any page
              script records performance.now()): every marker clustered and added to the map
  frame       two animation frames later: the clusters painted
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from urllib.parse import urlsplit

import _server

GOAL_MS = 1000
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
READY_OBSERVER = """
(() => {
  const state = (window.__poltwtBench = {});
  new MutationObserver(() => {
    const map = document.querySelector(".poltwt-map[data-ready]");
    if (!map || state.ready !== undefined) return;
    state.ready = performance.now();
    state.status = map.dataset.ready;
    requestAnimationFrame(() => requestAnimationFrame(() => { state.frame = performance.now(); }));
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-ready"]});
})();
"""
METRICS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const data = performance.getEntriesByType("resource").find((e) => e.name.includes("participants.geojson"));
  const map = document.querySelector(".poltwt-map");
  return {
    html: nav.responseEnd,
    dcl: nav.domContentLoadedEventEnd,
    geojson: data ? data.responseEnd : null,
    geojsonKiB: data ? data.encodedBodySize / 1024 : null,
    ready: window.__poltwtBench.ready,
    frame: window.__poltwtBench.frame,
    status: window.__poltwtBench.status,
    count: Number(map.dataset.count || 0),
  };
}
"""


def load_map(browser, url: str) -> tuple[dict, list[str], list[str]]:
    context = browser.new_context()
    try:
        page = context.new_page()
        outside, errors = [], []
        page.on("request", lambda r: urlsplit(r.url).hostname != "127.0.0.1" and outside.append(r.url))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("response", lambda r: r.status >= 400 and errors.append(f"HTTP {r.status} {r.url}"))
        page.on(
            "console",
            lambda m: m.type == "error" and not m.text.startswith("Failed to load") and errors.append(m.text),
        )
        page.add_init_script(READY_OBSERVER)
        page.goto(url, wait_until="commit", timeout=60_000)
        page.wait_for_function(
            "() => window.__poltwtBench !== undefined && window.__poltwtBench.frame !== undefined",
            timeout=60_000,
        )
        return page.evaluate(METRICS), outside, errors
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--participants", type=int, default=10_000)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    cache = "redis" if _server.redis_available() else "default"
    with tempfile.TemporaryDirectory(prefix="poltwt-bench-") as workdir:
        env = _server.production_env(workdir, cache=cache, MAP_TILES_URL="")
        _server.seed(env, args.participants, collectstatic=True)
        with _server.gunicorn(env, workdir, workers=2) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                url = base + _server.paths(env, "pages:map")[0]
                load_before = os.getloadavg()[0]
                warm_up, outside, errors = load_map(browser, url)
                runs = []
                for _ in range(args.loads):
                    metrics, more_outside, more_errors = load_map(browser, url)
                    runs.append(metrics)
                    outside += more_outside
                    errors += more_errors
                version = browser.version
            finally:
                browser.close()

    print(
        f"Map page in headless Chromium {version}: {args.participants:,} participants, gunicorn 2 workers on "
        f"127.0.0.1, no tile server, {cache} cache; fresh browser context per load"
    )
    print("ms from navigation start; the first (warm-up) load filled the server's caches and is not counted")
    print(f"machine load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (2 cores)")
    header = (
        f"{'load':<10}{'HTML':>8}{'DCL':>8}{'GeoJSON':>9}{'ready':>8}{'frame':>8}{'markers':>9}"
        f"{'GeoJSON KiB':>13}"
    )
    print(header)
    print("-" * len(header))

    def row(label: str, m: dict) -> None:
        geojson = f"{m['geojson']:.0f}" if m["geojson"] is not None else "-"
        kib = f"{m['geojsonKiB']:.0f}" if m["geojsonKiB"] is not None else "-"
        print(
            f"{label:<10}{m['html']:>8.0f}{m['dcl']:>8.0f}{geojson:>9}{m['ready']:>8.0f}{m['frame']:>8.0f}"
            f"{m['count']:>9,}{kib:>13}"
        )

    row("warm-up", warm_up)
    for index, metrics in enumerate(runs, 1):
        row(f"{index}", metrics)
    median = {
        key: statistics.median(r[key] for r in runs if r[key] is not None)
        for key in ("html", "dcl", "geojson", "geojsonKiB", "ready", "frame", "count")
    }
    row("median", median)
    ready = median["ready"]
    print(
        f"\nGoal: ready under {GOAL_MS} ms -> median {ready:.0f} ms {'OK' if ready < GOAL_MS else 'MISSED'}"
    )
    statuses = {r["status"] for r in runs} | {warm_up["status"]}
    print(
        f"Checks: data-ready {sorted(statuses)}, markers {sorted({r['count'] for r in runs})}, "
        f"requests off loopback {len(outside)}, errors (HTTP >= 400, script) {len(errors)}"
    )
    for message in (outside + errors)[:5]:
        print(f"  {message}")
    assert statuses == {"true"} and all(r["count"] == args.participants for r in runs)


if __name__ == "__main__":
    main()
