"""The admin's government-domain CSV import of 40,000 new domains: how long the upload holds its request,
and how long the background import takes to finish.

A throwaway SQLite database (and, with --postgres URL, that PostgreSQL database too), migrated, with the
database task queue and one `manage.py worker` waiting for tasks, as in production. A superuser posts the
file to /admin/registrations/governmentdomain/import/ through Django's test client; the bench prints the
request's wall time (goal: under 2 s), then waits for the import's row to say it is done and prints the
time from the upload to then, and the domains stored.

    .venv/bin/python bench/bench_domain_import.py [--domains 40000]
        [--postgres postgres://postgres@127.0.0.1:5432/poltwt_domainjob]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import ROOT, manage, production_env

MEASURE = """
import io, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from registrations.models import CsvImport, GovernmentDomain
count = int(sys.argv[1])
GovernmentDomain.objects.filter(domain__endswith=".bench.example").delete()
chief = {"is_staff": True, "is_superuser": True}
user, _ = get_user_model().objects.get_or_create(username="bench-chief", defaults=chief)
client = Client()
client.force_login(user)
upload = io.BytesIO(b"domain\\n" + "".join(f"d{n}.bench.example\\n" for n in range(count)).encode())
upload.name = "domains.csv"
start = time.perf_counter()
response = client.post("/admin/registrations/governmentdomain/import/", {"file": upload})
took = time.perf_counter() - start
draft = CsvImport.objects.filter(kind="domains").latest("created_at")
print(f"upload: status {response.status_code}, {took:.2f} s, {draft.rows_total} names queued")
while draft.imported_at is None:
    time.sleep(0.1)
    draft.refresh_from_db()
done = time.perf_counter() - start
stored = GovernmentDomain.objects.filter(domain__endswith=".bench.example").count()
print(f"background import done {done:.1f} s after the upload: {draft.imported_rows} new, {stored} stored")
GovernmentDomain.objects.filter(domain__endswith=".bench.example").delete()
"""


def measure(env: dict[str, str], label: str, domains: int, workdir: str) -> None:
    env = {**env, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    manage(env, "migrate", "-v0")
    with open(Path(workdir) / f"worker-{label}.log", "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.1", "--no-reload", "--no-startup-delay"],
            cwd=ROOT,
            env={**env, "CACHE_URL": "locmemcache://"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        result = subprocess.run(
            [sys.executable, "-c", MEASURE, str(domains)],
            cwd=ROOT,
            env={**env, "CACHE_URL": "locmemcache://", "ALLOWED_HOSTS": "testserver"},
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
    finally:
        worker.terminate()  # only the worker this bench started
        worker.wait(timeout=30)
    print(f"{label}, {domains} new domains in one upload:")
    print("  " + ("\n  ".join(result.stdout.split("\n")).strip() or result.stderr[-2000:]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--domains", type=int, default=40_000)
    parser.add_argument("--postgres", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        measure(production_env(workdir, cache="locmem"), "SQLite", args.domains, workdir)
        if args.postgres:
            measure(
                production_env(workdir, cache="locmem", DATABASE_URL=args.postgres),
                "PostgreSQL",
                args.domains,
                workdir,
            )


if __name__ == "__main__":
    main()
