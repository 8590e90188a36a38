"""Organizers' review: approve or reject an entry, and which email domains count as governmental."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.models import Registration, RegistrationLogEntry
from registrations.services.common import ReviewError, email_after_commit, log_action
from registrations.services.domains import recognised_domains
from registrations.services.reminders import reminders_plan
from registrations.validators import domain_is_recognised, email_domain


def is_government_email(email: str) -> bool:
    return domain_is_recognised(email_domain(email), recognised_domains())


@transaction.atomic
def registration_approve(*, registration: Registration, actor: AbstractBaseUser) -> bool:
    """Approve a confirmed registration and tell the registrant; returns True when this call approved it.

    The row lock makes concurrent approvals of one entry queue: the first approves, logs and emails; the
    others find it approved and return False, so callers write one admin log entry and one message per
    approval that happened. Unconfirmed and withdrawn entries raise ReviewError.
    """
    registration = Registration.objects.select_for_update().select_related("edition").get(pk=registration.pk)
    if registration.status == Registration.Status.WITHDRAWN:
        raise ReviewError(_("%(registration)s was withdrawn.") % {"registration": registration})
    if not registration.is_confirmed:
        raise ReviewError(
            _("@%(handle)s has not confirmed its email address yet.") % {"handle": registration.handle}
        )
    if registration.status == Registration.Status.APPROVED:
        return False
    review_apply(registration, Registration.Status.APPROVED, actor=actor, reason="")
    log_action(registration, RegistrationLogEntry.Action.APPROVED, actor=actor)
    reminders_plan(edition=registration.edition, registration_ids=[registration.pk])
    email_after_commit(registration, "approved")
    return True


@transaction.atomic
def registration_reject(*, registration: Registration, actor: AbstractBaseUser, reason: str) -> bool:
    """Reject with a reason that the registrant receives by email; returns True when this call rejected it.

    Rejecting an entry already rejected with the same reason changes nothing (a double click).
    """
    reason = reason.strip()
    if not reason:
        raise ReviewError(_("Give the registrant a reason for the rejection."))
    registration = Registration.objects.select_for_update().select_related("edition").get(pk=registration.pk)
    if registration.status == Registration.Status.WITHDRAWN:
        raise ReviewError(_("%(registration)s was withdrawn.") % {"registration": registration})
    if registration.status == Registration.Status.REJECTED and registration.review_reason == reason:
        return False
    review_apply(registration, Registration.Status.REJECTED, actor=actor, reason=reason)
    log_action(registration, RegistrationLogEntry.Action.REJECTED, actor=actor, detail=reason)
    reminders_plan(edition=registration.edition, registration_ids=[registration.pk])
    email_after_commit(registration, "rejected")
    return True


def review_apply(
    registration: Registration, status: str, *, actor: AbstractBaseUser | None, reason: str
) -> None:
    registration.status = status
    registration.reviewed_by = actor
    registration.reviewed_at = timezone.now()
    registration.review_reason = reason
    # A decision ends any hold: the entry is no longer waiting for anything.
    registration.set_aside_at = registration.set_aside_by = None
    registration.save(
        update_fields=[
            "status",
            "reviewed_by",
            "reviewed_at",
            "review_reason",
            "set_aside_at",
            "set_aside_by",
            "updated_at",
        ]
    )


@transaction.atomic
def registration_set_aside(*, registration: Registration, actor: AbstractBaseUser) -> bool:
    """Hold a pending entry back for checking: it leaves the review queue and "approve and open the next"
    until taken back (or approved or rejected). Returns False when it was set aside already."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.PENDING:
        raise ReviewError(
            _("Only an entry waiting for review can be set aside; %(registration)s is %(status)s.")
            % {"registration": registration, "status": registration.get_status_display()}
        )
    if registration.set_aside_at is not None:
        return False
    registration.set_aside_at, registration.set_aside_by = timezone.now(), actor
    registration.save(update_fields=["set_aside_at", "set_aside_by", "updated_at"])
    log_action(registration, RegistrationLogEntry.Action.SET_ASIDE, actor=actor)
    return True


@transaction.atomic
def registration_take_back(*, registration: Registration, actor: AbstractBaseUser) -> bool:
    """Put an entry set aside back into the review queue; returns False when it was not set aside."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.set_aside_at is None:
        return False
    registration.set_aside_at = registration.set_aside_by = None
    registration.save(update_fields=["set_aside_at", "set_aside_by", "updated_at"])
    log_action(registration, RegistrationLogEntry.Action.TAKEN_BACK, actor=actor)
    return True
