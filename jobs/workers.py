"""Background workers' signs of life, and the recovery of tasks a dead worker left "running".

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again: a worker killed
mid-task (kill -9, out of memory, a lost machine) would leave it so forever. Our worker (``manage.py
worker``) writes a heartbeat; any worker's sweep queues again the tasks of workers whose heartbeat stopped.
Every task here is safe to run again (mailings lease their deliveries; geocoding and emails check state).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

RUNNING = "RUNNING"
READY = "READY"


def heartbeat(*, worker_id: str, now: dt.datetime | None = None) -> None:
    """Record that this worker is alive."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now, "host": socket.gethostname()[:255], "pid": os.getpid()},
    )


def tasks_recover(*, now: dt.datetime | None = None) -> list[str]:
    """Queue again every task left RUNNING by a dead worker; returns their ids.

    Dead: its heartbeat is older than WORKER_TIMEOUT_SECONDS, or (a worker without heartbeat, such as a
    plain ``db_worker``) the task has run longer than TASK_ORPHAN_SECONDS. The reset is a compare-and-set
    on the claim, so workers sweeping at the same time reset each task once.
    """
    now = now or timezone.now()
    silent_since = now - dt.timedelta(seconds=settings.WORKER_TIMEOUT_SECONDS)
    beats = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))
    orphaned_before = now - dt.timedelta(seconds=settings.TASK_ORPHAN_SECONDS)
    recovered = []
    for task in DBTaskResult.objects.filter(status=RUNNING).only("id", "worker_ids", "started_at"):
        worker = task.worker_ids[-1] if task.worker_ids else None
        seen = beats.get(worker)
        dead = seen < silent_since if seen is not None else (task.started_at or now) < orphaned_before
        if not dead:
            continue
        reset = DBTaskResult.objects.filter(
            Q(started_at=task.started_at) if task.started_at else Q(started_at__isnull=True),
            pk=task.pk,
            status=RUNNING,
        ).update(status=READY, started_at=None)
        if reset:
            logger.warning("Task %s was left running by dead worker %s: queued again.", task.pk, worker)
            recovered.append(str(task.pk))
    # Forget workers silent for a day; their tasks were recovered long ago.
    WorkerHeartbeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    return recovered
