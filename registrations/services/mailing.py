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
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Min, QuerySet
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


# Who hears of a schedule change: the approved, and the confirmed entries still waiting for review. Never the
# rejected or withdrawn: for them nothing is on.
SCHEDULE_STATUSES = (Registration.Status.APPROVED, Registration.Status.PENDING)
# The statuses an organizer may write to (withdrawn entries have no address left).
MAILING_STATUSES = (Registration.Status.PENDING, Registration.Status.APPROVED, Registration.Status.REJECTED)


def recipients(
    *,
    edition: Edition,
    statuses: Iterable[str],
    kinds: Iterable[str] = tuple(Registration.Kind.values),
    countries: Iterable[str] = (),
) -> QuerySet[Registration]:
    """Registrants of an edition who proved their address and did not withdraw, in the given statuses and
    kinds (and countries, when any is given).

    No status or no kind means nobody: an empty choice never silently means everyone.
    """
    queryset = (
        Registration.objects.for_edition(edition)
        .confirmed()
        .active()
        .exclude(email="")
        .filter(status__in=list(statuses), kind__in=list(kinds))
    )
    if countries := list(countries):
        queryset = queryset.filter(country__in=countries)
    return queryset


@dataclass
class Audience:
    """Who a draft reaches, counted by status and by language, with one recipient per sample to preview."""

    total: int
    by_status: list[tuple[str, int]]  # (status label, count)
    by_language: list[tuple[str, int]]  # (language code, count)
    samples: list[Registration]  # one per language (and per status for schedule notices)


def mailing_audience(*, mailing: Mailing) -> Audience:
    """Counts per status and per language and the preview samples, in two queries."""
    groups = (
        mailing_recipients(mailing=mailing)
        .order_by()
        .values("status", "language")
        .annotate(count=Count("pk"), first=Min("pk"))
    )
    by_status: Counter[str] = Counter()
    by_language: Counter[str] = Counter()
    sample_ids: dict[tuple[str, str], int] = {}
    per_status = mailing.kind == Mailing.Kind.SCHEDULE  # its closing words differ by status
    for group in groups:
        language = (
            group["language"] if group["language"] in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        )
        by_status[group["status"]] += group["count"]
        by_language[language] += group["count"]
        key = (language, group["status"] if per_status else "")
        sample_ids[key] = min(sample_ids.get(key, group["first"]), group["first"])
    language_order = [code for code, _name in settings.LANGUAGES]
    samples = Registration.objects.select_related("edition").in_bulk(sample_ids.values())
    status_labels = dict(Registration.Status.choices)
    return Audience(
        total=sum(by_status.values()),
        by_status=[(status_labels[s], by_status[s]) for s in Registration.Status.values if s in by_status],
        by_language=[(code, by_language[code]) for code in language_order if code in by_language],
        samples=[
            samples[sample_ids[key]]
            for key in sorted(sample_ids, key=lambda k: (language_order.index(k[0]), k[1]))
        ],
    )


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
        return recipients(edition=mailing.edition, statuses=SCHEDULE_STATUSES)
    chosen = mailing.recipient_filter or {}
    return recipients(
        edition=mailing.edition,
        statuses=chosen.get("statuses", ()),
        kinds=chosen.get("kinds", ()),
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


def mailing_previews(
    *, mailing: Mailing, audience: Audience | None = None
) -> list[tuple[Registration, EmailMultiAlternatives]]:
    """The email as it goes out in each language of its recipients (and, for schedule notices, to each
    status): one sample recipient each. Empty when there is nobody to send to."""
    audience = audience or mailing_audience(mailing=mailing)
    return [(sample, delivery.mailing_message(mailing, sample)) for sample in audience.samples]


def mailing_send_test(*, mailing: Mailing, to: str) -> int:
    """Send each preview (every language the mailing goes out in) to one address, the organizer's own,
    with "[Test]" in the subject; returns how many were sent.

    Raises MailingError with the mail server's answer when the address is missing or refused.
    """
    if not to:
        raise MailingError(_("Your user account has no email address: add one to receive tests."))
    previews = mailing_previews(mailing=mailing)
    if not previews:
        raise MailingError(_("There is nobody to send this mailing to, so there is no email to test."))
    for _sample, message in previews:
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
    return len(previews)


def message_create(
    *,
    edition: Edition,
    subject: str,
    body: str,
    actor: AbstractBaseUser,
    statuses: Iterable[str],
    kinds: Iterable[str] = tuple(Registration.Kind.values),
    countries: Iterable[str] = (),
    translations: dict[str, dict[str, str]] | None = None,
) -> Mailing:
    """An organizer's draft message to the registrants of an edition in the chosen statuses and kinds.

    `translations` optionally gives the message in more languages ({"es": {"subject", "body"}}); each
    recipient reads their language's version if there is one, else the original.
    """
    return mailing_create(
        kind=Mailing.Kind.MESSAGE,
        edition=edition,
        subject=subject,
        body=body,
        actor=actor,
        recipient_filter=audience_filter(statuses=statuses, kinds=kinds, countries=countries),
        translations=translations,
    )


def audience_filter(
    *, statuses: Iterable[str], kinds: Iterable[str], countries: Iterable[str]
) -> dict[str, Any]:
    """The stored audience of a message; raises MailingError when no status or no kind is chosen."""
    statuses, kinds = list(statuses), list(kinds)
    if not statuses:
        raise MailingError(_("Choose at least one status to write to."))
    if not kinds:
        raise MailingError(_("Choose at least one account type to write to."))
    if unknown := set(statuses) - set(MAILING_STATUSES):
        raise MailingError(
            _("Not a status to write to: %(statuses)s") % {"statuses": ", ".join(sorted(unknown))}
        )
    return {"statuses": statuses, "kinds": kinds, "countries": list(countries)}


@transaction.atomic
def mailing_update(
    *,
    mailing: Mailing,
    subject: str,
    body: str,
    translations: dict[str, dict[str, str]],
    edition: Edition | None = None,
    statuses: Iterable[str] | None = None,
    kinds: Iterable[str] = (),
    countries: Iterable[str] = (),
) -> Mailing:
    """Edit a draft: its text, and for an organizer's message its edition and audience. A mailing sent
    meanwhile raises AlreadySent and keeps what was sent (the row lock waits for a concurrent send)."""
    locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
    if not locked.is_draft:
        raise AlreadySent(_("This mailing was already sent; it can no longer be edited."))
    subject, body = " ".join(subject.split()), body.strip()
    if not subject:
        raise MailingError(_("Write a subject."))
    if not body:
        raise MailingError(_("Write the text of the message; it is empty."))
    locked.subject, locked.body = subject, body
    locked.translations = _clean_translations(translations)
    if locked.kind == Mailing.Kind.MESSAGE and statuses is not None:
        locked.recipient_filter = audience_filter(statuses=statuses, kinds=kinds, countries=countries)
        locked.edition = edition or locked.edition
    locked.save(update_fields=["subject", "body", "translations", "recipient_filter", "edition"])
    return locked


@transaction.atomic
def message_send(
    *, edition: Edition, subject: str, body: str, actor: AbstractBaseUser, statuses: Iterable[str], **filters
) -> Mailing:
    """Create a message and send it at once (scripts and tests; the admin always reviews first)."""
    mailing = message_create(
        edition=edition, subject=subject, body=body, actor=actor, statuses=statuses, **filters
    )
    return mailing_send(mailing=mailing, expected=mailing_recipients(mailing=mailing).count())


def schedule_notice_create(
    *, edition: Edition, before: dict[str, Any], actor: AbstractBaseUser | None
) -> Mailing | None:
    """A draft telling the approved and the waiting registrants the old and new date (or TBD, or
    cancelled); each reads closing words that fit their status (services/delivery.py). The rejected and
    withdrawn are not written to.

    None when the edition has nobody to tell.
    """
    if not recipients(edition=edition, statuses=SCHEDULE_STATUSES).exists():
        return None
    context = {"edition": edition, "before": before}
    return mailing_create(
        kind=Mailing.Kind.SCHEDULE,
        edition=edition,
        **_rendered("schedule_change", context),
        actor=actor,
        recipient_filter={
            "statuses": list(SCHEDULE_STATUSES),
            "before": {key: str(value) if value else None for key, value in before.items()},
        },
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
