"""The production recipe under real gunicorn (poltwt/gunicorn.py, as the Procfile runs it)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse

from registrations import tokens
from tests.factories import RegistrationFactory
from tests.ops.processes import PYTHON, ROOT, process_env, stop

pytestmark = pytest.mark.django_db(transaction=True)

# A stalled site answers nobody until the half-sent bodies time out (gunicorn's 30 s timeout): a GET that
# answers within this many seconds was not stalled, however busy the machine.
STALL_SECONDS = 10.0


def get(base: str, path: str, timeout: float = STALL_SECONDS) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as response:  # noqa: S310 - loopback
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


@dataclass
class Gunicorn:
    base: str
    port: int
    access_log: Path


@pytest.fixture
def gunicorn(edition, tmp_path) -> Iterator[Gunicorn]:
    # The socket is opened here and handed over (fd://): no fixed port that another checkout running the
    # same tests on this machine could hold, and no window between choosing a free port and binding it.
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    running = Gunicorn(f"http://127.0.0.1:{port}", port, tmp_path / "gunicorn.log")
    env = process_env(GUNICORN_BIND=f"fd://{listener.fileno()}", GUNICORN_ACCESSLOG=str(running.access_log))
    with listener, (tmp_path / "stderr.log").open("wb") as errors:
        server = subprocess.Popen(  # noqa: S603 - our interpreter, our config
            [PYTHON, "-m", "gunicorn", "-c", "python:poltwt.gunicorn", "poltwt.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=errors,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
        try:
            # Starting two workers takes a few seconds, many more on a busy machine; only a dead server or
            # a minute without an answer is a failure.
            deadline = time.monotonic() + 60
            while True:
                try:
                    for _ in range(4):  # let both workers load the application
                        get(running.base, "/")
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise AssertionError((tmp_path / "stderr.log").read_text()) from None
                    time.sleep(0.2)
            yield running
        finally:
            stop(server)


def half_sent_post(port: int) -> socket.socket:
    """A client that announces a body and sends a few bytes of it, then nothing."""
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    client.sendall(
        f"POST {reverse('registrations:lost_link')} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail=a".encode()
    )
    return client


def test_two_half_sent_posts_do_not_stall_the_site(gunicorn):
    slow = [half_sent_post(gunicorn.port), half_sent_post(gunicorn.port)]
    try:
        time.sleep(0.5)  # the server has read both requests' headers and is waiting for their bodies
        timings = [get(gunicorn.base, "/") for _ in range(5)]
    finally:
        for client in slow:
            client.close()
    print(f"\nGET / while two POST bodies hang: {[f'{seconds * 1000:.0f} ms' for _, seconds in timings]}")
    assert all(status == 200 for status, _ in timings), timings
    assert max(seconds for _, seconds in timings) < STALL_SECONDS, timings


def test_the_access_log_never_holds_a_private_token(gunicorn, edition):
    registration = RegistrationFactory(edition=edition)
    token = tokens.make_token(registration, "manage")
    status, _ = get(gunicorn.base, reverse("registrations:manage", args=[token]))
    assert status == 200
    get(gunicorn.base, reverse("registrations:withdraw", args=[token]))
    # gunicorn writes the access-log line after the response has gone out: wait for it.
    deadline = time.monotonic() + 30
    while "withdraw/" not in (log := gunicorn.access_log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "/manage/[token]/ " in log or "/manage/[token]/" in log
    assert "/manage/[token]/withdraw/" in log
    assert token not in log
