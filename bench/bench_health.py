"""/healthz under a load balancer's polling: 16 concurrent pollers for 60 s against gunicorn (2 gthread
workers x 8 threads, as production) on PostgreSQL and Redis.

Prints the answers by status (the goal: no 5xx) and PostgreSQL's connections to the bench database
before, at most during, and after (the goal: bounded by the server's threads, not growing with polls).

    .venv/bin/python bench/bench_health.py [--seconds 60] [--pollers 16]
        [--database postgres://postgres@127.0.0.1:5432/poltwt_hardening]

The database is created if missing and its tables migrated; nothing else is written to it.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg2
from _server import get, gunicorn, manage, production_env, redis_available


def ensure_database(url: str) -> None:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not cursor.fetchone():
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def connections(url: str) -> int:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cursor:
            # This monitoring connection itself is not counted.
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pollers", type=int, default=16)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/poltwt_hardening")
    args = parser.parse_args()
    if not redis_available():
        sys.exit("Redis at 127.0.0.1:6379 is needed.")
    ensure_database(args.database)
    with tempfile.TemporaryDirectory() as workdir:
        env = production_env(workdir, cache="redis", DATABASE_URL=args.database, CONN_MAX_AGE="60")
        manage(env, "migrate", "-v0")
        before = connections(args.database)
        statuses: collections.Counter[int] = collections.Counter()
        most = [before]
        with gunicorn(env, workdir, workers=2, threads=8) as base:
            stop = time.monotonic() + args.seconds
            lock = threading.Lock()

            def poll() -> None:
                while time.monotonic() < stop:
                    try:
                        status, _ = get(base + "/healthz?format=json", timeout=10)
                    except OSError:
                        status = 599  # no answer at all
                    with lock:
                        statuses[status] += 1

            pollers = [threading.Thread(target=poll) for _ in range(args.pollers)]
            for poller in pollers:
                poller.start()
            while any(poller.is_alive() for poller in pollers):
                most.append(connections(args.database))
                time.sleep(1)
            for poller in pollers:
                poller.join()
            during_end = connections(args.database)
        time.sleep(1)
        after = connections(args.database)
    total = sum(statuses.values())
    errors = sum(count for status, count in statuses.items() if status >= 500)
    print(f"/healthz: {args.pollers} pollers for {args.seconds:g} s against 2 workers x 8 threads")
    print(f"  requests: {total} ({total / args.seconds:.0f}/s); by status: {dict(sorted(statuses.items()))}")
    print(f"  5xx answers: {errors}")
    print(
        f"  PostgreSQL connections: before {before}, at most {max(most)} during, {during_end} at the end,"
        f" {after} after the server stopped"
    )


if __name__ == "__main__":
    main()
