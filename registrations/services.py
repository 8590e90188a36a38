"""Every write to a registration that has rules. Keyword-only, typed, atomic; mail and tasks after commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from events.models import Edition
from registrations import geo_services, tasks
from registrations.models import GovernmentDomain, Registration, RegistrationEvent
from registrations.validators import domain_is_recognised, email_domain

# What a registrant may change through their private link (and what a new registration is made of).
REGISTRANT_FIELDS = (
    "handle", "agency_name", "agency_level", "officer_name", "officer_role", "email",
    "street", "city", "region", "postcode", "country",
    "participation_model", "topic", "hours_from", "hours_to", "consent_public",
)  # fmt: skip
ADDRESS_FIELDS = ("street", "city", "region", "postcode", "country")
# Erased on withdrawal and by the retention purge: what identifies a person or where they work.
PERSONAL_FIELDS = ("email", "officer_name", "officer_role", "street", "postcode")
# Also erased on withdrawal, so that what remains counts the entry without identifying it.
WITHDRAWAL_FIELDS = (*PERSONAL_FIELDS, "handle", "agency_name", "city", "region", "topic")


class HandleTaken(Exception):
    """The handle already has an active registration for this edition."""


class ReviewError(Exception):
    """An organizer's review cannot be applied (unconfirmed email, withdrawn entry, missing reason)."""


def recognised_domains() -> list[str]:
    return list(GovernmentDomain.objects.values_list("domain", flat=True))


def is_government_email(email: str) -> bool:
    return domain_is_recognised(email_domain(email), recognised_domains())


def _record(
    registration: Registration, action: str, *, actor: AbstractBaseUser | None = None, detail: str = ""
) -> None:
    RegistrationEvent.objects.create(registration=registration, action=action, actor=actor, detail=detail)


def _email_after_commit(registration: Registration, template: str) -> None:
    transaction.on_commit(lambda: tasks.send_registration_email.enqueue(registration.pk, template))


def _geocode_after_commit(registration: Registration) -> None:
    transaction.on_commit(lambda: tasks.geocode_registration.enqueue(registration.pk))


@transaction.atomic
def registration_create(
    *, edition: Edition, kind: str, returning_from: Registration | None = None, **fields: Any
) -> Registration:
    """Register an X account for an edition; sends the confirmation email and geocodes after commit.

    Raises HandleTaken when the handle (case-insensitively) is already registered for the edition; the
    database constraint decides, so two simultaneous submissions create exactly one registration.
    A returning participant (from an invitation) whose email is unchanged needs no confirmation: the
    invitation link reached that mailbox.
    """
    unknown = set(fields) - set(REGISTRANT_FIELDS)
    if unknown:
        raise TypeError(f"not registrant fields: {sorted(unknown)}")
    registration = Registration(edition=edition, kind=kind, returning_from=returning_from, **fields)
    registration.email_domain_recognised = is_government_email(registration.email)
    proven = returning_from is not None and returning_from.email.lower() == registration.email.lower()
    if proven:
        registration.email_confirmed_at = timezone.now()
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:
        if Registration.objects.active().filter(edition=edition, handle__iexact=registration.handle).exists():
            raise HandleTaken(registration.handle) from exc
        raise
    _record(registration, RegistrationEvent.Action.CREATED, detail="returning" if returning_from else "")
    if proven and edition.auto_approve_returning and _unchanged(returning_from, registration):
        _review(registration, Registration.Status.APPROVED, actor=None, reason="")
        _record(registration, RegistrationEvent.Action.APPROVED, detail="returning participant, unchanged")
        _email_after_commit(registration, "approved")
    else:
        _email_after_commit(registration, "received" if proven else "confirm")
    _geocode_after_commit(registration)
    return registration


def _unchanged(before: Registration, after: Registration) -> bool:
    return all(getattr(before, name) == getattr(after, name) for name in REGISTRANT_FIELDS)


@transaction.atomic
def registration_confirm_email(*, registration: Registration) -> bool:
    """Mark the email confirmed. Returns False if it already was (a link used twice changes nothing)."""
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.email_confirmed_at is not None:
        return False
    locked.email_confirmed_at = timezone.now()
    locked.save(update_fields=["email_confirmed_at", "updated_at"])
    registration.email_confirmed_at = locked.email_confirmed_at
    _record(locked, RegistrationEvent.Action.CONFIRMED)
    _email_after_commit(locked, "received")
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
        raise ReviewError("A withdrawn registration cannot be changed.")
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
    if registration.status in (Registration.Status.APPROVED, Registration.Status.REJECTED):
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
    _record(registration, RegistrationEvent.Action.EDITED, detail=", ".join(changed))
    if "email" in changed:
        _email_after_commit(registration, "confirm")
    if address_changed:
        _geocode_after_commit(registration)
    return changed


@transaction.atomic
def registration_withdraw(*, registration: Registration) -> Registration:
    """Withdraw at the registrant's request: personal data, handle and names go; an anonymous count stays.

    What remains (edition, kind, agency level, country, dates) counts the entry without identifying it.
    Every private link sent so far stops working.
    """
    if registration.status == Registration.Status.WITHDRAWN:
        return registration
    for name in WITHDRAWAL_FIELDS:
        setattr(registration, name, "")
    registration.status = Registration.Status.WITHDRAWN
    registration.consent_public = False
    registration.link_version += 1
    registration.save(
        update_fields=[*WITHDRAWAL_FIELDS, "status", "consent_public", "link_version", "updated_at"]
    )
    geo_services.registration_clear_location(registration=registration)
    _record(registration, RegistrationEvent.Action.WITHDRAWN)
    return registration


@transaction.atomic
def registration_approve(*, registration: Registration, actor: AbstractBaseUser) -> Registration:
    """Approve a confirmed registration and tell the registrant. Unconfirmed entries cannot be approved."""
    registration = Registration.objects.select_for_update().select_related("edition").get(pk=registration.pk)
    if registration.status == Registration.Status.WITHDRAWN:
        raise ReviewError(f"{registration} was withdrawn.")
    if not registration.is_confirmed:
        raise ReviewError(f"@{registration.handle} has not confirmed its email address yet.")
    if registration.status == Registration.Status.APPROVED:
        return registration
    _review(registration, Registration.Status.APPROVED, actor=actor, reason="")
    _record(registration, RegistrationEvent.Action.APPROVED, actor=actor)
    _email_after_commit(registration, "approved")
    return registration


@transaction.atomic
def registration_reject(*, registration: Registration, actor: AbstractBaseUser, reason: str) -> Registration:
    """Reject with a reason that the registrant receives by email."""
    reason = reason.strip()
    if not reason:
        raise ReviewError("Give the registrant a reason for the rejection.")
    registration = Registration.objects.select_for_update().select_related("edition").get(pk=registration.pk)
    if registration.status == Registration.Status.WITHDRAWN:
        raise ReviewError(f"{registration} was withdrawn.")
    _review(registration, Registration.Status.REJECTED, actor=actor, reason=reason)
    _record(registration, RegistrationEvent.Action.REJECTED, actor=actor, detail=reason)
    _email_after_commit(registration, "rejected")
    return registration


def _review(registration: Registration, status: str, *, actor: AbstractBaseUser | None, reason: str) -> None:
    registration.status = status
    registration.reviewed_by = actor
    registration.reviewed_at = timezone.now()
    registration.review_reason = reason
    registration.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason", "updated_at"])


def resend_links(*, email: str) -> int:
    """Email the private links of every active registration made with this address; returns how many."""
    registrations = list(
        Registration.objects.active().filter(email__iexact=email.strip()).values_list("pk", flat=True)
    )
    for pk in registrations:
        transaction.on_commit(lambda pk=pk: tasks.send_registration_email.enqueue(pk, "links"))
    return len(registrations)


def purge_due(*, today: dt.date | None = None) -> list[Edition]:
    """Completed editions whose retention period (date + retention_days) is over."""
    today = today or timezone.localdate()
    return [
        edition
        for edition in Edition.objects.filter(status=Edition.Status.COMPLETED, date__isnull=False).order_by(
            "ordinal"
        )
        if edition.date + dt.timedelta(days=edition.retention_days) < today
    ]


def _holds_personal_data() -> Q:
    return ~Q(email="") | ~Q(officer_name="") | ~Q(officer_role="") | ~Q(street="") | ~Q(postcode="")


@transaction.atomic
def personal_data_purge(*, edition: Edition, dry_run: bool = False) -> int:
    """Erase emails, officer names and street addresses of an edition's registrations; returns how many.

    The public facts (handle, agency, city, country, point) and every count stay.
    """
    holding = Registration.objects.for_edition(edition).filter(_holds_personal_data())
    count = holding.count()
    if dry_run or not count:
        return count
    ids = list(holding.values_list("pk", flat=True))
    Registration.objects.filter(pk__in=ids).update(
        **dict.fromkeys(PERSONAL_FIELDS, ""), updated_at=timezone.now()
    )
    RegistrationEvent.objects.bulk_create(
        [RegistrationEvent(registration_id=pk, action=RegistrationEvent.Action.PURGED) for pk in ids]
    )
    return count
