"""Keeping the edition's official X list in step by hand: organizers say which handles they have added.

There is no call to X (its list API is paid and unreachable from here): the organizer pastes
``participants/handles.txt?new=1`` into X, then marks those registrations as added.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from registrations.models import Registration, RegistrationLogEntry
from registrations.services.common import log_action


def _locked(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    # The caller's queryset may join the edition (the admin's list does): lock the registrations alone.
    return Registration.objects.filter(pk__in=registrations.values("pk")).order_by("pk").select_for_update()


@transaction.atomic
def x_list_mark_added(*, registrations: QuerySet[Registration], actor: AbstractBaseUser) -> int:
    """Record now as the time the selected public participants were added to the official X list.

    Only approved registrations whose registrant consented to be listed count (the list is public);
    ones already marked keep their first time. Returns how many were marked.
    """
    chosen = list(
        _locked(registrations).public().filter(added_to_x_list_at__isnull=True).only("pk", "edition_id")
    )
    now = timezone.now()
    # The update moves the public data version too (RegistrationQuerySet.update).
    Registration.objects.filter(pk__in=[row.pk for row in chosen]).update(added_to_x_list_at=now)
    for registration in chosen:
        log_action(registration, RegistrationLogEntry.Action.X_LISTED, actor=actor)
    return len(chosen)


@transaction.atomic
def x_list_mark_removed(*, registrations: QuerySet[Registration], actor: AbstractBaseUser) -> int:
    """Undo the mark (added by mistake, or taken off the X list): the handles count as new again."""
    chosen = list(_locked(registrations).filter(added_to_x_list_at__isnull=False).only("pk", "edition_id"))
    Registration.objects.filter(pk__in=[row.pk for row in chosen]).update(added_to_x_list_at=None)
    for registration in chosen:
        log_action(registration, RegistrationLogEntry.Action.X_UNLISTED, actor=actor)
    return len(chosen)
