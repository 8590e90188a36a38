"""/healthz for load balancers and monitoring: the database, the cache and the age of the task queue.

django-health-check's own view is asynchronous and runs each synchronous check in a fresh executor
thread; every such thread opened a database connection (and a cache client) that nothing closed, so a
load balancer polling /healthz exhausted PostgreSQL. Here the checks run one after another in the
request's own thread, whose connection Django manages like any view's (CONN_MAX_AGE), so polling costs
no connection at all. django-health-check still provides the check classes, the page and its formats.

A check that fails is named with its reason in every format (HTML, JSON, text); the answer is then 500.
/healthz is never cached and never touches the page cache (pages/cache.py only looks up public pages).

No check can hang: connecting to PostgreSQL and every Redis command have timeouts (poltwt/config.py:
DATABASE_CONNECT_TIMEOUT, CACHE_TIMEOUT_SECONDS), the checks' queries a statement timeout, and the queue
is not read when the database check failed (that would wait for the database a second time).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import timeit
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections, transaction
from django.db.models import Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max
from health_check import HealthCheck
from health_check.base import HealthCheckResult
from health_check.exceptions import HealthCheckException, ServiceUnavailable
from health_check.views import HealthCheckView, MediaType

logger = logging.getLogger(__name__)

# The longest a check's query may run on PostgreSQL (a database that answers, but slowly: locks, load).
STATEMENT_TIMEOUT_MS = 2000


@contextmanager
def bounded_queries(alias: str = "default") -> Iterator[None]:
    """A transaction whose queries PostgreSQL stops after STATEMENT_TIMEOUT_MS (SET LOCAL: the limit ends
    with the transaction, so the connection, which later requests reuse, keeps its own)."""
    connection = connections[alias]
    with transaction.atomic(using=alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
        yield


@dataclasses.dataclass
class Database(HealthCheck):
    """The database answers a query (within the statement timeout)."""

    alias: str = "default"

    def run(self) -> None:
        try:
            with bounded_queries(self.alias), connections[self.alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                found = cursor.fetchone()
        except DatabaseError as exc:
            raise ServiceUnavailable(f"The database is unavailable ({type(exc).__name__}).") from exc
        if found != (1,):
            raise ServiceUnavailable("The database did not return what was asked.")


@dataclasses.dataclass
class Cache(HealthCheck):
    """The default cache stores and returns a value (and forgets it again)."""

    alias: str = "default"

    def run(self) -> None:
        cache = caches[self.alias]
        key, value = f"poltwt:health:{uuid.uuid4().hex}", uuid.uuid4().hex
        try:
            cache.set(key, value, timeout=10)
            found = cache.get(key)
            cache.delete(key)
        except Exception as exc:  # each backend has its own errors (redis, OSError for files, ...)
            raise ServiceUnavailable(f"The cache is unavailable ({type(exc).__name__}).") from exc
        if found != value:
            raise ServiceUnavailable("The cache did not return what was stored.")


@dataclasses.dataclass
class QueueAge(HealthCheck):
    """The oldest task due in the database queue waits less than HEALTH_QUEUE_MAX_AGE_SECONDS.

    A queue that only grows older means no worker is running (or all are stuck): emails and geocoding wait.
    """

    def run(self) -> None:
        if not isinstance(task_backends["default"], DatabaseBackend):
            return  # tasks run inline: there is no queue to fall behind
        now = timezone.now()
        due = DBTaskResult.objects.ready()
        try:
            # A task waits from when it was queued, or, if deferred, from when it became due (run_after).
            with bounded_queries():
                waiting_since = [
                    due.filter(run_after=get_date_max()).aggregate(Min("enqueued_at"))["enqueued_at__min"],
                    due.exclude(run_after=get_date_max()).aggregate(Min("run_after"))["run_after__min"],
                ]
        except DatabaseError as exc:
            raise ServiceUnavailable("The task queue cannot be read (database unavailable).") from exc
        since = min((moment for moment in waiting_since if moment is not None), default=None)
        if since is not None:
            age = now - since
            if age > dt.timedelta(seconds=settings.HEALTH_QUEUE_MAX_AGE_SECONDS):
                raise ServiceUnavailable(f"The oldest queued task has waited {int(age.total_seconds())} s.")


CHECKS = (Database, Cache, QueueAge)
FORMATS = {
    "text/plain": "text",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/*": "html",
    "*/*": "html",
    "application/json": "json",
    "application/*": "json",
}


class HealthView(HealthCheckView):
    """django-health-check's page in HTML, JSON (?format=json or Accept) and text, checked synchronously."""

    checks = CHECKS

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super(HealthCheckView, self).dispatch(request, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        add_never_cache_headers(response)
        return response

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.results = []
        for check in self.get_checks():
            database_failed = any(
                isinstance(result.check, Database) and result.error for result in self.results
            )
            if isinstance(check, QueueAge) and database_failed:
                failure = ServiceUnavailable("The task queue cannot be read (database unavailable).")
                self.results.append(HealthCheckResult(check=check, error=failure, time_taken=0.0))
            else:
                self.results.append(run_check(check))
        status = 500 if any(result.error for result in self.results) else 200
        chosen = request.GET.get("format") or _negotiate(request.headers.get("accept", "*/*"))
        if chosen == "json":
            return self.render_to_response_json(status)
        if chosen == "text":
            return self.render_to_response_text(status)
        if chosen == "html":
            return self.render_to_response(self.get_context_data(**kwargs), status=status)
        return HttpResponse(
            "Not Acceptable: text/html, application/json or text/plain", status=406, content_type="text/plain"
        )


def run_check(check: HealthCheck) -> HealthCheckResult:
    start = timeit.default_timer()
    try:
        check.run()
    except HealthCheckException as error:
        logger.warning("Health check %r failed: %s", check, error)
        failure: HealthCheckException | None = error
    except Exception:
        logger.exception("Health check %r failed unexpectedly", check)
        failure = ServiceUnavailable("unexpected error (see the log)")
    else:
        failure = None
    return HealthCheckResult(check=check, error=failure, time_taken=timeit.default_timer() - start)


def _negotiate(accept: str) -> str | None:
    try:
        media = list(MediaType.parse_header(accept))
    except ValueError:
        return "html"
    return next((FORMATS[item.mime_type] for item in media if item.mime_type in FORMATS), None)
