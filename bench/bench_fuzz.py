"""The fuzz of tests/test_fuzz.py at volume: at least 100,000 hostile requests over every public route under
every language prefix, the private links, and the admin as staff (each model's pages with odd object ids,
each list with odd query strings), counting the answers of 5xx.

    .venv/bin/python bench/bench_fuzz.py [--requests 100000] [--shards 2]

The same generators of odd values as the test (its Hypothesis strategies: Unicode digits, huge and negative
numbers, repeated parameters, NUL, invalid UTF-8, garbage tokens and ids) and the same URLs (the test's own
functions read them from the URLconf and the admin's registry). Only the way requests are made differs, so
that 100,000 take minutes: the values are drawn first, then each request is a prepared WSGI environ handed
to Django's WSGIHandler in the process (no test client, no per-request Hypothesis). As the test client does,
CSRF checks are off, so form bodies reach the views. Production settings (DEBUG off), a throwaway SQLite
database per shard (shards run in parallel, one process each) and rate limits out of the way.

Prints the requests made, the 5xx answers (with the first few requests that got one and their error),
and the time taken.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import io
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote_to_bytes

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import ROOT, manage, production_env

# What each kind of request gets of the total (the test's five fuzz tests), by requests per example.
SHARE = {"public_get": 0.40, "public_post": 0.30, "private": 0.05, "admin_ids": 0.20, "admin_lists": 0.05}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--shard", type=int, default=-1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.shard >= 0:
        run_shard(args.shard, args.shards, args.requests)
        return
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as workdir:
        processes = []
        for shard in range(args.shards):
            env = shard_env(workdir, shard)
            manage(env, "migrate", "-v0")
            log = Path(workdir) / f"shard-{shard}.log"
            with log.open("wb") as stderr:
                command = [sys.executable, __file__, "--shard", str(shard), "--shards", str(args.shards)]
                process = subprocess.Popen(
                    [*command, "--requests", str(args.requests)],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    text=True,
                )
            processes.append((process, log))
        reports = []
        for process, log in processes:
            out, _ = process.communicate()
            if process.returncode:
                print(f"a shard failed (exit code {process.returncode}):\n{log.read_text()[-3000:]}")
                sys.exit(1)
            reports.append(json.loads(out.strip().splitlines()[-1]))
    took = time.monotonic() - start
    requests = sum(report["requests"] for report in reports)
    failures = [failure for report in reports for failure in report["failures"]]
    by_kind: dict[str, int] = {}
    for report in reports:
        for kind, count in report["by_kind"].items():
            by_kind[kind] = by_kind.get(kind, 0) + count
    print(f"requests: {requests} ({', '.join(f'{kind} {count}' for kind, count in by_kind.items())})")
    print(f"5xx answers: {sum(report['server_errors'] for report in reports)}")
    for failure in failures[:10]:
        print("  " + failure[:400])
    print(f"time: {took:.0f} s with {args.shards} shards ({requests / took:.0f} requests/s)")


def shard_env(workdir: str, shard: int) -> dict[str, str]:
    return production_env(
        workdir,
        cache="locmem",
        DATABASE_URL=f"sqlite:///{workdir}/fuzz-{shard}.sqlite3",
        ALLOWED_HOSTS="testserver",
        RATE_LIMIT_SIGNUP="100000000/h",
        RATE_LIMIT_LINKS="100000000/h",
        EMAIL_URL="dummymail://",
        LOG_LEVEL="ERROR",
    )


def run_shard(shard: int, shards: int, total: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))  # the test module's generators and URL lists
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    import tests.test_fuzz as fuzz
    from tests.factories import EditionFactory

    now = timezone.now()
    edition = EditionFactory(  # as the suite's `edition` fixture: open for sign-up
        ordinal=7,
        title="7th Global Police Tweet-a-thon",
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
    )
    site = fuzz.build_site(edition)
    staff = get_user_model().objects.create_user("fuzz-chief", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    staff_cookie = "; ".join(f"{key}={morsel.value}" for key, morsel in client.cookies.items())
    languages = fuzz.LANGUAGES
    token_names = [name for name, converters in site["names"] if converters == ["token"]]
    admin_lists = [
        f"/{settings.ADMIN_URL}{model._meta.app_label}/{model._meta.model_name}/"
        for model in fuzz.admin.site._registry
    ]

    def environs():
        """(kind, method, path, query, body, content type, staff) for this shard's share of the requests."""
        per_example = {
            "public_get": len(site["urls"]["en"]),
            "public_post": len(site["urls"]["en"]),
            "private": 2 * len(token_names),
            "admin_ids": len(fuzz.admin_object_urls("1")),
            "admin_lists": len(admin_lists),
        }
        examples = {kind: int(total * share / per_example[kind]) + 1 for kind, share in SHARE.items()}
        queries = draw(fuzz.query_strings, examples["public_get"] + examples["admin_lists"], seed=1)
        for index, query in enumerate(queries[: examples["public_get"]]):
            for url in site["urls"][languages[index % len(languages)]]:
                yield "public_get", "GET", url, query, b"", "", False
        charsets = ["", "; charset=utf-8", "; charset=latin-1", "; charset=x"]
        for index, body in enumerate(draw(fuzz.form_bodies, examples["public_post"], seed=2)):
            content_type = "application/x-www-form-urlencoded" + charsets[index % len(charsets)]
            for url in site["urls"][languages[index % len(languages)]]:
                yield "public_post", "POST", url, "", body, content_type, False
        for token in draw(fuzz.garbage_tokens, examples["private"], seed=3):
            for name in token_names:
                try:
                    url = reverse(name, args=[token])
                except NoReverseMatch:
                    continue
                yield "private", "GET", url, "", b"", "", False
                body = f"handle={fuzz.quote(token)}".encode()
                yield "private", "POST", url, "", body, "application/x-www-form-urlencoded", False
        for object_id in draw(fuzz.object_ids, examples["admin_ids"], seed=4):
            for url in fuzz.admin_object_urls(object_id):
                yield "admin_ids", "GET", url, "", b"", "", True
        for query in queries[examples["public_get"] :]:
            for url in admin_lists:
                yield "admin_lists", "GET", url, query, b"", "", True

    handler = NoCsrfHandler()
    errors = ErrorLog()
    request_log = logging.getLogger("django.request")  # a 500's exception, kept; the 4xx lines, dropped
    request_log.handlers, request_log.propagate = [errors], False
    request_log.setLevel(logging.ERROR)
    counts = {"requests": 0, "server_errors": 0, "failures": [], "by_kind": {}}
    for index, (kind, method, url, query, body, content_type, as_staff) in enumerate(environs()):
        if index % shards != shard:
            continue
        environ = {
            "REQUEST_METHOD": method,
            # As a WSGI server gives it: the path percent-decoded to bytes, as latin-1 text.
            "PATH_INFO": unquote_to_bytes(url).decode("iso-8859-1"),
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
            "CONTENT_LENGTH": str(len(body)),
        }
        if content_type:
            environ["CONTENT_TYPE"] = content_type
        if as_staff:
            environ["HTTP_COOKIE"] = staff_cookie
        status: list[str] = []
        errors.last = ""
        response = handler(environ, functools.partial(start_response, status))
        for _chunk in response:
            pass
        response.close()
        counts["requests"] += 1
        if counts["requests"] % 5000 == 0:  # into the shard's log, to follow a long run
            print(f"shard {shard}: {counts['requests']} requests", file=sys.stderr, flush=True)
        counts["by_kind"][kind] = counts["by_kind"].get(kind, 0) + 1
        if int(status[0][:3]) >= 500:
            counts["server_errors"] += 1
            if len(counts["failures"]) < 20:
                what = f"{method} {url}{'?' + query if query else ''}{' ' + repr(body[:80]) if body else ''}"
                counts["failures"].append(f"{status[0][:3]} for {what}: {errors.last}")
    print(json.dumps(counts))


def start_response(status: list[str], line: str, headers, exc_info=None) -> None:
    status.append(line)


class NoCsrfHandler:
    """Django's WSGIHandler, with CSRF checks off as in the test client (so that form bodies reach views)."""

    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        class Handler(WSGIHandler):
            def get_response(self, request):
                request._dont_enforce_csrf_checks = True
                return super().get_response(request)

        self._handler = Handler()

    def __call__(self, environ, start_response):
        return self._handler(environ, start_response)


class ErrorLog(logging.Handler):
    """Keeps the last line of the last exception Django logged (the cause of a 500)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.last = f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"[:300]


def draw(strategy, count: int, *, seed: int) -> list:
    """count values of a Hypothesis strategy (fewer when it has fewer distinct ones), the same every run."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    found: list = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value) -> None:
        found.append(value)

    collect()
    return found


if __name__ == "__main__":
    main()
