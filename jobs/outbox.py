"""One outbox for every email that goes to many people: a mailing's deliveries, reminders, any later one.

Each item (a row of a model built on ``jobs.models.OutboxItem``) is taken under a lease
(OUTBOX_LEASE_SECONDS) in batches. Each email renews its own lease just before it goes out and is recorded
as sent (or failed) right after, so a worker killed at any moment leaves at most the one email in flight
unrecorded. Items whose lease ran out unsent are taken again by the next run. So after a crash everyone is
written to, at most one person twice, and nobody is written to twice by two runs at the same time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from jobs.models import OutboxItem

logger = logging.getLogger(__name__)

Item = TypeVar("Item", bound=OutboxItem)
CLAIM_BATCH = 100


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def unsent(items: QuerySet[Item]) -> QuerySet[Item]:
    """Items neither sent nor failed."""
    return items.filter(sent_at__isnull=True, error="")


def claimable(items: QuerySet[Item], *, now: dt.datetime) -> QuerySet[Item]:
    """Unsent items nobody holds: never claimed, or claimed by a run whose lease ran out."""
    return unsent(items).filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease()))


def send_all(
    items: QuerySet[Item], send: Callable[[Item], None], *, order_by: tuple[str, ...] = ("pk",)
) -> SendResult:
    """Send every unsent item of ``items`` that no live run holds; safe to run again or twice at once.

    ``items`` says which rows are due (and what to ``select_related`` for ``send``); ``send`` sends one
    email and raises on failure. A failure is recorded on the item for the organizers, not raised.
    """
    sent = failed = 0
    while batch := _claim_batch(items, order_by):
        claimed_at, ids = batch
        for item in items.filter(pk__in=ids).order_by(*order_by):
            if not _renew(items.model, item.pk, claimed_at):
                continue  # our lease ran out and another run took this one over
            try:
                send(item)
            # Any SMTP or rendering failure is recorded for the organizers, not raised.
            except Exception as exc:
                logger.warning(
                    "Outbox: %s %s not sent: %s", items.model.__name__, item.pk, type(exc).__name__
                )
                _record(items.model, item.pk, error=f"{type(exc).__name__}: {exc}"[:300])
                failed += 1
            else:
                _record(items.model, item.pk, sent_at=timezone.now())
                sent += 1
    return SendResult(sent=sent, failed=failed)


def _claim_batch(items: QuerySet[Item], order_by: tuple[str, ...]) -> tuple[dt.datetime, list[int]] | None:
    """Lease up to CLAIM_BATCH unsent items that nobody holds (never claimed, or lease expired).

    Two runs never claim the same item at once: PostgreSQL skips the rows another transaction has
    locked, and SQLite runs write transactions one at a time (IMMEDIATE mode, see poltwt/config.py).
    """
    now = timezone.now()
    with transaction.atomic():
        candidates = claimable(items, now=now).order_by(*order_by)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:CLAIM_BATCH])
        # A row another run claimed meanwhile keeps its claim; _renew then passes it by.
        claimable(items.model.objects.filter(pk__in=ids), now=now).update(claimed_at=now)
    return (now, ids) if ids else None


def _renew(model: type[OutboxItem], pk: int, claimed_at: dt.datetime) -> bool:
    """Renew our lease on one item just before sending it; False if another run holds it now."""
    renewed = unsent(model.objects.filter(pk=pk, claimed_at=claimed_at)).update(claimed_at=timezone.now())
    return renewed == 1


def _record(model: type[OutboxItem], pk: int, **outcome: object) -> None:
    model.objects.filter(pk=pk).update(**outcome)


def retry_at(items: QuerySet[Item]) -> dt.datetime | None:
    """When the earliest lease of an unsent item runs out (a run died holding it), or None."""
    earliest = unsent(items).filter(claimed_at__isnull=False).aggregate(Min("claimed_at"))["claimed_at__min"]
    return earliest + lease() if earliest else None
