"""How much 1,000 cache-busting query strings grow the page cache and the workers.

gunicorn (2 gthread workers x 8 threads, as production) on a demo database; 8 clients ask for
/en/participants.json?r=N and /en/participants/?r=N with 1,000 distinct N in all, then once more for
every page without junk (what is stored). Reported, for Redis (this run's keys, MEMORY USAGE) and for
the embedded file cache (the size of its folder): the cache's growth and each worker's resident memory
before and after. Goals: cache < 5 MB, each worker < 20 MB.

    .venv/bin/python bench/bench_cache_growth.py [--participants 2000] [--requests 1000]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import get, gunicorn, paths, production_env, redis_available, seed

MB = 1024 * 1024


def workers_of(port: int) -> dict[int, int]:
    """Resident memory (bytes) of each worker of the gunicorn listening on this port, by process id."""
    arbiters = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                command = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            listening = f"127.0.0.1:{port}".encode() in command
            if listening and any(part.endswith(b"gunicorn") for part in command):
                arbiters.add(int(proc.name))
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = dict(
                line.split(":", 1) for line in (proc / "status").read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if int(status["PPid"]) in arbiters and "VmRSS" in status:
            found[int(proc.name)] = int(status["VmRSS"].split()[0]) * 1024
    return found


def redis_bytes(env: dict[str, str]) -> int:
    import redis

    client = redis.Redis.from_url(env["CACHE_URL"])
    prefix = env["BENCH_CACHE_KEY_PREFIX"]
    return sum(client.memory_usage(key) or 0 for key in client.scan_iter(match=f"{prefix}:*", count=1000))


def folder_bytes(folder: str) -> int:
    return sum(path.stat().st_size for path in Path(folder).rglob("*") if path.is_file())


def run(cache: str, participants: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        env = production_env(workdir, cache=cache, GUNICORN_THREADS="8")
        seed(env, participants)
        json_path, list_path, map_path = paths(
            env, "pages:participants_json", "pages:participant_list", "pages:map"
        )
        port_holder = {}
        with gunicorn(env, workdir, workers=2, threads=8) as base:
            port_holder["port"] = int(base.rsplit(":", 1)[1])

            def measure() -> tuple[int, dict[int, int]]:
                size = redis_bytes(env) if cache == "redis" else folder_bytes(env["CACHE_DIR"])
                return size, workers_of(port_holder["port"])

            def fetch_all(urls: list[str]) -> list[int]:
                with concurrent.futures.ThreadPoolExecutor(8) as pool:
                    return list(pool.map(lambda url: get(base + url)[0], urls))

            # Warm: the pages without junk, in every worker (what a normal day stores).
            fetch_all([json_path, list_path, map_path] * 16)
            cache_before, workers_before = measure()
            junk = [f"{(json_path, list_path)[n % 2]}?r={n}" for n in range(requests)]
            statuses = fetch_all(junk)
            cache_after, workers_after = measure()
    print(f"{cache} cache, {participants} participants, {requests} cache-busting requests:")
    print(f"  statuses: { {status: statuses.count(status) for status in sorted(set(statuses))} }")
    print(
        f"  cache: {cache_before / MB:.2f} MB before, {cache_after / MB:.2f} MB after,"
        f" grew {(cache_after - cache_before) / MB:.2f} MB"
    )
    for pid in sorted(workers_before):
        if pid in workers_after:
            grew = (workers_after[pid] - workers_before[pid]) / MB
            print(
                f"  worker {pid}: {workers_before[pid] / MB:.1f} MB before,"
                f" {workers_after[pid] / MB:.1f} MB after, grew {grew:.1f} MB"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    for cache in ("redis", "default") if redis_available() else ("default",):
        run(cache, args.participants, args.requests)


if __name__ == "__main__":
    main()
