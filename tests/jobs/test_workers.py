"""Two gunicorn workers on the embedded defaults (no CACHE_URL: the file cache; the test database, SQLite
or PostgreSQL): a change shows on every worker within PUBLIC_PAGE_CACHE_RECHECK, and rate limits count
across the workers.

Real processes: gunicorn serves poltwt.wsgi from the test database, which this test changes through the
services. gunicorn's sync workers under light load let one worker take most connections, so requests are
sent many at once, and the access log (which names the worker's pid) shows that both answered.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from registrations.models import Registration
from registrations.services.privacy import registration_withdraw
from registrations.services.review import registration_approve
from tests.factories import EditionFactory, RegistrationFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
RECHECK = 1.0  # the default PUBLIC_PAGE_CACHE_RECHECK, which the server runs with
LINK_LIMIT = 5
AT_ONCE = 16


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    base: str
    access_log: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        request = urllib.request.Request(self.base + path, headers=headers or {})  # noqa: S310 - http://127.0.0.1
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our loopback server
                return Answer(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, dict(exc.headers.items()), exc.read())

    def get_at_once(self, path: str, count: int) -> list[Answer]:
        with ThreadPoolExecutor(AT_ONCE) as pool:
            return list(pool.map(lambda _: self.get(path), range(count)))

    def get_from_both_workers(self, path: str, count: int) -> list[Answer]:
        """`count` requests at once, and as many more rounds as it takes for both workers to answer some.

        On a busy machine one worker may take a whole round while the other is not scheduled, and gunicorn
        writes a request's access-log line only after the client has its answer; every answer is kept.
        """
        start = self.log_lines()
        deadline = time.monotonic() + 60
        answers = self.get_at_once(path, count)
        while len(self.workers_since(start, path)) < 2 and time.monotonic() < deadline:
            answers += self.get_at_once(path, count)
        return answers

    def log_lines(self) -> int:
        return len(self.access_log.read_text().splitlines())

    def workers_since(self, line: int, path: str) -> set[str]:
        """The pids of the workers that answered `path` in the access log from `line` on."""
        pids = set()
        for entry in self.access_log.read_text().splitlines()[line:]:
            pid, logged_path = entry.split(" ", 2)[:2]
            if logged_path == path.split("?")[0]:
                pids.add(pid)
        return pids


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("gunicorn")
    env = {
        key: value
        for key, value in os.environ.items()
        # The embedded defaults: no CACHE_URL, the recheck period as shipped.
        if key not in ("CACHE_URL", "PUBLIC_PAGE_CACHE_RECHECK", "PUBLIC_PAGE_CACHE_SECONDS")
    }
    with django_db_blocker.unblock():
        env["DATABASE_URL"] = database_url()
    env.update(
        DJANGO_SETTINGS_MODULE="poltwt.settings",
        CACHE_DIR=str(workdir / "cache"),  # the file cache's place, so that runs never share counts
        CONN_MAX_AGE="0",  # no connection outlives a request (the test database is dropped at the end)
        RATE_LIMIT_LINKS=f"{LINK_LIMIT}/h",
        LOG_LEVEL="WARNING",
    )
    port = free_port()
    access_log = workdir / "access.log"
    access_log.touch()
    output = workdir / "gunicorn.out"
    with output.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, loopback only
            [
                str(GUNICORN),
                "poltwt.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                "%(p)s %(U)s %(s)s",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Server(f"http://127.0.0.1:{port}", access_log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, output.read_text()[-3000:]
            try:
                if running.get("/robots-or-anything-404/").status == 404:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, output.read_text()[-3000:]
            time.sleep(0.2)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)  # the arbiter we started; it stops its workers
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(15)


def handles(answer: Answer) -> set[str]:
    return {row["handle"] for row in json.loads(answer.body)["participants"]}


@pytest.mark.django_db(transaction=True)
def test_every_worker_shows_a_withdrawal_and_an_approval_within_the_recheck_period(server):
    edition = EditionFactory(ordinal=6)
    alpha = RegistrationFactory(
        edition=edition, handle="Alpha1", status="approved", latitude=1.0, longitude=2.0
    )
    bravo = RegistrationFactory(edition=edition, handle="Bravo2")
    urls = {
        "json": reverse("pages:participants_json") + "?edition=6",
        "list": reverse("pages:participant_list") + "?edition=6",
    }
    time.sleep(RECHECK)  # the workers have seen this test's data

    start = server.log_lines()
    before_json = server.get_from_both_workers(urls["json"], 40)
    before_list = server.get_from_both_workers(urls["list"], 40)
    assert len(server.workers_since(start, urls["json"])) == 2
    assert all(answer.status == 200 and handles(answer) == {"Alpha1"} for answer in before_json)
    assert all(b"@Alpha1" in answer.body and b"@Bravo2" not in answer.body for answer in before_list)
    # Each worker now holds both pages in its memory and in the shared files.

    registration_withdraw(registration=alpha)
    registration_approve(registration=bravo, actor=UserFactory())
    changed_at = time.monotonic()
    time.sleep(RECHECK + 0.05)

    start = server.log_lines()
    after_json = server.get_from_both_workers(urls["json"], 40)
    after_list = server.get_from_both_workers(urls["list"], 40)
    assert time.monotonic() - changed_at < RECHECK + 10  # the answers came soon after the period
    assert len(server.workers_since(start, urls["json"])) == 2
    assert len(server.workers_since(start, urls["list"])) == 2
    assert [handles(answer) for answer in after_json] == [{"Bravo2"}] * len(after_json)
    assert all(b"@Bravo2" in answer.body and b"@Alpha1" not in answer.body for answer in after_list)

    # And what they answer is the same for everyone, whichever worker built it.
    for answers in (after_json, after_list):
        first = answers[0]
        for answer in answers:
            assert answer.body == first.body
            assert answer.headers["ETag"] == first.headers["ETag"]
            assert answer.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
            assert "Set-Cookie" not in answer.headers
            assert re.fullmatch(r"public, max-age=1, s-maxage=60", answer.headers["Cache-Control"])
        assert b"nonce" not in first.body and "nonce" not in first.headers["Content-Security-Policy"]
        revalidated = server.get(urls["list"], {"If-None-Match": after_list[0].headers["ETag"]})
        assert revalidated.status == 304
    assert not Registration.objects.public().filter(handle="Alpha1").exists()


@pytest.mark.django_db(transaction=True)
def test_rate_limits_count_across_the_workers(server):
    guess = reverse("registrations:manage", args=["a-guessed-token"])
    start = server.log_lines()
    answers = server.get_from_both_workers(guess, 3 * AT_ONCE)
    assert len(server.workers_since(start, guess)) == 2
    statuses = sorted(answer.status for answer in answers)
    # With a count per worker, each would let LINK_LIMIT through.
    assert statuses == [404] * LINK_LIMIT + [429] * (len(answers) - LINK_LIMIT)
