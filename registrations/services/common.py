"""What every registration service shares: the audit log, and work that starts once the change commits."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from registrations import tasks
from registrations.models import Registration, RegistrationLogEntry


class ReviewError(Exception):
    """An organizer's review or a registrant's edit cannot be applied (unconfirmed, withdrawn, no reason)."""


def log_action(
    registration: Registration, action: str, *, actor: AbstractBaseUser | None = None, detail: str = ""
) -> None:
    RegistrationLogEntry.objects.create(registration=registration, action=action, actor=actor, detail=detail)


def email_after_commit(registration: Registration, template: str) -> None:
    transaction.on_commit(lambda: tasks.send_registration_email_task.enqueue(registration.pk, template))


def geocode_after_commit(registration: Registration) -> None:
    transaction.on_commit(lambda: tasks.geocode_registration_task.enqueue(registration.pk))
