"""What a change to an edition means for its registrants: their reminders move, and they may need telling."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from events.models import Edition
from events.services import edition_update
from registrations.models import Mailing
from registrations.services.mailing import schedule_notice_create
from registrations.services.reminders import reminders_plan


@dataclass(frozen=True)
class EditionChange:
    moved: bool  # registrants' windows moved (a new date or start time, TBD, cancelled)
    notice: Mailing | None  # the draft telling them, to review and send; None when nobody is to be told


@transaction.atomic
def edition_change(*, edition: Edition, actor: AbstractBaseUser | None) -> EditionChange:
    """Save an edition whose fields are set and valid, re-plan its reminders, and when the schedule moved
    write the draft notice its registrants must read (nothing is sent here)."""
    before = edition_update(edition=edition)
    # Every save: a moved date, a new start time or reminders switched on or off change the plan.
    reminders_plan(edition=edition)
    if before is None:
        return EditionChange(moved=False, notice=None)
    notice = schedule_notice_create(edition=edition, before=before, actor=actor)
    return EditionChange(moved=True, notice=notice)
