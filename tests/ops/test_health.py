"""/healthz for load balancers: database, cache and the age of the task queue; outside any language prefix."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import threading

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from registrations import tasks
from tests.factories import RegistrationFactory
from tests.ops.processes import PYTHON, ROOT, process_env

# The checks run in threads with their own connections: they see only committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_answers_ok_at_the_root(client):
    assert reverse("healthz") == "/healthz"
    response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert any("Database" in name for name in body) and any("Cache" in name for name in body)
    assert any("QueueAge" in name for name in body)
    assert "no-cache" in response["Cache-Control"]


def test_healthz_fails_when_the_queue_is_not_worked(client, settings, edition):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.HEALTH_QUEUE_MAX_AGE_SECONDS = 600
    result = tasks.geocode_registration_task.enqueue(RegistrationFactory(edition=edition).pk)
    assert client.get("/healthz", HTTP_ACCEPT="text/plain").status_code == 200  # just queued
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - dt.timedelta(minutes=11))
    response = client.get("/healthz", HTTP_ACCEPT="text/plain")
    assert response.status_code == 500
    assert "oldest queued task has waited" in response.content.decode()


def open_database_connections() -> int | None:
    """PostgreSQL's count of connections to this database (None on SQLite, which has no server)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_a_thousand_polls_open_no_connection_and_no_thread(client, settings):
    """Each poll used to run its checks in fresh threads, each opening a database connection it never
    closed: 50 polls took PostgreSQL from 4 to 22 connections. Counted three ways: connections Django
    opened (any backend), threads alive, and PostgreSQL's own count where it runs."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # QueueAge queries too
    assert client.get("/healthz").status_code == 200  # the test thread's own connection is open now
    opened = []

    def count(sender, connection, **kwargs):
        opened.append(connection.alias)

    before = (threading.active_count(), open_database_connections())
    connection_created.connect(count)
    try:
        statuses = {client.get("/healthz", HTTP_ACCEPT="application/json").status_code for _ in range(1000)}
    finally:
        connection_created.disconnect(count)
    assert statuses == {200}
    assert opened == []
    assert (threading.active_count(), open_database_connections()) == before


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def test_with_the_cache_down_the_failing_check_is_named(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        },
    }
    as_json = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert as_json.status_code == 500
    failing = {name: state for name, state in as_json.json().items() if state != "OK"}
    assert list(failing) == ["Cache(alias='default')"]
    assert "The cache is unavailable (ConnectionError)" in failing["Cache(alias='default')"]
    as_html = client.get("/healthz", HTTP_ACCEPT="text/html").content.decode()
    assert "Cache" in as_html and "The cache is unavailable" in as_html and "Server Error" not in as_html


@pytest.fixture
def database_down():
    """The default database unreachable for the length of the test: a file that cannot be opened
    (SQLite), or a port nothing listens on (PostgreSQL)."""
    connection.close()
    saved = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/poltwt/down.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def test_with_the_database_down_the_failing_checks_are_named(client, settings, database_down):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    body = client.get("/healthz?format=json").json()
    assert body["Cache(alias='default')"] == "OK"
    assert body["Database(alias='default')"] != "OK"
    assert "database unavailable" in body["QueueAge()"]
    as_html = client.get("/healthz", HTTP_ACCEPT="text/html")
    assert as_html.status_code == 500
    assert "Database" in as_html.content.decode() and "Server Error" not in as_html.content.decode()


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers (a hung database or
    Redis): the case no refused connection shows."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            self.accepted.append(conn)  # held open, never read from or written to

    def __enter__(self) -> SilentServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


HEALTH_IN_A_PROCESS = """
import json, time
import django
django.setup()
from django.test import Client
start = time.monotonic()
response = Client().get("/healthz?format=json")
print(json.dumps({"status": response.status_code, "body": response.json(), "took": time.monotonic() - start}))
"""


def test_a_database_and_a_redis_that_never_answer_cannot_hang_healthz():
    """With the settings as production builds them from DATABASE_URL and CACHE_URL (PostgreSQL's connect
    timeout, Redis socket timeouts), /healthz names both failing checks instead of waiting for ever. Run in
    a process of its own so that the settings are read from the environment; the test database is not used."""
    with SilentServer() as database, SilentServer() as cache:
        env = process_env(
            DATABASE_URL=f"postgres://poltwt@127.0.0.1:{database.port}/poltwt",
            CACHE_URL=f"redis://127.0.0.1:{cache.port}/0",
            TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        )
        # Without the timeouts the request never ends; the generous bound keeps a busy machine from failing.
        result = subprocess.run(  # noqa: S603 - our own interpreter
            [PYTHON, "-c", HEALTH_IN_A_PROCESS],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=True,
        )
        assert database.accepted and cache.accepted  # both were reached, and answered nothing
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"\n/healthz answered in {answer['took']:.1f} s with the database and Redis silent")
    assert answer["status"] == 500
    body = answer["body"]
    assert "The database is unavailable" in body["Database(alias='default')"]
    assert "The cache is unavailable (TimeoutError)" in body["Cache(alias='default')"]
    assert "database unavailable" in body["QueueAge()"]
