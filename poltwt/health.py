"""Health checks of our own for /healthz (django-health-check runs them beside its database and cache)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max
from health_check import HealthCheck
from health_check.exceptions import ServiceUnavailable


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
        # A task waits from when it was queued, or, if deferred, from when it became due (run_after).
        waiting_since = [
            due.filter(run_after=get_date_max()).aggregate(Min("enqueued_at"))["enqueued_at__min"],
            due.exclude(run_after=get_date_max()).aggregate(Min("run_after"))["run_after__min"],
        ]
        since = min((moment for moment in waiting_since if moment is not None), default=None)
        if since is not None:
            age = now - since
            if age > dt.timedelta(seconds=settings.HEALTH_QUEUE_MAX_AGE_SECONDS):
                raise ServiceUnavailable(f"The oldest queued task has waited {int(age.total_seconds())} s.")
