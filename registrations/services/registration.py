"""A registrant's own writes: sign up, confirm the email, edit, ask for the links again."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Edition
from registrations import tasks
from registrations.models import (
    ADDRESS_FIELDS,
    NO_REVIEW_FIELDS,
    REGISTRANT_FIELDS,
    Registration,
    RegistrationLogEntry,
)
from registrations.services.common import ReviewError, email_after_commit, geocode_after_commit, log_action
from registrations.services.reminders import reminders_plan
from registrations.services.review import is_government_email, review_apply


class HandleTaken(Exception):
    """Another entry holds the handle for this edition: it confirmed its email first."""


class InvitationUsed(Exception):
    """This invitation has already brought its participant back to the edition."""


@transaction.atomic
def registration_create(
    *, edition: Edition, kind: str, returning_from: Registration | None = None, **fields: Any
) -> Registration:
    """Register an X account for an edition; sends the confirmation email and geocodes after commit.

    An unconfirmed entry holds nothing: whoever confirms first holds the handle (see
    registration_confirm_email). Raises HandleTaken when a confirmed entry already holds the handle
    (case-insensitively) for the edition; the database constraint decides under concurrency.
    A returning participant (from an invitation) whose email is unchanged needs no confirmation: the
    invitation link reached that mailbox. Raises InvitationUsed when the invitation already brought its
    participant back (one invitation, one entry; the database decides that too).
    """
    unknown = set(fields) - set(REGISTRANT_FIELDS)
    if unknown:
        raise TypeError(f"not registrant fields: {sorted(unknown)}")
    registration = Registration(edition=edition, kind=kind, returning_from=returning_from, **fields)
    registration.email_domain_recognised = is_government_email(registration.email)
    proven = returning_from is not None and returning_from.email.lower() == registration.email.lower()
    if proven:
        registration.email_confirmed_at = registration.handle_held_at = timezone.now()
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:
        if returning_from and Registration.objects.filter(edition=edition, returning_from=returning_from):
            raise InvitationUsed from exc
        if Registration.objects.holding_handle().filter(edition=edition, handle__iexact=registration.handle):
            raise HandleTaken(registration.handle) from exc
        raise
    log_action(
        registration, RegistrationLogEntry.Action.CREATED, detail="returning" if returning_from else ""
    )
    if proven and edition.auto_approve_returning and _unchanged(returning_from, registration):
        review_apply(registration, Registration.Status.APPROVED, actor=None, reason="")
        log_action(
            registration, RegistrationLogEntry.Action.APPROVED, detail="returning participant, unchanged"
        )
        email_after_commit(registration, "approved")
    else:
        email_after_commit(registration, "received" if proven else "confirm")
    geocode_after_commit(registration)
    return registration


def _unchanged(before: Registration, after: Registration) -> bool:
    return all(
        getattr(before, name) == getattr(after, name)
        for name in REGISTRANT_FIELDS
        if name not in NO_REVIEW_FIELDS
    )


@transaction.atomic
def registration_confirm_email(*, registration: Registration) -> bool:
    """Mark the email confirmed; the entry now holds its handle. Returns False if it already was confirmed
    (a link used twice changes nothing).

    Raises HandleTaken when another entry confirmed the same handle first; nothing changes then.
    """
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.email_confirmed_at is not None:
        return False
    locked.email_confirmed_at = timezone.now()
    update_fields = ["email_confirmed_at", "updated_at"]
    if locked.handle_held_at is None:
        locked.handle_held_at = locked.email_confirmed_at
        update_fields.append("handle_held_at")
    try:
        with transaction.atomic():
            locked.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise HandleTaken(locked.handle) from exc
    registration.email_confirmed_at = locked.email_confirmed_at
    registration.handle_held_at = locked.handle_held_at
    log_action(locked, RegistrationLogEntry.Action.CONFIRMED)
    email_after_commit(locked, "received")
    return True


@transaction.atomic
def registration_update(*, registration: Registration, **fields: Any) -> list[str]:
    """Apply a registrant's edits; returns the names of the fields that changed.

    An edit to an approved (or rejected) entry sends it back to review; a new email must be confirmed
    again; a new address is geocoded again (an organizer's manual point no longer applies to it).
    """
    unknown = set(fields) - set(REGISTRANT_FIELDS)
    if unknown:
        raise TypeError(f"not registrant fields: {sorted(unknown)}")
    if registration.status == Registration.Status.WITHDRAWN:
        raise ReviewError(_("A withdrawn registration cannot be changed."))
    changed = [name for name, value in fields.items() if getattr(registration, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(registration, name, fields[name])
    update_fields = [*changed, "updated_at"]
    if "email" in changed:
        registration.email_confirmed_at = None
        registration.email_domain_recognised = is_government_email(registration.email)
        update_fields += ["email_confirmed_at", "email_domain_recognised"]
    needs_review = any(name not in NO_REVIEW_FIELDS for name in changed)
    if needs_review and registration.status in (Registration.Status.APPROVED, Registration.Status.REJECTED):
        registration.status = Registration.Status.PENDING
        update_fields.append("status")
    address_changed = any(name in ADDRESS_FIELDS for name in changed)
    if address_changed:
        registration.geo_status = Registration.GeoStatus.PENDING
        registration.geo_precision = ""
        registration.geo_attempts = 0
        registration.geo_next_attempt_at = None
        update_fields += ["geo_status", "geo_precision", "geo_attempts", "geo_next_attempt_at"]
    try:
        with transaction.atomic():
            registration.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise HandleTaken(registration.handle) from exc
    log_action(registration, RegistrationLogEntry.Action.EDITED, detail=", ".join(changed))
    # Back in review (or new hours): its unsent reminders go now, approval plans them again.
    reminders_plan(edition=registration.edition, registration_ids=[registration.pk])
    if "email" in changed:
        email_after_commit(registration, "confirm")
    if address_changed:
        geocode_after_commit(registration)
    return changed


def links_request(*, email: str) -> None:
    """Someone asked for their private links again: look the address up in the background.

    The request itself does the same work whether or not the address is known (one task enqueued), so
    neither its answer nor its timing tells a visitor which addresses registered.
    """
    address = email.strip()
    transaction.on_commit(lambda: tasks.send_lost_links_task.enqueue(address))
