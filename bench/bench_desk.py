"""The organizers' desk with 10,000 registrations: the waiting list, the dashboard, a mailing's review page.

    .venv/bin/python bench/bench_desk.py [--registrants 10000] [--runs 7]

A throwaway SQLite file in a temporary directory, migrated and seeded with `manage.py loaddemo
--participants N` (confirmed, approved, located demo participants of the edition open for sign-up); then
every other entry is set back to "pending review", so the waiting list has N/2 entries. DEBUG off, locmem
email. Each page is requested through the Django test Client as a superuser: one warm-up, then `--runs`
timed requests; the table gives the median, min and max in milliseconds and the SQL statements per request.

- the registration list as it opens (the current edition's confirmed entries waiting for review), and
  with every entry ("?all=1");
- an entry's page opened from the waiting list sorted by country (it finds the next waiting entry of that
  list: "approve and open the next");
- the admin index with the desk dashboard;
- the review page of a draft message to all N registrants (count, the preview email in text and HTML).

Goals (issue 9): list and dashboard under 150 ms, the review page under 300 ms, at 10,000 registrations.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import _server
from _queries import count_queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    workdir = tempfile.TemporaryDirectory(prefix="poltwt-bench-")
    # As production, in process: the test client's host, emails kept in memory, tasks not run.
    os.environ.update(
        _server.production_env(
            workdir.name,
            cache="locmem",
            ALLOWED_HOSTS="testserver",
            EMAIL_URL="memorymail://",
            TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
            SITE_URL="http://testserver",
        )
    )
    sys.path.insert(0, str(_server.ROOT))
    try:
        start = time.perf_counter()
        _server.seed(dict(os.environ), args.registrants)
        print(f"(setup: migrate and loaddemo took {time.perf_counter() - start:.0f} s)")
        run(args)
    finally:
        workdir.cleanup()


def run(args: argparse.Namespace) -> None:
    import warnings

    import django

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils.http import urlencode

    from desk.selectors import dashboard_edition
    from registrations.models import Delivery, Mailing, Registration
    from registrations.services.mailing import mailing_recipients, message_create

    edition = dashboard_edition()
    ids = list(Registration.objects.for_edition(edition).order_by("pk").values_list("pk", flat=True))
    Registration.objects.filter(pk__in=ids[::2]).update(status=Registration.Status.PENDING)
    total = Registration.objects.count()
    user = get_user_model().objects.create_superuser("bench", "bench@poltwt.example", "bench-password-123")
    client = Client()
    client.force_login(user)
    admin = f"/{settings.ADMIN_URL}"
    changelist = f"{admin}registrations/registration/"
    opening = client.get(changelist)
    assert opening.status_code == 302, opening.status_code
    waiting_url = opening["Location"]
    draft = message_create(
        edition=edition,
        subject="Bench",
        body="Hello, all of you.",
        actor=user,
        statuses=["pending", "approved"],
    )
    to = mailing_recipients(mailing=draft).count()
    # An entry opened from the waiting list sorted by country: its page finds the next entry of that list.
    middle = Registration.objects.for_edition(edition).waiting().order_by("pk")[len(ids) // 4]
    filters = urlencode({"_changelist_filters": waiting_url.split("?", 1)[1] + "&o=8"})
    pages = [
        ("waiting list (opens the list)", waiting_url, 150),
        ("entry page, next of the sorted list", f"{changelist}{middle.pk}/change/?{filters}", 150),
        ("list, every entry (?all=1)", changelist + "?all=1", 150),
        ("admin index with the dashboard", admin, 150),
        (f"review page, mailing to {to:,}", f"{admin}registrations/mailing/{draft.pk}/review/", 300),
    ]
    load_before = os.getloadavg()[0]
    rows = []
    for label, url, goal in pages:
        assert client.get(url).status_code == 200, url  # warm-up
        times, queries = [], 0
        for _ in range(args.runs):
            with count_queries(connection) as counted:
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, url
            queries = counted["n"]
        rows.append((label, times, queries, goal))
    assert Mailing.objects.get(pk=draft.pk).is_draft and not Delivery.objects.exists()  # nothing sent

    print(
        f"Organizers' desk with {total:,} registrations ({len(ids[::2]):,} waiting for review); SQLite file, "
        f"DEBUG off, test Client as a superuser; {args.runs} timed requests after 1 warm-up"
    )
    print(f"machine load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (2 cores)")
    header = f"{'page':<36}{'median ms':>10}{'min ms':>9}{'max ms':>9}{'queries':>9}{'goal ms':>9}  met"
    print(header)
    print("-" * len(header))
    for label, times, queries, goal in rows:
        median = statistics.median(times)
        print(
            f"{label:<36}{median:>10.1f}{min(times):>9.1f}{max(times):>9.1f}{queries:>9}{goal:>9}"
            f"  {'yes' if median < goal else 'NO'}"
        )


if __name__ == "__main__":
    main()
