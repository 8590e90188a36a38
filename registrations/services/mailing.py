"""Services for email to many registrants: organizers' messages, schedule-change notices, invitations.

A mailing fixes its recipients when it is created (one Delivery each) and is sent by a background task.
Deliveries are claimed in batches before their emails go out and never claimed twice, so a retried or
duplicated task writes to nobody twice (at most once: a worker that dies mid-batch leaves the rest of its
batch reported as failed, never resent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone

from events.models import Edition
from registrations import tasks
from registrations.models import Delivery, Mailing, Registration
from registrations.services import delivery


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
    transaction.on_commit(lambda: tasks.send_mailing_task.enqueue(mailing.pk))
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
    # Handles already held for the new edition, in any letter case, are not invited again.
    already = Registration.objects.for_edition(target).holding_handle().annotate(lowered=Lower("handle"))
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


def mailings_resume(*, now: dt.datetime | None = None) -> list[int]:
    """Queue the sending task of every unfinished mailing that has open deliveries nobody holds (never
    claimed, or leased by a run that died and whose lease ran out); returns their ids.

    The task itself takes over expired leases, so a mailing queued twice still writes to nobody twice.
    """
    now = now or timezone.now()
    expired = now - delivery.lease()
    stuck = (
        Delivery.objects.filter(mailing__finished_at__isnull=True, sent_at__isnull=True, error="")
        # A mailing younger than a lease may simply be waiting for its first run.
        .filter(mailing__created_at__lt=expired)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=expired))
        .values_list("mailing_id", flat=True)
        .distinct()
    )
    ids = sorted(set(stuck))
    for mailing_id in ids:
        tasks.send_mailing_task.enqueue(mailing_id)
    return ids
