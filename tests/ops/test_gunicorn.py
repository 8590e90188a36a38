"""The production recipe under real gunicorn (poltwt/gunicorn.py, as the Procfile runs it)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

from registrations import tokens
from tests.factories import RegistrationFactory
from tests.ops.processes import PYTHON, ROOT, process_env, stop

pytestmark = pytest.mark.django_db(transaction=True)

PORT = 18320
BASE = f"http://127.0.0.1:{PORT}"


def get(path: str, timeout: float = 5.0) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(BASE + path, timeout=timeout) as response:  # noqa: S310 - loopback
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


@pytest.fixture
def gunicorn(edition, tmp_path) -> Iterator[Path]:
    log = tmp_path / "gunicorn.log"
    env = process_env(GUNICORN_BIND=f"127.0.0.1:{PORT}", GUNICORN_ACCESSLOG=str(log))
    with (tmp_path / "stderr.log").open("wb") as errors:
        server = subprocess.Popen(  # noqa: S603 - our interpreter, our config
            [PYTHON, "-m", "gunicorn", "-c", "python:poltwt.gunicorn", "poltwt.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=errors,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    for _ in range(4):  # let both workers load the application
                        get("/")
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise AssertionError((tmp_path / "stderr.log").read_text()) from None
                    time.sleep(0.2)
            yield log
        finally:
            stop(server)


def half_sent_post() -> socket.socket:
    """A client that announces a body and sends a few bytes of it, then nothing."""
    client = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    client.sendall(
        f"POST {reverse('registrations:lost_link')} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail=a".encode()
    )
    return client


def test_two_half_sent_posts_do_not_stall_the_site(gunicorn):
    slow = [half_sent_post(), half_sent_post()]
    try:
        time.sleep(0.5)  # the server has read both requests' headers and is waiting for their bodies
        timings = [get("/", timeout=5) for _ in range(5)]
    finally:
        for client in slow:
            client.close()
    print(f"\nGET / while two POST bodies hang: {[f'{seconds * 1000:.0f} ms' for _, seconds in timings]}")
    assert all(status == 200 for status, _ in timings), timings
    assert max(seconds for _, seconds in timings) < 1.0, timings


def test_the_access_log_never_holds_a_private_token(gunicorn, edition):
    registration = RegistrationFactory(edition=edition)
    token = tokens.make_token(registration, "manage")
    status, _ = get(reverse("registrations:manage", args=[token]))
    assert status == 200
    get(reverse("registrations:withdraw", args=[token]))
    time.sleep(0.3)
    log = gunicorn.read_text()
    assert "/manage/[token]/ " in log or "/manage/[token]/" in log
    assert "/manage/[token]/withdraw/" in log
    assert token not in log
