"""Organizers' review: approve or reject an entry, and which email domains count as governmental."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.models import GovernmentDomain, Registration, RegistrationLogEntry
from registrations.services.common import ReviewError, email_after_commit, log_action
from registrations.services.reminders import reminders_plan
from registrations.validators import domain_is_recognised, email_domain, validate_trustable_domain

# A domain name as organizers type it: labels of letters, digits and hyphens, at least one dot or a bare TLD.
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def recognised_domains() -> list[str]:
    return list(GovernmentDomain.objects.values_list("domain", flat=True))


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


def normalise_domain(value: str) -> str:
    """A domain as stored: trimmed, lower case, without a leading "@" or "." or a trailing dot."""
    return value.strip().lower().lstrip("@.").rstrip(".")


def domain_is_valid(domain: str) -> bool:
    return bool(_DOMAIN.match(domain))


def domains_untrustable(domains: Iterable[str]) -> dict[str, str]:
    """The domains that may never be trusted (webmail providers, suffixes covering them), with the reason."""
    refused = {}
    for domain in domains:
        try:
            validate_trustable_domain(domain)
        except ValidationError as error:
            refused[domain] = " ".join(error.messages)
    return refused


@transaction.atomic
def domains_trust(*, domains: Iterable[str], note: str = "") -> list[str]:
    """Add domains to the recognised list; the waiting entries are checked again once this commits.

    Returns the domains that were new. Invalid names and webmail providers raise ReviewError and add
    nothing.
    """
    wanted = sorted({normalise_domain(domain) for domain in domains if domain.strip()})
    invalid = [domain for domain in wanted if not domain_is_valid(domain)]
    if invalid:
        raise ReviewError(_("Not a domain name: %(domains)s") % {"domains": ", ".join(invalid)})
    if refused := domains_untrustable(wanted):
        raise ReviewError(" ".join(refused.values()))
    existing = set(GovernmentDomain.objects.filter(domain__in=wanted).values_list("domain", flat=True))
    new = [domain for domain in wanted if domain not in existing]
    GovernmentDomain.objects.bulk_create(
        [GovernmentDomain(domain=domain, note=note[:200]) for domain in new], ignore_conflicts=True
    )
    if new:
        domains_reevaluate_after_commit()
    return new


def domains_reevaluate() -> int:
    """Set the "government domain recognised" flag of every waiting entry (pending, not withdrawn) from the
    list as it is now: a domain added flags its entries, a domain removed unflags them. Approved and
    rejected entries keep the flag they were reviewed with. Returns how many entries changed."""
    recognised = recognised_domains()
    waiting = Registration.objects.filter(status=Registration.Status.PENDING).exclude(email="")
    now_true, now_false = [], []
    for pk, email, flag in waiting.values_list("pk", "email", "email_domain_recognised").iterator():
        wanted = domain_is_recognised(email_domain(email), recognised)
        if wanted != flag:
            (now_true if wanted else now_false).append(pk)
    for ids, flag in ((now_true, True), (now_false, False)):
        for start in range(0, len(ids), 500):
            Registration.objects.filter(pk__in=ids[start : start + 500]).update(
                email_domain_recognised=flag, updated_at=timezone.now()
            )
    return len(now_true) + len(now_false)


def domains_reevaluate_after_commit() -> None:
    """Check the waiting entries again once the change to the domain list commits (admin, import, trust)."""
    transaction.on_commit(domains_reevaluate)


def domains_import_csv(*, data: bytes, note: str = "") -> list[str]:
    """Trust the domains of a CSV file (first column, or a column named "domain"); returns the new ones.

    Raises ReviewError for a file that is not UTF-8 text or names an invalid domain (nothing is added).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewError(_("The file is not UTF-8 text; save it as CSV (UTF-8).")) from exc
    rows = [row for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    if not rows:
        raise ReviewError(_("The file has no domains."))
    column = 0
    header = [cell.strip().lower() for cell in rows[0]]
    if "domain" in header:
        column = header.index("domain")
        rows = rows[1:]
    domains = [row[column] for row in rows if len(row) > column and row[column].strip()]
    return domains_trust(domains=domains, note=note)
