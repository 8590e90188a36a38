"""An organizer's message to 5,000 confirmed registrants: the admin request that creates it (and only
enqueues the sending), then the background job that sends it.

    .venv/bin/python bench/bench_mailing.py [--registrants 5000] [--posts 3]

A throwaway SQLite file in a temporary directory, migrated and seeded with `manage.py migrate` and
`manage.py loaddemo --participants N` (every demo participant is confirmed and approved), deleted at the
end. DEBUG off, production settings except plain HTTP; email to the locmem backend (EMAIL_URL=memorymail://,
django-environ's name for django.core.mail.backends.locmem), so nothing is sent anywhere.

(a) POST /admin/registrations/mailing/add/ (which saves a draft), then the timed request: "Send to N
    registrants" on the draft's review page, as a superuser through the Django test Client, once with
    django_tasks' DummyBackend and once with django_tasks_db.DatabaseBackend (the production queue): the
    request stores one Delivery per recipient and enqueues `send_mailing`; no email is sent inside it
    (checked).
(b) `services.delivery.mailing_deliver(mailing_id=...)`, what the worker runs, timed; then checked:
    5,000 emails to 5,000 distinct addresses, the mailing's counts, and a second run sending none.
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

BACKENDS = [
    ("DummyBackend", "django_tasks.backends.dummy.DummyBackend"),
    ("django_tasks_db.DatabaseBackend", "django_tasks_db.DatabaseBackend"),
]
BODY = (
    "Thank you for registering for the Global Police Tweet-a-thon.\n\n"
    "Please see your registered email address for more information about this initiative."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrants", type=int, default=5_000)
    parser.add_argument("--posts", type=int, default=3, help="admin POSTs timed per task backend")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="poltwt-bench-")
    # As production, in process: the test client's host, emails kept in memory, tasks not run.
    os.environ.update(
        _server.production_env(
            workdir.name,
            cache="locmem",
            ALLOWED_HOSTS="testserver",
            EMAIL_URL="memorymail://",
            TASKS_BACKEND=BACKENDS[0][1],
            SITE_URL="http://testserver",
        )
    )
    sys.path.insert(0, str(_server.ROOT))
    try:
        _server.seed(dict(os.environ), args.registrants)
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
    from django.core import mail
    from django.db import connection
    from django.test import Client, override_settings
    from django_tasks import default_task_backend
    from django_tasks_db.models import DBTaskResult

    from demo.management.commands.loaddemo import UPCOMING_ORDINAL
    from events.models import Edition
    from registrations.models import Delivery, Mailing
    from registrations.services.delivery import mailing_deliver
    from registrations.services.mailing import recipients

    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend", settings.EMAIL_BACKEND
    edition = Edition.objects.get(ordinal=UPCOMING_ORDINAL)
    expected = recipients(edition=edition, statuses=["pending", "approved"]).count()
    assert expected == args.registrants, expected
    user = get_user_model().objects.create_superuser("bench", "bench@poltwt.example", "bench-password-123")
    client = Client()
    client.force_login(user)
    add_url = f"/{settings.ADMIN_URL}registrations/mailing/add/"
    assert client.get(add_url).status_code == 200  # templates and form compiled before timing

    request_rows = []
    last_mailing = None
    load_before = os.getloadavg()[0]
    for label, backend in BACKENDS:
        with override_settings(TASKS={"default": {"BACKEND": backend}}):
            times, queries = [], 0
            for n in range(args.posts + 1):
                mail.outbox = []
                enqueued_before = DBTaskResult.objects.count()
                dummy_before = len(getattr(default_task_backend, "results", []))
                data = {
                    "edition": edition.pk,
                    "subject": f"Bench message {label} {n}",
                    "body": BODY,
                    "statuses": ["pending", "approved"],
                    "kinds": ["agency", "officer"],
                }
                draft = client.post(add_url, data)
                assert draft.status_code == 302, draft.content[:2000]
                with count_queries(connection) as counted:
                    start = time.perf_counter()
                    response = client.post(draft["Location"], {"send": "1", "expected": str(expected)})
                    elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 302, response.content[:2000]
                assert mail.outbox == [], "the request itself sent email"
                mailing = Mailing.objects.latest("pk")
                assert mailing.recipients == expected and mailing.deliveries.count() == expected
                if backend.startswith("django_tasks_db"):
                    assert DBTaskResult.objects.count() == enqueued_before + 1
                else:
                    assert len(default_task_backend.results) == dummy_before + 1
                if n:  # the first POST of each backend warms its code paths
                    times.append(elapsed)
                    queries = counted["n"]
                last_mailing = mailing
            request_rows.append((label, times, queries))

    # (b) The job, as the worker runs it.
    mail.outbox = []
    with count_queries(connection) as first_queries:
        start = time.perf_counter()
        mailing = mailing_deliver(mailing_id=last_mailing.pk)
        first_seconds = time.perf_counter() - start
    first_sent = len(mail.outbox)
    addresses = {message.to[0] for message in mail.outbox}
    mail.outbox = []
    with count_queries(connection) as second_queries:
        start = time.perf_counter()
        again = mailing_deliver(mailing_id=last_mailing.pk)
        second_seconds = time.perf_counter() - start
    second_sent = len(mail.outbox)
    undelivered = Delivery.objects.filter(mailing=mailing, sent_at__isnull=True).count()

    print(
        f"Message to {expected:,} confirmed registrants: admin request and background job; "
        "SQLite file, DEBUG off, locmem email"
    )
    print(f"machine load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (2 cores)")
    print(
        f'\n(a) POST "Send to N registrants" on a draft\'s review page (superuser, test Client): '
        f"{args.posts} timed after 1 warm-up, per backend"
    )
    header = (
        f"{'task backend':<34}{'median ms':>10}{'min ms':>9}{'max ms':>9}{'queries':>9}  emails in request"
    )
    print(header)
    print("-" * len(header))
    for label, times, queries in request_rows:
        print(
            f"{label:<34}{statistics.median(times):>10.1f}{min(times):>9.1f}{max(times):>9.1f}{queries:>9}  0"
        )
    print(f"\n(b) mailing_deliver(mailing_id={last_mailing.pk}), locmem email backend")
    header = f"{'run':<34}{'seconds':>10}{'emails':>9}{'emails/s':>10}{'queries':>9}{'queries/email':>15}"
    print(header)
    print("-" * len(header))
    print(
        f"{'first run':<34}{first_seconds:>10.2f}{first_sent:>9,}{first_sent / first_seconds:>10.0f}"
        f"{first_queries['n']:>9,}{first_queries['n'] / max(first_sent, 1):>15.1f}"
    )
    print(
        f"{'second run (retry)':<34}{second_seconds:>10.2f}{second_sent:>9,}{'-':>10}"
        f"{second_queries['n']:>9,}{'-':>15}"
    )
    checks = {
        f"{expected:,} emails went out": first_sent == expected,
        f"to {expected:,} distinct addresses": len(addresses) == expected,
        f"mailing counts sent={mailing.sent:,} failed={mailing.failed} finished": (
            mailing.sent == expected and mailing.failed == 0 and mailing.finished_at is not None
        ),
        "second run sent none": second_sent == 0 and again.sent == expected,
        "no delivery left unsent": undelivered == 0,
    }
    print("\nChecks: " + "; ".join(f"{name}: {'OK' if ok else 'FAILED'}" for name, ok in checks.items()))
    assert all(checks.values()), checks


if __name__ == "__main__":
    main()
