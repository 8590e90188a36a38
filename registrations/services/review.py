"""Organizers' review: approve or reject an entry, and which email domains count as governmental."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.models import GovernmentDomain, Registration, RegistrationLogEntry
from registrations.services.common import ReviewError, email_after_commit, log_action
from registrations.services.reminders import reminders_plan
from registrations.validators import domain_is_recognised, email_domain, normalise_domain

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
    registration.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason", "updated_at"])


def domain_is_valid(domain: str) -> bool:
    return bool(_DOMAIN.match(domain))


@transaction.atomic
def domains_trust(*, domains: Iterable[str], note: str = "") -> list[str]:
    """Add domains to the recognised list and flag the entries on them (and their subdomains) as recognised.

    Returns the domains that were new. Invalid names raise ReviewError and add nothing.
    """
    wanted = sorted({normalise_domain(domain) for domain in domains if domain.strip()})
    invalid = [domain for domain in wanted if not domain_is_valid(domain)]
    if invalid:
        raise ReviewError(_("Not a domain name: %(domains)s") % {"domains": ", ".join(invalid)})
    existing = set(GovernmentDomain.objects.filter(domain__in=wanted).values_list("domain", flat=True))
    new = [domain for domain in wanted if domain not in existing]
    GovernmentDomain.objects.bulk_create(
        [GovernmentDomain(domain=domain, note=note[:200]) for domain in new], ignore_conflicts=True
    )
    if new:
        matches = Q()
        for domain in new:
            matches |= Q(email__iendswith="@" + domain) | Q(email__iendswith="." + domain)
        Registration.objects.filter(matches, email_domain_recognised=False).update(
            email_domain_recognised=True, updated_at=timezone.now()
        )
    return new


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
