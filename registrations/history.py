"""A registrant's own history with #poltwt, for their manage page: editions taken part in, results."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models.functions import Lower

from registrations.models import ParticipantResult, Registration


@dataclass(frozen=True)
class History:
    editions: int  # editions in which an entry with this handle was approved (this one included)
    results: list[ParticipantResult]  # published per-handle results, oldest edition first


def participant_history(registration: Registration) -> History:
    """Two small queries. Counts every approved entry of the handle, listed in public or not: the page
    is the registrant's own."""
    if not registration.handle:
        return History(editions=0, results=[])
    handle = registration.handle.lower()
    editions = Registration.objects.approved().edition_counts([handle]).get(handle, 0)
    results = list(
        ParticipantResult.objects.annotate(lowered=Lower("handle"))
        .filter(lowered=handle)
        .select_related("edition")
        .order_by("edition__ordinal")
    )
    return History(editions=editions, results=results)
