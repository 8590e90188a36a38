"""Services for email to many registrants: organizers' messages, schedule-change notices, invitations.

A mailing fixes its recipients when it is created (one Delivery each) and is sent by a background task.
Deliveries are claimed in batches before their emails go out and never claimed twice, so a retried or
duplicated task writes to nobody twice (at most once: a worker that dies mid-batch leaves the rest of its
batch reported as failed, never resent).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from events.models import Edition
from registrations import tasks
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
    translations: dict[str, dict[str, str]] | None = None,
) -> Mailing:
    """Create a mailing with one delivery per recipient and send it in the background after commit."""
    subject, body = " ".join(subject.split()), body.strip()
    if not subject:
        raise MailingError(_("Write a subject."))
    if not body:
        raise MailingError(_("Write the text of the message; it is empty."))
    mailing = Mailing.objects.create(
        kind=kind,
        edition=edition,
        target_edition=target_edition,
        subject=subject,
        body=body,
        recipient_filter=recipient_filter or {},
        created_by=actor,
        translations=_clean_translations(translations or {}),
    )
    ids = list(to.values_list("pk", flat=True))
    Delivery.objects.bulk_create(
        [Delivery(mailing=mailing, registration_id=pk) for pk in ids], batch_size=1000
    )
    mailing.recipients = len(ids)
    mailing.save(update_fields=["recipients"])
    transaction.on_commit(lambda: tasks.send_mailing_task.enqueue(mailing.pk))
    return mailing


def _clean_translations(translations: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Keep the versions in a language the site speaks and with a text; tidy them like the original."""
    known = dict(settings.LANGUAGES)
    cleaned = {}
    for language, version in translations.items():
        body = (version.get("body") or "").strip()
        if language in known and body:
            cleaned[language] = {"subject": " ".join((version.get("subject") or "").split()), "body": body}
    return cleaned


def _rendered_in_every_language(template: str, context: dict[str, Any]) -> dict[str, dict[str, str]]:
    """A notice poltwt writes itself (schedule change, invitation), in each language of the site."""
    versions = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            versions[language] = {
                "subject": render_to_string(f"registrations/email/{template}/subject.txt", context),
                "body": render_to_string(f"registrations/email/{template}/text.txt", context),
            }
    return versions


def message_send(
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
    """An organizer's message to the registrants of an edition who match the filters.

    `translations` optionally gives the message in more languages ({"es": {"subject", "body"}}); each
    recipient reads their language's version if there is one, else the original.
    """
    chosen = {"kinds": list(kinds), "statuses": list(statuses), "countries": list(countries)}
    return mailing_create(
        kind=Mailing.Kind.MESSAGE,
        edition=edition,
        subject=subject,
        body=body,
        to=recipients(edition=edition, **chosen),
        actor=actor,
        recipient_filter=chosen,
        translations=translations,
    )


def schedule_change_notify(
    *, edition: Edition, before: dict[str, Any], actor: AbstractBaseUser | None
) -> Mailing:
    """Tell every confirmed registrant the edition's old and new date (or that it is TBD or cancelled)."""
    context = {"edition": edition, "before": before}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("registrations/email/schedule_change/subject.txt", context)
        body = render_to_string("registrations/email/schedule_change/text.txt", context)
    return mailing_create(
        kind=Mailing.Kind.SCHEDULE,
        edition=edition,
        subject=subject,
        body=body,
        translations=_rendered_in_every_language("schedule_change", context),
        to=recipients(edition=edition),
        actor=actor,
        recipient_filter={"before": {key: str(value) if value else None for key, value in before.items()}},
    )


def invitations_send(*, source: Edition, target: Edition | None, actor: AbstractBaseUser) -> Mailing:
    """Invite the approved participants of a past edition to re-register, in one click, for `target`."""
    if target is None or not target.is_open_for_registration():
        raise MailingError(_("No edition is open for sign-up to invite participants to."))
    if source.pk == target.pk:
        raise MailingError(_("Participants cannot be invited to the edition they are registered for."))
    # Handles already registered for the new edition, in any letter case, are not invited again.
    already = Registration.objects.for_edition(target).active().annotate(lowered=Lower("handle"))
    invited = (
        recipients(edition=source, statuses=[Registration.Status.APPROVED])
        .annotate(lowered=Lower("handle"))
        .exclude(lowered__in=already.values("lowered"))
    )
    context = {"source": source, "target": target}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("registrations/email/invitation/subject.txt", context)
        body = render_to_string("registrations/email/invitation/text.txt", context)
    return mailing_create(
        kind=Mailing.Kind.INVITATION,
        edition=source,
        target_edition=target,
        subject=subject,
        body=body,
        translations=_rendered_in_every_language("invitation", context),
        to=invited,
        actor=actor,
    )
