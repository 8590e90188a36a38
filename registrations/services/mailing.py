"""Services for email to many registrants: organizers' messages, schedule-change notices, invitations.

Nothing reaches many people by accident: a mailing is created as a draft (its recipients are a filter, not
yet a list), reviewed by an organizer ("This will email N registrants", a test to themselves) and sent
only by mailing_send, which fixes the recipients (one Delivery each) and hands them to a background task.
Deliveries go through the outbox (jobs/outbox.py, by services/delivery.py): a retried or duplicated task
writes to nobody twice, and after a worker dies the rest is sent once its leases run out (mailings_resume).
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.models import Edition
from jobs import outbox
from registrations import tasks
from registrations.models import Delivery, Mailing, Registration
from registrations.services import delivery


class MailingError(Exception):
    """A mailing cannot be created or sent as asked (empty text, nobody to invite, already sent, ...)."""


class AlreadySent(MailingError):
    """The mailing left draft before this call: a second "Send" (double click, two tabs) sends nothing."""


class RecipientsChanged(MailingError):
    """The number of recipients is no longer the one the organizer reviewed."""

    def __init__(self, reviewed: int, now: int) -> None:
        super().__init__(
            _("The number of recipients changed from %(reviewed)d to %(now)d since you reviewed it.")
            % {"reviewed": reviewed, "now": now}
        )
        self.reviewed, self.now = reviewed, now


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
    actor: AbstractBaseUser | None,
    target_edition: Edition | None = None,
    recipient_filter: dict[str, Any] | None = None,
    translations: dict[str, dict[str, str]] | None = None,
) -> Mailing:
    """Create a draft mailing; nothing is sent until mailing_send."""
    subject, body = " ".join(subject.split()), body.strip()
    if not subject:
        raise MailingError(_("Write a subject."))
    if not body:
        raise MailingError(_("Write the text of the message; it is empty."))
    return Mailing.objects.create(
        kind=kind,
        edition=edition,
        target_edition=target_edition,
        subject=subject,
        body=body,
        recipient_filter=recipient_filter or {},
        translations=_clean_translations(translations or {}),
        created_by=actor,
    )


def _clean_translations(translations: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Keep the versions in a language the site speaks and with a text; tidy them like the original."""
    known = dict(settings.LANGUAGES)
    cleaned = {}
    for language, version in translations.items():
        body = (version.get("body") or "").strip()
        if language in known and body:
            cleaned[language] = {"subject": " ".join((version.get("subject") or "").split()), "body": body}
    return cleaned


def _rendered(template: str, context: dict[str, Any]) -> dict[str, Any]:
    """A notice poltwt writes itself (schedule change, invitation): the original in the site's language,
    and a version in each language of the site for the recipients who read another."""
    versions = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            versions[language] = {
                "subject": render_to_string(f"registrations/email/{template}/subject.txt", context),
                "body": render_to_string(f"registrations/email/{template}/text.txt", context),
            }
    original = versions[settings.LANGUAGE_CODE]
    return {"subject": original["subject"], "body": original["body"], "translations": versions}


def mailing_recipients(*, mailing: Mailing) -> QuerySet[Registration]:
    """Who a draft mailing would reach now (a sent one: its deliveries' registrations)."""
    if not mailing.is_draft:
        return Registration.objects.filter(deliveries__mailing=mailing)
    if mailing.kind == Mailing.Kind.INVITATION:
        return invitees(source=mailing.edition, target=mailing.target_edition)
    if mailing.kind == Mailing.Kind.SCHEDULE:
        return recipients(edition=mailing.edition)
    chosen = mailing.recipient_filter or {}
    return recipients(
        edition=mailing.edition,
        kinds=chosen.get("kinds", ()),
        statuses=chosen.get("statuses", ()),
        countries=chosen.get("countries", ()),
    )


@transaction.atomic
def mailing_send(*, mailing: Mailing, expected: int) -> Mailing:
    """Send a draft to the ``expected`` number of recipients the organizer reviewed, in the background.

    The move out of draft is one conditional UPDATE, so of two "Send" presses (or two tabs, or two
    workers) exactly one goes on; the other raises AlreadySent. If the number of recipients is no longer
    ``expected`` (someone registered or withdrew meanwhile), RecipientsChanged is raised and nothing
    changes: the organizer reviews the new number.
    """
    now = timezone.now()
    claimed = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).update(
        status=Mailing.Status.SENDING, send_started_at=now
    )
    if not claimed:
        raise AlreadySent(_("This mailing was already sent; it is not sent again."))
    ids = list(mailing_recipients(mailing=mailing).values_list("pk", flat=True))
    if len(ids) != expected:
        raise RecipientsChanged(expected, len(ids))  # the atomic block undoes the UPDATE
    if not ids:
        raise MailingError(_("There is nobody to send this mailing to."))
    Delivery.objects.bulk_create(
        [Delivery(mailing_id=mailing.pk, registration_id=pk) for pk in ids], batch_size=1000
    )
    Mailing.objects.filter(pk=mailing.pk).update(recipients=len(ids))
    mailing.refresh_from_db()
    transaction.on_commit(lambda: tasks.send_mailing_task.enqueue(mailing.pk))
    return mailing


@transaction.atomic
def mailing_discard(*, mailing: Mailing) -> None:
    """Delete a draft (the organizer cancelled it); a mailing already sent is kept as a record."""
    deleted, _ = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).delete()
    if not deleted:
        raise AlreadySent(_("This mailing was already sent; it is kept as a record."))


def mailing_preview(*, mailing: Mailing) -> EmailMultiAlternatives | None:
    """The email the first recipient would get (None when there is nobody to send to)."""
    sample = mailing_recipients(mailing=mailing).select_related("edition").order_by("pk").first()
    if sample is None:
        return None
    return delivery.mailing_message(mailing, sample)


def mailing_send_test(*, mailing: Mailing, to: str) -> None:
    """Send the preview to one address (the organizer's own) with "[Test]" in the subject.

    Raises MailingError with the mail server's answer when the address is missing or refused.
    """
    if not to:
        raise MailingError(_("Your user account has no email address: add one to receive tests."))
    message = mailing_preview(mailing=mailing)
    if message is None:
        raise MailingError(_("There is nobody to send this mailing to, so there is no email to test."))
    message.to = [to]
    message.subject = f"[Test] {message.subject}"
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailingError(_("The mail server refused %(to)s; no test was sent.") % {"to": to}) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailingError(
            _("The test could not be sent to %(to)s: %(error)s") % {"to": to, "error": exc}
        ) from exc


def message_create(
    *,
    edition: Edition,
    subject: str,
    body: str,
    actor: AbstractBaseUser,
    kinds: Iterable[str] = (),
    statuses: Iterable[str] = (),
    countries: Iterable[str] = (),
    translations: dict[str, dict[str, str]] | None = None,
) -> Mailing:
    """An organizer's draft message to the registrants of an edition who match the filters.

    `translations` optionally gives the message in more languages ({"es": {"subject", "body"}}); each
    recipient reads their language's version if there is one, else the original.
    """
    chosen = {"kinds": list(kinds), "statuses": list(statuses), "countries": list(countries)}
    return mailing_create(
        kind=Mailing.Kind.MESSAGE,
        edition=edition,
        subject=subject,
        body=body,
        actor=actor,
        recipient_filter=chosen,
        translations=translations,
    )


@transaction.atomic
def message_send(*, edition: Edition, subject: str, body: str, actor: AbstractBaseUser, **filters) -> Mailing:
    """Create a message and send it at once (scripts and tests; the admin always reviews first)."""
    mailing = message_create(edition=edition, subject=subject, body=body, actor=actor, **filters)
    return mailing_send(mailing=mailing, expected=mailing_recipients(mailing=mailing).count())


def schedule_notice_create(
    *, edition: Edition, before: dict[str, Any], actor: AbstractBaseUser | None
) -> Mailing | None:
    """A draft telling every confirmed registrant the old and new date (or TBD, or cancelled).

    None when the edition has no confirmed registrant to tell.
    """
    if not recipients(edition=edition).exists():
        return None
    context = {"edition": edition, "before": before}
    return mailing_create(
        kind=Mailing.Kind.SCHEDULE,
        edition=edition,
        **_rendered("schedule_change", context),
        actor=actor,
        recipient_filter={"before": {key: str(value) if value else None for key, value in before.items()}},
    )


def invitees(*, source: Edition, target: Edition | None) -> QuerySet[Registration]:
    """Approved participants of `source` whose handle is not yet registered for `target`."""
    if target is None:
        return Registration.objects.none()
    # Handles already held for the new edition, in any letter case, are not invited again.
    already = Registration.objects.for_edition(target).holding_handle().annotate(lowered=Lower("handle"))
    return (
        recipients(edition=source, statuses=[Registration.Status.APPROVED])
        .annotate(lowered=Lower("handle"))
        .exclude(lowered__in=already.values("lowered"))
    )


def invitations_create(*, source: Edition, target: Edition | None, actor: AbstractBaseUser) -> Mailing:
    """A draft inviting the approved participants of a past edition to re-register for `target`.

    Raises MailingError, creating nothing, when no edition is open or nobody is left to invite.
    """
    if target is None or not target.is_open_for_registration():
        raise MailingError(_("No edition is open for sign-up to invite participants to."))
    if source.pk == target.pk:
        raise MailingError(_("Participants cannot be invited to the edition they are registered for."))
    if not invitees(source=source, target=target).exists():
        raise MailingError(
            _("Nobody to invite: the %(source)s has no approved participant left to invite.")
            % {"source": source}
        )
    context = {"source": source, "target": target}
    return mailing_create(
        kind=Mailing.Kind.INVITATION,
        edition=source,
        target_edition=target,
        **_rendered("invitation", context),
        actor=actor,
    )


@transaction.atomic
def invitations_send(*, source: Edition, target: Edition | None, actor: AbstractBaseUser) -> Mailing:
    """Create the invitations and send them at once (scripts and tests; the admin reviews first)."""
    mailing = invitations_create(source=source, target=target, actor=actor)
    return mailing_send(mailing=mailing, expected=mailing_recipients(mailing=mailing).count())


def mailings_resume(*, now: dt.datetime | None = None) -> list[int]:
    """Queue the sending task of every unfinished mailing that has open deliveries nobody holds (never
    claimed, or leased by a run that died and whose lease ran out); returns their ids.

    The task itself takes over expired leases, so a mailing queued twice still writes to nobody twice.
    """
    now = now or timezone.now()
    stuck = (
        outbox.claimable(Delivery.objects.filter(mailing__finished_at__isnull=True), now=now)
        # A mailing younger than a lease may simply be waiting for its first run.
        .filter(mailing__created_at__lt=now - outbox.lease())
        .values_list("mailing_id", flat=True)
        .distinct()
    )
    ids = sorted(set(stuck))
    for mailing_id in ids:
        tasks.send_mailing_task.enqueue(mailing_id)
    return ids
