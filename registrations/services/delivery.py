"""The worker's side of a mailing: claim deliveries in batches and send each email once.

Deliveries are claimed in short transactions before their emails go out and never claimed twice, so a
retried or duplicated task writes to nobody twice.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from registrations import emails, tokens
from registrations.models import Delivery, Mailing, Registration


class DeliveryError(Exception):
    """One email of a mailing cannot be sent (the registrant withdrew, or their data was erased)."""


CLAIM_BATCH = 100


def mailing_deliver(*, mailing_id: int) -> Mailing:
    """Send every unclaimed delivery of a mailing; safe to run again or twice at once."""
    mailing = Mailing.objects.select_related("edition", "target_edition").get(pk=mailing_id)
    while claimed := _claim_batch(mailing):
        sent = []
        for delivery in Delivery.objects.filter(pk__in=claimed).select_related("registration__edition"):
            try:
                _send_one(mailing, delivery.registration)
            except (
                Exception
            ) as exc:  # any SMTP or rendering failure is recorded for the organizer, not raised
                delivery.error = f"{type(exc).__name__}: {exc}"[:300]
                delivery.save(update_fields=["error"])
            else:
                sent.append(delivery.pk)
        Delivery.objects.filter(pk__in=sent).update(sent_at=timezone.now())
    return mailing_finish(mailing=mailing)


def _claim_batch(mailing: Mailing) -> list[int]:
    """Claim up to CLAIM_BATCH unclaimed deliveries for this worker, in one short transaction.

    Two workers never claim the same delivery: PostgreSQL skips the rows another transaction has locked,
    and SQLite runs write transactions one at a time (IMMEDIATE mode, see poltwt/config.py).
    """
    with transaction.atomic():
        pending = Delivery.objects.filter(mailing=mailing, claimed_at__isnull=True).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        ids = list(pending.values_list("pk", flat=True)[:CLAIM_BATCH])
        Delivery.objects.filter(pk__in=ids).update(claimed_at=timezone.now())
    return ids


def mailing_finish(*, mailing: Mailing) -> Mailing:
    deliveries = Delivery.objects.filter(mailing=mailing)
    mailing.sent = deliveries.filter(sent_at__isnull=False).count()
    mailing.failed = deliveries.exclude(error="").count()
    if not deliveries.filter(claimed_at__isnull=True).exists():
        # A claimed delivery with neither a send time nor an error was interrupted mid-send; count it
        # as failed instead of risking a second copy.
        interrupted = deliveries.filter(claimed_at__isnull=False, sent_at__isnull=True, error="")
        mailing.failed += interrupted.count()
        mailing.finished_at = mailing.finished_at or timezone.now()
    mailing.save(update_fields=["sent", "failed", "finished_at"])
    return mailing


def _send_one(mailing: Mailing, registration: Registration) -> None:
    if not registration.email:
        raise DeliveryError("The registrant withdrew or their data was erased.")
    context = {
        "mailing": mailing,
        "registration": registration,
        "edition": registration.edition,
        "manage_url": emails.absolute(
            reverse("registrations:manage", args=[tokens.make_token(registration, "manage")])
        ),
    }
    if mailing.kind == Mailing.Kind.INVITATION:
        context["return_url"] = emails.absolute(
            reverse(
                "registrations:return", args=[tokens.make_return_token(registration, mailing.target_edition)]
            )
        )
    message = emails.build_message("mailing", to=registration.email, context=context)
    if mailing.kind == Mailing.Kind.SCHEDULE:
        # The updated calendar entry (same UID, higher SEQUENCE) replaces the old one in their calendar.
        emails.attach_calendar(message, registration)
    message.send()
