"""A registrant's own writes: sign up, confirm the email, edit, ask for the links again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Edition
from registrations import tasks
from registrations.models import (
    ADDRESS_FIELDS,
    IDENTITY_FIELDS,
    NO_REVIEW_FIELDS,
    REGISTRANT_FIELDS,
    Registration,
    RegistrationLogEntry,
)
from registrations.services.common import (
    ReviewError,
    email_after_commit,
    geocode_after_commit,
    log_action,
    place_again,
)
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


@dataclass(frozen=True)
class UpdateResult:
    """What a registrant's edit did: fields applied now, and fields waiting for an organizer."""

    applied: list[str]
    held: list[str]

    def __bool__(self) -> bool:
        return bool(self.applied or self.held)


@transaction.atomic
def registration_update(*, registration: Registration, **fields: Any) -> UpdateResult:
    """Apply a registrant's edits.

    On an approved entry, a change to who the registrant is (IDENTITY_FIELDS: handle, names, email,
    address) waits in ``pending_changes`` for an organizer while the public keeps the approved values;
    every other edit applies at once and the entry stays approved (its reminders are planned again).
    On any other entry everything applies at once, and a rejected one goes back to review. A new email
    must be confirmed again; a new address or country places the entry again (unless pinned by hand).
    """
    unknown = set(fields) - set(REGISTRANT_FIELDS)
    if unknown:
        raise TypeError(f"not registrant fields: {sorted(unknown)}")
    if registration.status == Registration.Status.WITHDRAWN:
        raise ReviewError(_("A withdrawn registration cannot be changed."))
    approved = registration.status == Registration.Status.APPROVED
    pending = dict(registration.pending_changes) if approved else {}
    changed, held = [], []
    for name, value in fields.items():
        stored = getattr(registration, name)
        if approved and name in IDENTITY_FIELDS:
            value = _as_stored(value)
            if value == _as_stored(stored):
                pending.pop(name, None)  # back to the approved value: nothing to review
            elif pending.get(name) != value:
                pending[name] = value
                held.append(name)
        elif stored != value:
            changed.append(name)
    held_before = registration.pending_changes if approved else {}
    if not changed and pending == held_before:
        return UpdateResult(applied=[], held=[])
    update_fields = _apply(registration, {name: fields[name] for name in changed})
    if pending != held_before:
        registration.pending_changes = pending
        update_fields.append("pending_changes")
    if registration.status == Registration.Status.REJECTED and any(
        name not in NO_REVIEW_FIELDS for name in changed
    ):
        registration.status = Registration.Status.PENDING
        update_fields.append("status")
    try:
        with transaction.atomic():
            registration.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise HandleTaken(registration.handle) from exc
    if changed:
        log_action(registration, RegistrationLogEntry.Action.EDITED, detail=", ".join(changed))
    if held:
        log_action(registration, RegistrationLogEntry.Action.CHANGE_HELD, detail=", ".join(held))
    # New hours or a new time zone (or back in review): unsent reminders follow.
    reminders_plan(edition=registration.edition, registration_ids=[registration.pk])
    return UpdateResult(applied=changed, held=held)


def _as_stored(value: Any) -> str:
    # Held values live in a JSONField: the country as its code, everything else as text.
    return str(getattr(value, "code", value) or "")


def _apply(registration: Registration, values: dict[str, Any]) -> list[str]:
    """Set the values on the entry with their consequences (new email to confirm, new address to place);
    returns the fields to save. The caller saves, after commit the emails and the geocoding follow."""
    for name, value in values.items():
        setattr(registration, name, value)
    update_fields = [*values, "updated_at"]
    if "email" in values:
        registration.email_confirmed_at = None
        registration.email_domain_recognised = is_government_email(registration.email)
        update_fields += ["email_confirmed_at", "email_domain_recognised"]
        email_after_commit(registration, "confirm")
    if any(name in ADDRESS_FIELDS for name in values):
        update_fields += place_again(registration)
    return update_fields


@transaction.atomic
def registration_change_approve(*, registration: Registration, actor: AbstractBaseUser) -> list[str]:
    """An organizer approves an approved entry's waiting change: it applies (a new address places the entry
    again, a new email is confirmed again) and the registrant gets a short note, not the whole approval
    email. Returns the fields applied; none when nothing was waiting (a second click).

    Raises ReviewError when the new handle was taken by another entry meanwhile (nothing changes).
    """
    locked = Registration.objects.select_for_update().select_related("edition").get(pk=registration.pk)
    values = {name: value for name, value in locked.pending_changes.items() if name in IDENTITY_FIELDS}
    if not values:
        return []
    update_fields = _apply(locked, values)
    locked.pending_changes = {}
    try:
        with transaction.atomic():
            locked.save(update_fields=[*update_fields, "pending_changes"])
    except IntegrityError as exc:
        raise ReviewError(
            _("@%(handle)s is held by another entry of this edition: reject the change.")
            % {"handle": values.get("handle", locked.handle)}
        ) from exc
    log_action(locked, RegistrationLogEntry.Action.CHANGE_APPROVED, actor=actor, detail=", ".join(values))
    reminders_plan(edition=locked.edition, registration_ids=[locked.pk])
    email_after_commit(locked, "change_approved")
    return list(values)


@transaction.atomic
def registration_change_reject(*, registration: Registration, actor: AbstractBaseUser) -> bool:
    """An organizer turns down an approved entry's waiting change: the approved values stay, the registrant
    is told. Returns False when nothing was waiting."""
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if not locked.pending_changes:
        return False
    fields = ", ".join(locked.pending_changes)
    locked.pending_changes = {}
    locked.save(update_fields=["pending_changes", "updated_at"])
    log_action(locked, RegistrationLogEntry.Action.CHANGE_REJECTED, actor=actor, detail=fields)
    email_after_commit(locked, "change_rejected")
    return True


@transaction.atomic
def registration_organizer_edit(*, registration: Registration, changed: list[str]) -> None:
    """After an organizer saved the entry in the admin: a new address or country places it again (time zone
    included) unless they pinned it by hand; a new email address is checked against the domain list."""
    update_fields = []
    if any(name in ADDRESS_FIELDS for name in changed):
        update_fields += place_again(registration)
    if "email" in changed:
        registration.email_domain_recognised = is_government_email(registration.email)
        update_fields.append("email_domain_recognised")
    if update_fields:
        registration.save(update_fields=[*update_fields, "updated_at"])


def links_request(*, email: str) -> None:
    """Someone asked for their private links again: look the address up in the background.

    The request itself does the same work whether or not the address is known (one task enqueued), so
    neither its answer nor its timing tells a visitor which addresses registered.
    """
    address = email.strip()
    transaction.on_commit(lambda: tasks.send_lost_links_task.enqueue(address))
