"""The machinery's state: the recurring jobs' schedule, the workers' signs of life, the outbox's leases."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """When a recurring job (jobs/recurring.py) next runs; the row is the lock that runs it once."""

    name = models.CharField(max_length=50, unique=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A background worker's sign of life: tasks of a worker that stopped beating are run again."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class OutboxItem(models.Model):
    """One email to one person, sent by the outbox (jobs/outbox.py): a mailing's delivery, a reminder.

    ``claimed_at`` is a lease, not a verdict: an item claimed but neither sent nor failed by the time the
    lease runs out (its worker died) is claimed again.
    """

    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
