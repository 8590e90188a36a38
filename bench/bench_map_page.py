"""Server time, size and SQL queries of the public map page, its GeoJSON and the participant list, at
100, 1,000 and 10,000 approved, located participants (`manage.py loaddemo --participants N`).

    .venv/bin/python bench/bench_map_page.py [--sizes 100 1000 10000] [--cold-runs 7] [--warm-runs 30]

In-process, through the Django test Client (no network, no server), DEBUG off, production settings but
plain HTTP and plain static storage (as in pyproject's pytest env), locmem cache. A throwaway SQLite file
in a temporary directory is migrated with `manage.py migrate` and seeded with `manage.py loaddemo`, both
as subprocesses with DATABASE_URL pointing at it; it is deleted at the end.

  cold = the public data version moved before each request (as after a registration is approved: no
         cached page or data of the edition is reused). folium's per-process render of the map shell (an
         lru_cache, independent of the data) stays warm; bench_map_render.py times that one.
  warm = through the view with the edition's data cached: each request's URL is new (an extra query
         parameter), so the page cache (pages/cache.py) has nothing for it.
  page cache = a repeat request of the same URL, answered by the page cache before the middleware.
  queries = SQL statements of one request through the view (cold / warm), by CaptureQueriesContext; the
  version is read once per request here (PUBLIC_PAGE_CACHE_RECHECK=0), once a second in production.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100, 1_000, 10_000)
GOAL_MS, GOAL_KIB = 60, 500


def environment(workdir: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "poltwt.settings",
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "CACHE_URL": "locmemcache://",  # in one process, the embedded file cache would only add disk reads
        "EMAIL_URL": "memorymail://",
        "GEOCODER": "offline",
        "LOG_LEVEL": "WARNING",
        # Cold means cold: check the data version on every request.
        "PUBLIC_PAGE_CACHE_RECHECK": "0",
    }


def manage(*args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=os.environ, check=True, stdout=subprocess.DEVNULL
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--warm-runs", type=int, default=30)
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="poltwt-bench-")
    os.environ.update(environment(workdir.name))
    sys.path.insert(0, str(ROOT))
    try:
        manage("migrate", "-v0")
        run(args)
    finally:
        workdir.cleanup()


def run(args: argparse.Namespace) -> None:
    import warnings

    import django

    # Static files are served through the finders here; STATIC_ROOT only exists after collectstatic.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    django.setup()

    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from events.models import Edition
    from pages import versioning
    from registrations.management.commands.loaddemo import UPCOMING_ORDINAL

    urls = [
        (reverse("pages:map"), "map page"),
        (reverse("pages:participants_geojson") + f"?edition={UPCOMING_ORDINAL}", "map GeoJSON"),
        (reverse("pages:participant_list"), "participant list"),
    ]
    client = Client()
    fresh = iter(range(10**9))

    def get(url: str) -> tuple[float, bytes]:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return elapsed, response.content

    def through_the_view(url: str) -> tuple[float, bytes]:
        return get(f"{url}{'&' if '?' in url else '?'}bench={next(fresh)}")

    def move_the_version() -> None:
        with transaction.atomic():
            versioning.bump({Edition.objects.get(ordinal=UPCOMING_ORDINAL).pk})

    rows = []
    load_before = os.getloadavg()[0]
    for size in args.sizes:
        connection.close()  # the seeding subprocess writes to the same file
        manage("loaddemo", "--participants", str(size))
        move_the_version()  # the seeding ran in another process
        for url, label in urls:
            through_the_view(url)  # first request: templates compiled, folium shell rendered, connection
            cold, warm = [], []
            for _ in range(args.cold_runs):
                move_the_version()
                cold.append(through_the_view(url)[0])
            through_the_view(url)
            for _ in range(args.warm_runs):
                warm.append(through_the_view(url)[0])
            move_the_version()
            with CaptureQueriesContext(connection) as cold_queries:
                _, body = through_the_view(url)
            with CaptureQueriesContext(connection) as warm_queries:
                through_the_view(url)
            # Read now: the counts are slices of the connection's query log, which the next request resets.
            cold_count, warm_count = len(cold_queries), len(warm_queries)
            check(label, body, size)
            get(url)
            page_cache = [get(url)[0] for _ in range(args.warm_runs)]
            rows.append(
                (
                    size,
                    label,
                    statistics.median(cold),
                    statistics.median(warm),
                    statistics.median(page_cache),
                    len(body),
                    len(gzip.compress(body)),
                    cold_count,
                    warm_count,
                )
            )

    print(
        "Public pages, in-process (Django test Client), DEBUG off, locmem cache, SQLite file; "
        f"median of {args.cold_runs} cold / {args.warm_runs} warm requests"
    )
    print(f"machine load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (2 cores)")
    header = (
        f"{'participants':>12}  {'URL':<18}{'cold ms':>9}{'warm ms':>9}{'page cache ms':>15}{'KiB':>9}"
        f"{'gzip KiB':>9}{'queries':>10}"
    )
    print(header)
    print("-" * len(header))
    for size, label, cold, warm, paged, length, gzipped, cold_q, warm_q in rows:
        print(
            f"{size:>12,}  {label:<18}{cold:>9.1f}{warm:>9.1f}{paged:>15.2f}{length / 1024:>9.1f}"
            f"{gzipped / 1024:>9.1f}{f'{cold_q} / {warm_q}':>10}"
        )
    print("queries = cold / warm; KiB = the body as sent (no compression middleware); gzip for reference")
    print("The GeoJSON varies with Accept-Encoding, so it is never in the page cache: its 'page cache'")
    print("column is a repeat through the view, with its bytes cached per data version.")

    print(f"\nGoals: map page at 10,000 under {GOAL_MS} ms and {GOAL_KIB} KiB; a fixed number of queries")
    map_rows = {size: row for size, label, *row in rows if label == "map page"}
    if 10_000 in map_rows:
        cold, warm, _, length, _, _, _ = map_rows[10_000]
        print(
            f"  map page at 10,000: cold {cold:.1f} ms {'OK' if cold < GOAL_MS else 'MISSED'}, "
            f"warm {warm:.1f} ms {'OK' if warm < GOAL_MS else 'MISSED'}, "
            f"{length / 1024:.1f} KiB {'OK' if length / 1024 < GOAL_KIB else 'MISSED'}"
        )
    for label in dict.fromkeys(label for _, label, *_ in rows):
        counts = {(cq, wq) for _, lab, _, _, _, _, _, cq, wq in rows if lab == label}
        verdict = "fixed" if len(counts) == 1 else "GROWS with the participant count"
        print(f"  queries of {label}: {verdict} ({', '.join(f'{c} / {w}' for c, w in sorted(counts))})")


def check(label: str, body: bytes, size: int) -> None:
    """The response shows the seeded edition: its participant count is in it."""
    text = body.decode()
    if label == "map GeoJSON":
        assert text.count('"Feature"') == size, (label, text.count('"Feature"'))
        return
    found = re.search(r"(\d+) agency accounts? and (\d+) officer accounts?", text)
    assert found and int(found[1]) + int(found[2]) == size, (label, found and found[0])


if __name__ == "__main__":
    main()
