"""How long the admin's government-domain CSV import holds one request, for 40,000 new domains.

A throwaway SQLite database (and, with --postgres URL, that PostgreSQL database too), migrated; a
superuser posts the file to /admin/registrations/governmentdomain/import/ through Django's test client.
Prints the request's wall time and the domains stored. Goal: under 2 s.

    .venv/bin/python bench/bench_domain_import.py [--domains 40000]
        [--postgres postgres://postgres@127.0.0.1:5432/poltwt_hardening]
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
from registrations.models import GovernmentDomain
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
stored = GovernmentDomain.objects.filter(domain__endswith=".bench.example").count()
print(f"status {response.status_code}, {took:.2f} s, {stored} domains stored")
GovernmentDomain.objects.filter(domain__endswith=".bench.example").delete()
"""


def measure(env: dict[str, str], label: str, domains: int) -> None:
    manage(env, "migrate", "-v0")
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(domains)],
        cwd=ROOT,
        env={**env, "CACHE_URL": "locmemcache://", "ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        check=False,
    )
    print(f"{label}, {domains} new domains in one upload: {result.stdout.strip() or result.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--domains", type=int, default=40_000)
    parser.add_argument("--postgres", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        measure(production_env(workdir, cache="locmem"), "SQLite", args.domains)
        if args.postgres:
            measure(
                production_env(workdir, cache="locmem", DATABASE_URL=args.postgres),
                "PostgreSQL",
                args.domains,
            )


if __name__ == "__main__":
    main()
