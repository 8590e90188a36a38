"""Organizers' review: approve or reject an entry, and which email domains count as governmental."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from registrations.models import GovernmentDomain, Registration, RegistrationLogEntry
from registrations.services.common import ReviewError, email_after_commit, log_action
from registrations.services.reminders import reminders_plan
from registrations.validators import domain_is_recognised, email_domain


def recognised_domains() -> list[str]:
    return list(GovernmentDomain.objects.values_list("domain", flat=True))


def is_government_email(email: str) -> bool:
    return domain_is_recognised(email_domain(email), recognised_domains())


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
    review_apply(registration, Registration.Status.APPROVED, actor=actor, reason="")
    log_action(registration, RegistrationLogEntry.Action.APPROVED, actor=actor)
    reminders_plan(edition=registration.edition, registration_ids=[registration.pk])
    email_after_commit(registration, "approved")
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
    review_apply(registration, Registration.Status.REJECTED, actor=actor, reason=reason)
    log_action(registration, RegistrationLogEntry.Action.REJECTED, actor=actor, detail=reason)
    reminders_plan(edition=registration.edition, registration_ids=[registration.pk])
    email_after_commit(registration, "rejected")
    return registration


def review_apply(
    registration: Registration, status: str, *, actor: AbstractBaseUser | None, reason: str
) -> None:
    registration.status = status
    registration.reviewed_by = actor
    registration.reviewed_at = timezone.now()
    registration.review_reason = reason
    registration.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason", "updated_at"])
