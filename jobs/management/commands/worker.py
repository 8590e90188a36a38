"""The background worker: django-tasks-db's ``db_worker`` with a heartbeat and crash recovery.

At start and with every heartbeat it queues again the tasks that dead workers left running
(jobs/workers.py). Options are db_worker's.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jobs.workers import heartbeat, tasks_recover

logger = logging.getLogger(__name__)


class Command(DbWorkerCommand):
    help = "Run a background worker (db_worker) that beats a heartbeat and recovers dead workers' tasks."

    def handle(self, *args: Any, worker_id: str, **options: Any) -> None:
        heartbeat(worker_id=worker_id)
        tasks_recover()
        connection.close()  # the worker's loop opens its own; this one belongs to no thread any more
        stop = threading.Event()
        beat = threading.Thread(target=self._beat, args=(worker_id, stop), name="heartbeat", daemon=True)
        beat.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            stop.set()

    @staticmethod
    def _beat(worker_id: str, stop: threading.Event) -> None:
        while not stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
            try:
                heartbeat(worker_id=worker_id)
                tasks_recover()
            except Exception:  # a database hiccup must not kill the heartbeat: log it, beat again next time
                logger.exception(
                    "Worker heartbeat failed; trying again in %ss", settings.WORKER_HEARTBEAT_SECONDS
                )
            finally:
                connection.close()
