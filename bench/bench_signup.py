"""Figures for the sign-up POST: median and p95 over a few hundred submissions through the Django test
Client, each with a distinct handle, on a throwaway SQLite test database.

    DEBUG=1 .venv/bin/python bench/bench_signup.py [--submissions 300]

Two rows: background work run inline after commit (ImmediateBackend, the development and test default:
the confirmation email and the offline geocoding happen inside the request), and the database queue that
production uses (TASKS_BACKEND=django_tasks_db.DatabaseBackend: the request only enqueues them).
The database is created in a temporary directory and destroyed at the end; nothing is sent anywhere
(locmem email, GEOCODER=offline).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 20
CITIES = [
    ("275 Forest Avenue", "Palo Alto", "CA", "US"),
    ("Lloyd House, Colmore Circus", "Birmingham", "West Midlands", "GB"),
    ("180 Molesworth Street", "Wellington", "", "NZ"),
    ("Tööstuse 52", "Tallinn", "", "EE"),
    ("Hverfisgata 113", "Reykjavik", "", "IS"),
    ("Vigilance House", "Nairobi", "", "KE"),
]
BACKENDS = [
    ("inline after commit (dev/test)", "django_tasks.backends.immediate.ImmediateBackend"),
    ("database queue (production)", "django_tasks_db.DatabaseBackend"),
]


def post_data(n: int, prefix: str) -> dict[str, str]:
    street, city, region, country = CITIES[n % len(CITIES)]
    return {
        "handle": f"@{prefix}{n:05d}",
        "agency_name": f"Bench Police Department {n}",
        "agency_level": "local",
        "email": f"pio{n}@{prefix}.police.uk" if n % 2 else f"pio{n}@city{n}.example",
        "street": street,
        "city": city,
        "region": region,
        "postcode": "",
        "country": country,
        "participation_model": "one_topic" if n % 3 == 0 else "all_calls",
        "topic": "Road safety" if n % 3 == 0 else "",
        "hours_from": "",
        "hours_to": "",
        "consent_public": "on",
        "website": "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=300)
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="poltwt-bench-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "poltwt.settings"),
            "DATABASE_URL": f"sqlite:///{workdir.name}/bench.sqlite3",
            "CACHE_URL": "locmemcache://",
            "GEOCODER": "offline",
            "GEOCODER_MIN_INTERVAL": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    import logging

    from django.core import mail
    from django.db import connection
    from django.test import Client
    from django.test.utils import (
        CaptureQueriesContext,
        override_settings,
        setup_test_environment,
        teardown_test_environment,
    )
    from django.utils import timezone

    from events.models import Edition
    from registrations.models import Registration

    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    # Static files are served by the finders here; STATIC_ROOT only exists after collectstatic.
    warnings.filterwarnings("ignore", message="No directory at")
    setup_test_environment(debug=False)
    # A file, as deployed, rather than SQLite's in-memory test database.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{workdir.name}/test.sqlite3"
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        Edition.objects.create(
            ordinal=1,
            title="Benchmark Tweet-a-thon",
            date=dt.date(2030, 1, 1),
            registration_opens_at=timezone.now() - dt.timedelta(days=1),
        )
        rows = []
        with override_settings(RATE_LIMIT_SIGNUP="1000000/h"):
            for index, (label, backend) in enumerate(BACKENDS):
                with override_settings(TASKS={"default": {"BACKEND": backend}}):
                    prefix = f"b{index}"
                    client = Client()
                    for n in range(WARM_UP):
                        assert client.post("/register/agency/", post_data(n, prefix + "w")).status_code == 302
                    with CaptureQueriesContext(connection) as queries:
                        client.post("/register/agency/", post_data(0, prefix + "q"))
                    query_count = len(queries)  # now: the log is reset by the next request
                    mail.outbox.clear()
                    times = []
                    for n in range(args.submissions):
                        data = post_data(n, prefix)
                        start = time.perf_counter()
                        response = client.post("/register/agency/", data)
                        times.append(time.perf_counter() - start)
                        assert response.status_code == 302, response.content[:500]
                    emails = len(mail.outbox)
                    stored = Registration.objects.filter(handle__startswith=prefix).count()
                    assert stored == args.submissions + WARM_UP + 1, stored
                    rows.append((label, times, query_count, emails))
        ms = 1000
        print(
            f"Sign-up POST /register/agency/: {args.submissions} submissions after {WARM_UP} warm-up, "
            f"distinct handles, SQLite file, Django test Client (no network, no server)"
        )
        print(
            f"{'background work':<32}{'median':>9}{'p95':>9}{'mean':>9}{'max':>9}{'queries':>9}{'emails':>8}"
        )
        for label, times, query_count, emails in rows:
            p95 = statistics.quantiles(times, n=100)[94]
            print(
                f"{label:<32}{statistics.median(times) * ms:>7.1f}ms{p95 * ms:>7.1f}ms"
                f"{statistics.mean(times) * ms:>7.1f}ms{max(times) * ms:>7.1f}ms{query_count:>9}{emails:>8}"
            )
        print("queries = SQL statements in one POST (incl. session, after-commit work when inline);")
        print("emails = confirmation emails sent during the timed POSTs (0 when queued for the worker).")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        workdir.cleanup()


if __name__ == "__main__":
    main()
