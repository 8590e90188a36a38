"""Erasing personal data: a registrant's withdrawal, and the purge once an edition's retention is over."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from events.models import Edition
from registrations import tokens
from registrations.models import (
    PERSONAL_FIELDS,
    WITHDRAWAL_FIELDS,
    Registration,
    RegistrationLogEntry,
    Reminder,
)
from registrations.services.common import log_action
from registrations.services.location import registration_clear_location


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
    registration.pending_changes = {}  # a proposed new email or address is personal data too
    registration.link_version += 1
    registration.save(
        update_fields=[
            *WITHDRAWAL_FIELDS,
            "status",
            "consent_public",
            "pending_changes",
            "link_version",
            "updated_at",
        ]
    )
    registration_clear_location(registration=registration)
    # Unsent reminders go with the rest; sent ones stay, counted without an address.
    Reminder.objects.filter(registration=registration, claimed_at__isnull=True).delete()
    log_action(registration, RegistrationLogEntry.Action.WITHDRAWN)
    return registration


def purge_due(*, today: dt.date | None = None) -> list[Edition]:
    """Completed editions whose retention period (date + retention_days) is over.

    A completed edition whose exact date the record does not give counts from the day it was entered
    into poltwt: its data goes later than the real date would say, but it goes.
    """
    today = today or timezone.localdate()
    return [
        edition
        for edition in Edition.objects.filter(status=Edition.Status.COMPLETED).order_by("ordinal")
        if (edition.date or timezone.localdate(edition.created_at))
        + dt.timedelta(days=edition.retention_days)
        < today
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
        **dict.fromkeys(PERSONAL_FIELDS, ""), pending_changes={}, updated_at=timezone.now()
    )
    RegistrationLogEntry.objects.bulk_create(
        [RegistrationLogEntry(registration_id=pk, action=RegistrationLogEntry.Action.PURGED) for pk in ids]
    )
    return count


def unconfirmed_expire(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Delete entries never confirmed whose confirmation link has expired; returns how many.

    They never held their handle and nobody can confirm them any more: keeping them would only keep an
    unverified address. Deleted outright (their log goes with them), not withdrawn.
    """
    now = now or timezone.now()
    expired = Registration.objects.expired_unconfirmed(before=now - tokens.MAX_AGE["confirm"])
    if dry_run:
        return expired.count()
    _, per_model = expired.delete()
    return per_model.get(Registration._meta.label, 0)
