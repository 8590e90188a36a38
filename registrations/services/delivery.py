"""The worker's side of a mailing: lease deliveries in batches and send each email once.

A claim is a lease (MAILING_LEASE_SECONDS): each email renews its own lease just before it goes out and is
recorded as sent right after, so a worker killed at any moment leaves at most the one email in flight
unrecorded. Deliveries whose lease ran out unsent are claimed again by the next run, and the mailing's
task comes back when the leases it waits for expire. So after a crash every recipient is written to, at
most one of them twice, and the counts match what went out.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registrations import emails, tokens
from registrations.models import Delivery, Mailing, Registration


class DeliveryError(Exception):
    """One email of a mailing cannot be sent (the registrant withdrew, or their data was erased)."""


CLAIM_BATCH = 100


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.MAILING_LEASE_SECONDS)


def mailing_deliver(*, mailing_id: int) -> Mailing:
    """Send every delivery of a mailing not yet sent and not leased by a live run; safe to run again or
    twice at once. Returns the mailing with fresh counts (``finished_at`` stays empty while some delivery
    is still leased by another run: see ``mailing_retry_at``)."""
    mailing = Mailing.objects.select_related("edition", "target_edition").get(pk=mailing_id)
    if mailing.is_draft:
        return mailing  # never sent without an organizer's explicit "Send" (services.mailing.mailing_send)
    while batch := _claim_batch(mailing):
        claimed_at, ids = batch
        deliveries = (
            Delivery.objects.filter(pk__in=ids).select_related("registration__edition").order_by("pk")
        )
        for delivery in deliveries:
            if not _renew(delivery.pk, claimed_at):
                continue  # our lease ran out and another run took this one over
            try:
                _send_one(mailing, delivery.registration)
            # Any SMTP or rendering failure is recorded for the organizer, not raised.
            except Exception as exc:
                Delivery.objects.filter(pk=delivery.pk).update(error=f"{type(exc).__name__}: {exc}"[:300])
            else:
                Delivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
    return mailing_finish(mailing=mailing)


def _open(mailing: Mailing):
    """Deliveries neither sent nor failed."""
    return Delivery.objects.filter(mailing=mailing, sent_at__isnull=True, error="")


def _claim_batch(mailing: Mailing) -> tuple[dt.datetime, list[int]] | None:
    """Lease up to CLAIM_BATCH open deliveries that nobody holds (never claimed, or lease expired).

    Two workers never claim the same delivery at once: PostgreSQL skips the rows another transaction has
    locked, and SQLite runs write transactions one at a time (IMMEDIATE mode, see poltwt/config.py).
    """
    now = timezone.now()
    with transaction.atomic():
        free = (
            _open(mailing).filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease())).order_by("pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            free = free.select_for_update(skip_locked=True)
        ids = list(free.values_list("pk", flat=True)[:CLAIM_BATCH])
        Delivery.objects.filter(pk__in=ids).update(claimed_at=now)
    return (now, ids) if ids else None


def _renew(delivery_id: int, claimed_at: dt.datetime) -> bool:
    """Renew our lease on one delivery just before sending it; False if another run holds it now."""
    renewed = _open_by_pk(delivery_id).filter(claimed_at=claimed_at).update(claimed_at=timezone.now())
    return renewed == 1


def _open_by_pk(delivery_id: int):
    return Delivery.objects.filter(pk=delivery_id, sent_at__isnull=True, error="")


def mailing_retry_at(*, mailing: Mailing) -> dt.datetime | None:
    """When the earliest lease of an unfinished delivery runs out (a run died holding it), or None."""
    earliest = _open(mailing).filter(claimed_at__isnull=False).aggregate(Min("claimed_at"))["claimed_at__min"]
    return earliest + lease() if earliest else None


def mailing_finish(*, mailing: Mailing) -> Mailing:
    """Count what went out; the mailing is finished when every delivery is sent or failed."""
    deliveries = Delivery.objects.filter(mailing=mailing)
    mailing.sent = deliveries.filter(sent_at__isnull=False).count()
    mailing.failed = deliveries.exclude(error="").count()
    if not _open(mailing).exists():
        mailing.finished_at = mailing.finished_at or timezone.now()
        mailing.status = Mailing.Status.FINISHED
    mailing.save(update_fields=["sent", "failed", "finished_at", "status"])
    return mailing


def _send_one(mailing: Mailing, registration: Registration) -> None:
    if not registration.email:
        raise DeliveryError(_("The registrant withdrew or their data was erased."))
    message = mailing_message(mailing, registration)
    if mailing.kind == Mailing.Kind.SCHEDULE:
        # The updated calendar entry (same UID, higher SEQUENCE) replaces the old one in their calendar.
        emails.attach_calendar(message, registration)
    message.send()


def mailing_message(mailing: Mailing, registration: Registration) -> EmailMultiAlternatives:
    """The email one registrant gets from a mailing (also the organizers' preview and test).

    Greeting, links and footer are in the recipient's language; the organizers' text in it too when they
    wrote (or, for notices and invitations, poltwt rendered) that version, else the original.
    """
    language = emails.recipient_language(registration)
    with translation.override(language):
        subject, body = mailing.text_for(language)
        context = {
            "mailing": mailing,
            "subject": subject,
            "body": body,
            "registration": registration,
            "edition": registration.edition,
            "manage_url": emails.absolute(
                reverse("registrations:manage", args=[tokens.make_token(registration, "manage")])
            ),
        }
        if mailing.kind == Mailing.Kind.INVITATION:
            context["return_url"] = emails.absolute(
                reverse(
                    "registrations:return",
                    args=[tokens.make_return_token(registration, mailing.target_edition)],
                )
            )
        return emails.build_message("mailing", to=registration.email, context=context)


def lost_links_send(*, email: str) -> int:
    """Email the private links of every active registration made with this address; returns how many.

    Runs in the worker (``send_lost_links_task``), never in the request, so a known address costs the
    visitor no more time than an unknown one.
    """
    registrations = list(
        Registration.objects.active().select_related("edition").filter(email__iexact=email.strip())
    )
    for registration in registrations:
        emails.send_registration_email(registration, "links")
    return len(registrations)
