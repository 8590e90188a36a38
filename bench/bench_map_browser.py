"""The participant map at 1,000, 10,000 and 100,000 participants beside a bare Leaflet.markercluster page
of the same points, in headless Chromium.

    .venv/bin/python bench/bench_map_browser.py [--loads 3] [--sizes 1000 10000 100000]

Server: gunicorn (2 sync workers) on 127.0.0.1, production settings except plain HTTP and plain static
storage (collectstatic into the temporary directory, served by WhiteNoise), MAP_TILES_URL="" so that
nothing waits on the network (only the packaged basemap is drawn), Redis as the shared cache (per-run key
prefix, keys deleted afterwards; the embedded file cache when Redis is not running). A throwaway SQLite
file seeded with `manage.py loaddemo --participants N` for each size in turn, deleted at the end. The
page's Content-Security-Policy stays on (the bench waits with a function, not a string to eval).

The bare page (bench/bare_map/, copied into the static files) loads the same Leaflet and the
Leaflet.markercluster files the project ships in its static files, fetches the GeoJSON export (the same
points), makes one L.marker per point and adds them to one L.markerClusterGroup with chunked loading.

Browser: Debian's /usr/bin/chromium through Playwright, headless, a fresh context (empty HTTP cache, no
cookies) for every load. For each size and page one load first warms the server's caches and is not
counted; the medians of the others are printed. Times are from navigation start:

  first     the first cluster or marker element is in Leaflet's marker pane (a MutationObserver installed
            before any page script records performance.now())
  ready     the map container's data-ready became "true" (poltwt's first view drawn with every control
            working; the bare page's last chunk clustered) and a marker was drawn, whichever comes later
  longest   the longest main-thread task until then (Long Tasks API: tasks over 50 ms; "<50" if none)

Goals (issue 23): at 10,000 the first cluster in at most 0.5x the bare page's time; at 100,000 ready
under 2 s with no task over 200 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit

import _server

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
BARE_PAGE = Path(__file__).resolve().parent / "bare_map"
FIRST_RATIO_GOAL = 0.5  # at 10,000
READY_GOAL_MS = 2000  # at 100,000
TASK_GOAL_MS = 200  # at 100,000
OBSERVER = """
(() => {
  const state = (window.__poltwtBench = {longest: 0});
  new PerformanceObserver((list) => {
    for (const task of list.getEntries()) state.longest = Math.max(state.longest, task.duration);
  }).observe({type: "longtask", buffered: true});
  new MutationObserver(() => {
    if (state.first === undefined && document.querySelector(".leaflet-marker-pane > *")) {
      state.first = performance.now();
    }
    const map = document.querySelector(".poltwt-map[data-ready], .bare-map[data-ready]");
    if (map && state.ready === undefined) {
      state.ready = performance.now();
      state.status = map.dataset.ready;
      state.count = Number(map.dataset.count || 0);
    }
    if (state.first === undefined || state.ready === undefined || state.painting) return;
    // A map is ready once it has drawn something too (MarkerCluster may report its last chunk first).
    state.ready = Math.max(state.ready, state.first);
    state.painting = true;
    // Two frames later the view is painted; the long tasks until then are counted.
    requestAnimationFrame(() => requestAnimationFrame(() => { state.done = performance.now(); }));
  }).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-ready"]});
})();
"""
METRICS = "() => window.__poltwtBench"


def load(browser, url: str) -> tuple[dict, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: urlsplit(r.url).hostname != "127.0.0.1" and problems.append(r.url))
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status} {r.url}"))
        page.add_init_script(OBSERVER)
        page.goto(url, wait_until="commit", timeout=120_000)
        page.wait_for_function(
            "() => window.__poltwtBench !== undefined && window.__poltwtBench.done !== undefined",
            timeout=120_000,
        )
        return page.evaluate(METRICS), problems
    finally:
        context.close()


def measure(browser, url: str, loads: int) -> tuple[dict, list[dict], list[str]]:
    _, problems = load(browser, url)  # warms the server's caches
    runs = []
    for _ in range(loads):
        metrics, more = load(browser, url)
        runs.append(metrics)
        problems += more
    median = {key: statistics.median(run[key] for run in runs) for key in ("first", "ready", "longest")}
    return median, runs, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    cache = "redis" if _server.redis_available() else "default"
    results = []
    with tempfile.TemporaryDirectory(prefix="poltwt-bench-") as workdir, sync_playwright() as playwright:
        env = _server.production_env(workdir, cache=cache, MAP_TILES_URL="")
        map_path, geojson_path = _server.paths(env, "pages:map", "pages:participants_geojson")
        load_before = os.getloadavg()[0]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for index, size in enumerate(args.sizes):
                _server.seed(env, size, collectstatic=index == 0)
                shutil.copytree(BARE_PAGE, Path(workdir) / "static" / "bench", dirs_exist_ok=True)
                with _server.gunicorn(env, workdir, workers=2) as base:
                    ours = measure(browser, base + map_path, args.loads)
                    data = quote(f"{geojson_path}?edition=6")
                    bare = measure(browser, f"{base}/static/bench/bare-map.html?data={data}", args.loads)
                results.append((size, ours, bare))
            version = browser.version
        finally:
            browser.close()

    print(
        f"Map in headless Chromium {version}: gunicorn 2 workers on 127.0.0.1, no tile server, {cache} cache;"
        f" fresh browser context per load, medians of {args.loads} loads after one warm-up load"
    )
    print(f"machine load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (2 cores)")
    print("ms from navigation start; 'longest' is the longest main-thread task (only tasks over 50 ms count)")
    header = (
        f"{'participants':>12} | {'poltwt first':>12}{'ready':>8}{'longest':>9} | "
        f"{'bare first':>10}{'ready':>8}{'longest':>9} | {'first ratio':>11}"
    )
    print(header)
    print("-" * len(header))

    def task(ms: float) -> str:
        return f"{ms:.0f}" if ms else "<50"

    problems = []
    for size, (ours, our_runs, our_problems), (bare, bare_runs, bare_problems) in results:
        print(
            f"{size:>12,} | {ours['first']:>12.0f}{ours['ready']:>8.0f}{task(ours['longest']):>9} | "
            f"{bare['first']:>10.0f}{bare['ready']:>8.0f}{task(bare['longest']):>9} | "
            f"{ours['first'] / bare['first']:>11.2f}"
        )
        problems += our_problems + bare_problems
        for run in our_runs + bare_runs:
            if run["status"] != "true" or run["count"] != size:
                problems.append(f"{size}: data-ready {run['status']}, count {run['count']}")
    by_size = {size: (ours, bare) for size, (ours, *_), (bare, *_) in results}
    print()
    if 10_000 in by_size:
        ours, bare = by_size[10_000]
        ratio = ours["first"] / bare["first"]
        print(
            f"Goal at 10,000: first cluster <= {FIRST_RATIO_GOAL}x the bare page -> {ratio:.2f}x "
            f"{'OK' if ratio <= FIRST_RATIO_GOAL else 'MISSED'}"
        )
    if 100_000 in by_size:
        ours, _ = by_size[100_000]
        ok = ours["ready"] < READY_GOAL_MS and ours["longest"] <= TASK_GOAL_MS
        print(
            f"Goal at 100,000: ready < {READY_GOAL_MS} ms, no task over {TASK_GOAL_MS} ms -> ready "
            f"{ours['ready']:.0f} ms, longest task {task(ours['longest'])} ms {'OK' if ok else 'MISSED'}"
        )
    print(
        f"Checks: problems (requests off loopback, HTTP >= 400, script errors, wrong counts): {len(problems)}"
    )
    for message in problems[:5]:
        print(f"  {message}")
    assert not problems


if __name__ == "__main__":
    main()
