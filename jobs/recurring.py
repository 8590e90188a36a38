"""The recurring jobs, in one place: what runs by itself, and how often (``manage.py run_jobs`` runs them).

Each job is a management command that is safe to run at any time and again. The schedule lives in the
database (``ScheduledJob``): a job is taken by a compare-and-set on its next run time, so several
``run_jobs`` processes (or a restart) run each job once per interval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str
    command: str
    every: dt.timedelta
    args: tuple[str, ...] = ()


JOBS: tuple[Job, ...] = (
    # Unconfirmed entries whose confirmation link has expired give their handle back for good.
    Job("expire_unconfirmed", "expire_unconfirmed", every=dt.timedelta(hours=1)),
    # Registrations still "geocoding pending" (a worker died, a provider was down) are tried again.
    Job("geocode_pending", "geocode_pending", every=dt.timedelta(minutes=5), args=("--settled", "300")),
    # Mailings whose worker died: the deliveries it leased are sent once the lease runs out.
    Job("resume_mailings", "resume_mailings", every=dt.timedelta(minutes=5)),
    # Personal data of completed editions past their retention period is erased.
    Job("purge_personal_data", "purge_personal_data", every=dt.timedelta(days=1)),
    # Reminders to registrants before an edition (the send_reminders command).
    Job("send_reminders", "send_reminders", every=dt.timedelta(hours=1)),
)
