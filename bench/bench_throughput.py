"""Requests per second of the cached public pages under gunicorn, beside a bare Django view served by the
same gunicorn in the same run, with 10,000 approved, located participants: once with the embedded default
cache and once with Redis.

    .venv/bin/python bench/bench_throughput.py [--cache both|default|redis] [--seconds 40] [--rounds 10]
                                               [--connections 32]

Server: gunicorn, 2 sync workers, 127.0.0.1 only, production settings except plain HTTP and plain static
storage (DEBUG=0, SECURE_SSL_REDIRECT=0, secure cookies off). Cache: the embedded default (no CACHE_URL:
files shared by the workers, in the run's directory) and Redis database 15 (keys carry a per-run prefix
and are deleted afterwards); PUBLIC_PAGE_CACHE_RECHECK at its default (1 s). The database is a throwaway
SQLite file seeded once with `manage.py loaddemo --participants 10000`, deleted at the end.

The pages are every public HTML page: home, map, editions, participant list, schedule and statistics, by
their URL names (reverse(): with a language prefix when the site has them). The bare view is not in the
project's URLs: gunicorn serves bench/_bare_wsgi.py, which passes every request to
poltwt.wsgi.application except /__bench_bare__ (a Django view through a handler without middleware: the
ceiling) and /__bench_bare_mw__ (the same view through the project's full middleware).

Load generator: wrk (Debian package: apt-get install -y wrk) when installed, 2 threads, --connections
connections, --seconds per URL; otherwise a Python multi-process generator (http.client, keep-alive where
the server allows it; gunicorn's sync workers close every connection), with as many requests in flight as
processes. Every URL is requested until its caches are warm (each worker's too) before it is measured.
The URLs are measured in interleaved rounds (other work on this shared machine then weighs on each
alike), and after each round the bench waits until the workers are idle again (requests a slow URL left
queued are not charged to the next one).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from urllib.parse import urlsplit

import _server

PARTICIPANTS = 10_000
BARE = ("/__bench_bare__", "bare Django view", None)
BARE_MIDDLEWARE = ("/__bench_bare_mw__", "bare view + project middleware", None)
# URL name, what, the goal: requests/s at least this share of the bare view's.
PAGES = [
    ("pages:home", "home page", 0.9),
    ("pages:map", "map page", 0.9),
    ("pages:edition_list", "editions", 0.9),
    ("pages:participant_list", "participant list", 0.9),
    ("pages:schedule", "schedule", 0.9),
    ("pages:statistics", "statistics", 0.9),
]
CACHES = {
    "default": "embedded default (files shared by the workers, no CACHE_URL)",
    "redis": "Redis at 127.0.0.1:6379 (CACHE_URL)",
}
UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0}


def wrk(url: str, seconds: float, connections: int) -> dict[str, float]:
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    out = result.stdout

    def latency(label: str) -> float:
        found = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if not found:
            return float("nan")
        return float(found[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found[2]]

    requests = re.search(r"(\d+) requests in", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    duration = re.search(r"requests in ([\d.]+)(ms|s|m)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "requests": int(requests[1]) if requests else 0,
        "seconds": float(duration[1]) * UNITS[duration[2]] if duration else seconds,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
    }


def _python_worker(url: str, seconds: float, connections: int, queue) -> None:
    import http.client

    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + seconds
    done = failed = 0
    latencies = []
    conns = [None] * connections
    while time.monotonic() < deadline:
        for index in range(connections):
            conn = conns[index] or http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            start = time.perf_counter()
            try:
                conn.request("GET", target)
                response = conn.getresponse()
                response.read()
                latencies.append((time.perf_counter() - start) * 1000)
                done += 1
                failed += response.status != 200
                conns[index] = None if response.will_close else conn
            except OSError:
                failed += 1
                conns[index] = None
    queue.put((done, failed, latencies))


def python_load(url: str, seconds: float, connections: int) -> dict[str, float]:
    """Fallback without wrk: one process per core (at least 2), each using its share of the keep-alive
    connections one after another, so at most one request per process is in flight at a time."""
    processes = max(2, multiprocessing.cpu_count())
    per_process = max(1, connections // processes)
    queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_python_worker, args=(url, seconds, per_process, queue))
        for _ in range(processes)
    ]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=seconds + 60) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
    elapsed = time.perf_counter() - start
    latencies = sorted(ms for _, _, lat in results for ms in lat)
    done = sum(r[0] for r in results)
    return {
        "rps": done / elapsed,
        "requests": done,
        "seconds": elapsed,
        "p50": latencies[len(latencies) // 2] if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99)] if latencies else float("nan"),
        "errors": 0,
        "non_2xx": sum(r[1] for r in results),
    }


def drain(base: str, limit: float = 60.0) -> None:
    """Wait until both workers are idle: a slow URL's run leaves requests queued after wrk hangs up, which
    would otherwise be served during (and charged to) the next URL's run."""
    deadline = time.monotonic() + limit
    fast = 0
    while fast < 4 and time.monotonic() < deadline:
        start = time.perf_counter()
        _server.get(base + "/__bench_bare__")
        fast = fast + 1 if time.perf_counter() - start < 0.05 else 0


def combine(rounds: list[dict[str, float]], bare_rounds: list[dict[str, float]]) -> dict[str, float]:
    """One URL's rounds as one measurement: total requests over total time; p50 median, p99 worst.

    The ratio to the bare view is taken round by round (each round of a URL against the bare view's round
    run a few seconds earlier or later), and the median of those ratios is reported: a burst of other
    work on the machine then spoils one round's ratio, not the figure. min and max show the spread.
    """
    requests = sum(r["requests"] for r in rounds)
    ratios = [
        (r["requests"] / r["seconds"]) / (b["requests"] / b["seconds"])
        for r, b in zip(rounds, bare_rounds, strict=True)
    ]
    return {
        "rps": requests / sum(r["seconds"] for r in rounds),
        "requests": requests,
        "ratio": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "p50": statistics.median(r["p50"] for r in rounds),
        "p99": max(r["p99"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "non_2xx": sum(r["non_2xx"] for r in rounds),
    }


def measure(env: dict[str, str], workdir: str, urls: list[tuple], args) -> dict[str, dict[str, float]]:
    load = wrk if shutil.which("wrk") else python_load
    per_round = args.seconds / args.rounds
    rounds: dict[str, list[dict[str, float]]] = {path: [] for path, _, _ in urls}
    with _server.gunicorn(env, workdir, workers=2) as base:
        for path, _, _ in urls:
            # Warm: the shared cache, then each worker's templates, folium shell and connections.
            for _ in range(8):
                status, body = _server.get(base + path)
                assert status == 200, (path, status, body[:300])
            load(base + path, args.warm_seconds, args.connections)
            drain(base)
        # Interleaved rounds, so that other work on the machine weighs on every URL alike.
        for index in range(args.rounds):
            order = urls[index % len(urls) :] + urls[: index % len(urls)]
            for path, _, _ in order:
                rounds[path].append(load(base + path, per_round, args.connections))
                drain(base)
    return {path: combine(measured, rounds[BARE[0]]) for path, measured in rounds.items()}


def report(cache: str, urls: list[tuple], results: dict[str, dict[str, float]]) -> None:
    print(f"\nCache: {CACHES[cache]}")
    header = (
        f"{'URL':<24}{'what':<32}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'errors':>8}"
        f"{'ratio':>7}{'min-max':>12}  goal"
    )
    print(header)
    print("-" * len(header))
    for path, label, goal in urls:
        r = results[path]
        ratio = r["ratio"]
        verdict = f">= {goal} {'OK' if ratio >= goal else 'MISSED'}" if goal else ""
        print(
            f"{path:<24}{label:<32}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['non_2xx']:>9}"
            f"{r['errors']:>8}{ratio:>7.3f}{r['ratio_min']:>6.2f}-{r['ratio_max']:<5.2f}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", choices=["both", *CACHES], default="both")
    parser.add_argument("--seconds", type=float, default=40.0, help="per URL, over all rounds")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warm-seconds", type=float, default=2.0)
    args = parser.parse_args()

    caches = list(CACHES) if args.cache == "both" else [args.cache]
    if "redis" in caches and not _server.redis_available():
        print("Redis is not reachable at 127.0.0.1:6379: measuring the embedded default cache only.")
        caches.remove("redis")
    generator = (
        f"wrk 2 threads, {args.connections} connections"
        if shutil.which("wrk")
        else f"Python multi-process generator (http.client), {args.connections} connections"
    )

    results = {}
    with tempfile.TemporaryDirectory(prefix="poltwt-bench-") as workdir:
        seeding = _server.production_env(workdir, cache="default")
        _server.seed(seeding, PARTICIPANTS)
        paths = _server.paths(seeding, *(name for name, _, _ in PAGES))
        urls = [
            BARE,
            BARE_MIDDLEWARE,
            *((path, label, goal) for path, (_, label, goal) in zip(paths, PAGES, strict=True)),
        ]
        load_before = os.getloadavg()[0]
        for cache in caches:
            results[cache] = measure(_server.production_env(workdir, cache=cache), workdir, urls, args)
        load_after = os.getloadavg()[0]

    print(f"Throughput, gunicorn 2 sync workers on 127.0.0.1, {PARTICIPANTS:,} participants")
    print(
        f"Load: {generator}; {args.seconds:g} s per URL in {args.rounds} interleaved rounds of "
        f"{args.seconds / args.rounds:g} s, after a {args.warm_seconds:g} s warm-up; machine load average "
        f"{load_before:.1f} before, {load_after:.1f} after (2 cores)"
    )
    for cache in caches:
        report(cache, urls, results[cache])
    print("\nratio = requests/s over the bare Django view's (same gunicorn, same run): the median of the")
    print("rounds' ratios, each round against the bare view's round of the same interleaving; min-max: their")
    print("spread.")
    print("p50: median of the rounds' medians; p99: the worst round's. errors = wrk socket errors.")
    print("The load generator shares the 2 cores with gunicorn (and this machine with other work),")
    print("so absolute figures are below those of a separate client machine; the ratios are what count.")


if __name__ == "__main__":
    main()
