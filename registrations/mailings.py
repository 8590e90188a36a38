"""Services for email to many registrants: organizers' messages, schedule-change notices, invitations.

A mailing fixes its recipients when it is created (one Delivery each) and is sent by a background task.
Deliveries are claimed in batches before their emails go out and never claimed twice, so a retried or
duplicated task writes to nobody twice (at most once: a worker that dies mid-batch leaves the rest of its
batch reported as failed, never resent).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from events.models import Edition
from registrations import emails, tasks, tokens
from registrations.models import Delivery, Mailing, Registration


class MailingError(Exception):
    """A mailing cannot be created as asked (empty text, no open edition to invite to, ...)."""


def recipients(
    *,
    edition: Edition,
    kinds: Iterable[str] = (),
    statuses: Iterable[str] = (),
    countries: Iterable[str] = (),
) -> QuerySet[Registration]:
    """Registrants of an edition who proved their address and did not withdraw, narrowed by the filters."""
    queryset = Registration.objects.for_edition(edition).confirmed().active().exclude(email="")
    if kinds := list(kinds):
        queryset = queryset.filter(kind__in=kinds)
    if statuses := list(statuses):
        queryset = queryset.filter(status__in=statuses)
    if countries := list(countries):
        queryset = queryset.filter(country__in=countries)
    return queryset


@transaction.atomic
def mailing_create(
    *,
    kind: str,
    edition: Edition,
    subject: str,
    body: str,
    to: QuerySet[Registration],
    actor: AbstractBaseUser | None,
    target_edition: Edition | None = None,
    recipient_filter: dict[str, Any] | None = None,
) -> Mailing:
    """Create a mailing with one delivery per recipient and send it in the background after commit."""
    subject, body = " ".join(subject.split()), body.strip()
    if not subject:
        raise MailingError("Write a subject.")
    if not body:
        raise MailingError("Write the text of the message; it is empty.")
    mailing = Mailing.objects.create(
        kind=kind,
        edition=edition,
        target_edition=target_edition,
        subject=subject,
        body=body,
        recipient_filter=recipient_filter or {},
        created_by=actor,
    )
    ids = list(to.values_list("pk", flat=True))
    Delivery.objects.bulk_create(
        [Delivery(mailing=mailing, registration_id=pk) for pk in ids], batch_size=1000
    )
    mailing.recipients = len(ids)
    mailing.save(update_fields=["recipients"])
    transaction.on_commit(lambda: tasks.send_mailing.enqueue(mailing.pk))
    return mailing


def message_send(
    *,
    edition: Edition,
    subject: str,
    body: str,
    actor: AbstractBaseUser,
    kinds: Iterable[str] = (),
    statuses: Iterable[str] = (),
    countries: Iterable[str] = (),
) -> Mailing:
    """An organizer's message to the registrants of an edition who match the filters."""
    chosen = {"kinds": list(kinds), "statuses": list(statuses), "countries": list(countries)}
    return mailing_create(
        kind=Mailing.Kind.MESSAGE,
        edition=edition,
        subject=subject,
        body=body,
        to=recipients(edition=edition, **chosen),
        actor=actor,
        recipient_filter=chosen,
    )


SCHEDULE_FIELDS = ("date", "start_time", "status")
NOTIFIED_STATUSES = (Edition.Status.RESCHEDULED, Edition.Status.DATE_TBD, Edition.Status.CANCELLED)


def schedule_changed(before: dict[str, Any], edition: Edition) -> bool:
    """True when registrants must hear of the change: a new date or start time, or a move to TBD/cancelled."""
    if before["date"] != edition.date or before["start_time"] != edition.start_time:
        return True
    return before["status"] != edition.status and edition.status in NOTIFIED_STATUSES


def schedule_change_notify(
    *, edition: Edition, before: dict[str, Any], actor: AbstractBaseUser | None
) -> Mailing:
    """Tell every confirmed registrant the edition's old and new date (or that it is TBD or cancelled)."""
    context = {"edition": edition, "before": before}
    return mailing_create(
        kind=Mailing.Kind.SCHEDULE,
        edition=edition,
        subject=render_to_string("registrations/email/schedule_change/subject.txt", context),
        body=render_to_string("registrations/email/schedule_change/text.txt", context),
        to=recipients(edition=edition),
        actor=actor,
        recipient_filter={"before": {key: str(value) if value else None for key, value in before.items()}},
    )


def invitations_send(*, source: Edition, target: Edition | None, actor: AbstractBaseUser) -> Mailing:
    """Invite the approved participants of a past edition to re-register, in one click, for `target`."""
    if target is None or not target.is_open_for_registration():
        raise MailingError("No edition is open for sign-up to invite participants to.")
    if source.pk == target.pk:
        raise MailingError("Participants cannot be invited to the edition they are registered for.")
    # Handles already registered for the new edition, in any letter case, are not invited again.
    already = Registration.objects.for_edition(target).active().annotate(lowered=Lower("handle"))
    invited = (
        recipients(edition=source, statuses=[Registration.Status.APPROVED])
        .annotate(lowered=Lower("handle"))
        .exclude(lowered__in=already.values("lowered"))
    )
    context = {"source": source, "target": target}
    return mailing_create(
        kind=Mailing.Kind.INVITATION,
        edition=source,
        target_edition=target,
        subject=render_to_string("registrations/email/invitation/subject.txt", context),
        body=render_to_string("registrations/email/invitation/text.txt", context),
        to=invited,
        actor=actor,
    )


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
        raise MailingError("The registrant withdrew or their data was erased.")
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
    emails.build_message("mailing", to=registration.email, context=context).send()
