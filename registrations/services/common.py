"""What every registration service shares: the audit log, and background work that starts once the change
commits (kept here because the tasks themselves call the other service modules)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet

from registrations import tasks
from registrations.models import Registration, RegistrationLogEntry

# Raised by the services; defined apart (services.errors) and still importable from here.
from registrations.services.errors import ReviewError as ReviewError


def log_action(
    registration: Registration, action: str, *, actor: AbstractBaseUser | None = None, detail: str = ""
) -> None:
    RegistrationLogEntry.objects.create(registration=registration, action=action, actor=actor, detail=detail)


def email_after_commit(registration: Registration, template: str) -> None:
    transaction.on_commit(lambda: tasks.send_registration_email_task.enqueue(registration.pk, template))


def geocode_after_commit(registration: Registration) -> None:
    transaction.on_commit(lambda: tasks.geocode_registration_task.enqueue(registration.pk))


def place_again(registration: Registration) -> list[str]:
    """After a new address or country: mark the entry for geocoding (point and time zone) once the change
    commits. A point an organizer set by hand stays; returns the fields to save (none then)."""
    if registration.geo_precision == Registration.GeoPrecision.MANUAL:
        return []
    registration.geo_status = Registration.GeoStatus.PENDING
    registration.geo_precision = ""
    registration.geo_attempts = 0
    registration.geo_next_attempt_at = None
    geocode_after_commit(registration)
    return ["geo_status", "geo_precision", "geo_attempts", "geo_next_attempt_at"]


def geocode_again(*, registrations: QuerySet[Registration]) -> int:
    """Ask the provider afresh (bypassing the cache) for each address, in the background, once this
    transaction commits. Points set by hand and withdrawn entries are left alone; returns how many."""
    ids = list(
        registrations.exclude(status=Registration.Status.WITHDRAWN)
        .exclude(geo_precision=Registration.GeoPrecision.MANUAL)
        .values_list("pk", flat=True)
    )

    def enqueue() -> None:
        for pk in ids:
            tasks.geocode_registration_task.enqueue(pk, force=True)

    transaction.on_commit(enqueue)
    return len(ids)
