"""Writes to editions that have rules."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from events.models import Edition, FormerDate

# The fields whose change registrants must hear of: they move everyone's tweeting window.
SCHEDULE_FIELDS = ("date", "start_time", "status")
NOTIFIED_STATUSES = (Edition.Status.RESCHEDULED, Edition.Status.DATE_TBD, Edition.Status.CANCELLED)


def schedule_changed(before: dict[str, Any], edition: Edition) -> bool:
    """True when registrants must hear of the change: a new date or start time, or a move to TBD/cancelled."""
    if before["date"] != edition.date or before["start_time"] != edition.start_time:
        return True
    return before["status"] != edition.status and edition.status in NOTIFIED_STATUSES


@transaction.atomic
def edition_update(*, edition: Edition) -> dict[str, Any] | None:
    """Save an edition (new or changed) whose fields are already set and valid.

    A change registrants must hear of also bumps ``schedule_sequence`` (the calendar files' SEQUENCE).
    Returns the schedule as it was before (``SCHEDULE_FIELDS``) when the change is one registrants must
    hear of, else None. Telling them is the caller's decision (registrations owns the mailings).
    When the date moves (to another date or to TBD), the date it was set for is kept as a ``FormerDate``.
    """
    before = (
        Edition.objects.select_for_update().filter(pk=edition.pk).values(*SCHEDULE_FIELDS).first()
        if edition.pk
        else None
    )
    moved = before is not None and schedule_changed(before, edition)
    if moved:
        # Read under the lock and written in the same transaction: two saves at once count twice.
        edition.schedule_sequence = (
            Edition.objects.filter(pk=edition.pk).values_list("schedule_sequence", flat=True).get() + 1
        )
    edition.save()
    if before is not None and before["date"] is not None and before["date"] != edition.date:
        FormerDate.objects.create(edition=edition, date=before["date"])
    return before if moved else None
