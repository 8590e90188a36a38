"""The worker's side of a mailing: its deliveries go through the outbox (jobs/outbox.py), which leases
them in batches and sends each email once; a worker killed mid-mailing leaves at most the one email in
flight to be sent again. The mailing's task comes back when the leases it waits for expire.
"""

from __future__ import annotations

import datetime as dt

from django.core.mail import EmailMultiAlternatives
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jobs import outbox
from registrations import emails, tokens
from registrations.models import Delivery, Mailing, Registration


class DeliveryError(Exception):
    """One email of a mailing cannot be sent (the registrant withdrew, or their data was erased)."""


def _deliveries(mailing: Mailing) -> QuerySet[Delivery]:
    return Delivery.objects.filter(mailing=mailing)


def mailing_deliver(*, mailing_id: int) -> Mailing:
    """Send every delivery of a mailing not yet sent and not leased by a live run; safe to run again or
    twice at once. Returns the mailing with fresh counts (``finished_at`` stays empty while some delivery
    is still leased by another run: see ``mailing_retry_at``)."""
    mailing = Mailing.objects.select_related("edition", "target_edition").get(pk=mailing_id)
    if mailing.is_draft:
        return mailing  # never sent without an organizer's explicit "Send" (services.mailing.mailing_send)
    outbox.send_all(
        _deliveries(mailing).select_related("registration__edition"),
        lambda delivery: _send_one(mailing, delivery.registration),
    )
    return mailing_finish(mailing=mailing)


def mailing_retry_at(*, mailing: Mailing) -> dt.datetime | None:
    """When the earliest lease of an unfinished delivery runs out (a run died holding it), or None."""
    return outbox.retry_at(_deliveries(mailing))


def mailing_finish(*, mailing: Mailing) -> Mailing:
    """Count what went out; the mailing is finished when every delivery is sent or failed."""
    deliveries = _deliveries(mailing)
    mailing.sent = deliveries.filter(sent_at__isnull=False).count()
    mailing.failed = deliveries.exclude(error="").count()
    if not outbox.unsent(deliveries).exists():
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
        if mailing.kind == Mailing.Kind.SCHEDULE:
            # The closing words fit the recipient's status: the approved stay registered, the waiting
            # are still under review. Added here, not in the draft, so an organizer's edit keeps them.
            note = render_to_string(
                "registrations/email/schedule_change/status.txt",
                {"edition": registration.edition, "registration": registration},
            ).strip()
            body = f"{body.rstrip()}\n\n{note}" if note else body
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
