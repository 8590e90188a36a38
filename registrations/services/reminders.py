"""Reminders 7 days and 1 day before each approved participant's own start.

Planning writes one Reminder row per participant and kind for the edition's current schedule revision
(``Edition.schedule_sequence``). It is idempotent and cheap, so it runs whenever something may have moved
(approval, an edit of hours or address, the edition moving, every run of ``send_reminders``): unsent rows
are brought up to date, rows of an older revision or of people no longer approved are dropped, and sent
rows stay as the record. Sending goes through the outbox (jobs/outbox.py), like mailings: two jobs running
at the same time never write to the same person twice, and a job killed mid-run loses no reminder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from events.models import Edition
from jobs import outbox
from registrations import emails, kit, tokens
from registrations.models import Registration, Reminder

# How long before the participant's start each reminder is due, latest first.
LEAD_TIMES = {Reminder.Kind.WEEK: dt.timedelta(days=7), Reminder.Kind.DAY: dt.timedelta(days=1)}
LATE_GRACE = dt.timedelta(hours=12)
PLANNED_STATUSES = (Edition.Status.SCHEDULED, Edition.Status.RESCHEDULED)


@dataclass(frozen=True)
class PlanResult:
    created: int
    updated: int
    deleted: int


def _due_plan(
    edition: Edition, tz_name: str, hours: tuple[dt.time, dt.time] | None, now: dt.datetime
) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """kind -> (due_at, starts_at) for the reminders still worth sending to a participant in ``tz_name``
    who chose ``hours``."""
    zone = tz_name or kit.schedule.EARLIEST_ZONE
    window_args = {
        "date": edition.date,
        "start_time": edition.start_time,
        "duration_hours": edition.duration_hours,
    }
    try:
        window = kit.schedule.participant_window(**window_args, tz_name=zone, hours=hours)
    except (kit.schedule.UnknownTimeZone, kit.schedule.HoursOutsideEdition):
        # Not located yet (or odd data): remind by the edition's start at UTC+14, the earliest anywhere,
        # so the reminder is never late.
        zone = kit.schedule.EARLIEST_ZONE
        window = kit.schedule.participant_window(**window_args, tz_name=zone)
    plan = {}
    for kind, lead in LEAD_TIMES.items():
        due = window.starts_at - lead
        # A late job still sends a reminder within LATE_GRACE of its time (and before the start); after
        # that it would say "in one week" days too late: someone approved 3 days before gets the 1-day one.
        if now < min(due + LATE_GRACE, window.starts_at):
            plan[kind] = (due, window.starts_at)
    return plan


def _plannable(edition: Edition) -> bool:
    return edition.reminders_enabled and edition.date is not None and edition.status in PLANNED_STATUSES


def _wanted(
    edition: Edition, people: QuerySet[Registration], now: dt.datetime
) -> dict[tuple[int, str], tuple[dt.datetime, dt.datetime]]:
    wanted = {}
    # Thousands of participants share a few hundred zones and hours: compute each plan once.
    plans: dict[tuple, dict[str, tuple[dt.datetime, dt.datetime]]] = {}
    for pk, tz_name, hours_from, hours_to in people.values_list("pk", "time_zone", "hours_from", "hours_to"):
        when = (tz_name, hours_from, hours_to)
        if when not in plans:
            hours = (hours_from, hours_to) if hours_from is not None and hours_to is not None else None
            plans[when] = _due_plan(edition, tz_name, hours, now)
        for kind, times in plans[when].items():
            wanted[(pk, kind)] = times
    return wanted


def _insert_ignoring_conflicts(rows: list[tuple[int, str, int, dt.datetime, dt.datetime]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING in batches (SQLite and PostgreSQL): bulk_create builds a model
    and prepares every field of every row, seconds for 20,000 rows; this is a single executemany."""
    table = connection.ops.quote_name(Reminder._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(Reminder._meta.get_field(name).column)
        for name in ("registration", "kind", "sequence", "due_at", "starts_at", "error")
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, '') ON CONFLICT DO NOTHING"  # noqa: S608
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(
                sql,
                [
                    (pk, kind, sequence, adapt(due_at), adapt(starts_at))
                    for pk, kind, sequence, due_at, starts_at in rows[start : start + 1000]
                ],
            )


@transaction.atomic
def reminders_plan(*, edition: Edition, registration_ids: list[int] | None = None) -> PlanResult:
    """Bring the edition's unsent reminders in line with its schedule and its approved participants.

    ``registration_ids`` narrows the work to some participants (after one approval or edit).
    """
    now = timezone.now()
    edition = Edition.objects.get(pk=edition.pk)
    unsent = Reminder.objects.filter(registration__edition=edition, claimed_at__isnull=True)
    people = Registration.objects.for_edition(edition).approved().exclude(email="")
    if registration_ids is not None:
        unsent = unsent.filter(registration_id__in=registration_ids)
        people = people.filter(pk__in=registration_ids)
    wanted = _wanted(edition, people, now) if _plannable(edition) else {}
    sequence = edition.schedule_sequence
    # Unsent rows of an older revision go in one statement; then those of people no longer approved or of
    # kinds no longer due.
    deleted = unsent.exclude(sequence=sequence).delete()[0]
    stale, changed = [], []
    kept: set[tuple[int, str]] = set()
    current = unsent.filter(sequence=sequence)
    for pk, registration_id, kind, due_at, starts_at in current.values_list(
        "pk", "registration_id", "kind", "due_at", "starts_at"
    ):
        key = (registration_id, kind)
        if key not in wanted:
            stale.append(pk)
            continue
        kept.add(key)
        if (due_at, starts_at) != wanted[key]:
            changed.append(Reminder(pk=pk, due_at=wanted[key][0], starts_at=wanted[key][1]))
    for start in range(0, len(stale), 1000):  # SQLite allows a limited number of query parameters
        deleted += Reminder.objects.filter(pk__in=stale[start : start + 1000]).delete()[0]
    Reminder.objects.bulk_update(changed, ["due_at", "starts_at"], batch_size=500)
    # Sent (or claimed) rows of this revision stay: that reminder went out and must not go out again, and
    # the unique constraint makes the insert skip them (and rows a job running alongside just planned).
    missing = [
        (pk, kind, sequence, due_at, starts_at)
        for (pk, kind), (due_at, starts_at) in wanted.items()
        if (pk, kind) not in kept
    ]
    before = Reminder.objects.filter(registration__edition=edition, sequence=sequence).count()
    _insert_ignoring_conflicts(missing)
    created = Reminder.objects.filter(registration__edition=edition, sequence=sequence).count() - before
    return PlanResult(created=created, updated=len(changed), deleted=deleted)


def reminders_plan_all() -> PlanResult:
    """Plan every edition that is still to come (and clear the plans of those that cannot have any)."""
    totals = PlanResult(0, 0, 0)
    pending = Reminder.objects.filter(claimed_at__isnull=True)
    editions = Edition.objects.filter(
        Q(status__in=PLANNED_STATUSES) | Q(pk__in=pending.values("registration__edition"))
    ).distinct()
    for edition in editions:
        result = reminders_plan(edition=edition)
        totals = PlanResult(
            totals.created + result.created, totals.updated + result.updated, totals.deleted + result.deleted
        )
    return totals


def reminders_due(*, now: dt.datetime) -> QuerySet[Reminder]:
    """Reminders whose time has come (and is not long past), for people who have not started yet."""
    return Reminder.objects.filter(due_at__lte=now, due_at__gt=now - LATE_GRACE, starts_at__gt=now)


def reminders_send_due(*, now: dt.datetime | None = None) -> outbox.SendResult:
    """Send every reminder that is due and not held by a live run; safe to run again or twice at once."""
    due = reminders_due(now=now or timezone.now()).select_related("registration__edition")
    return outbox.send_all(due, _send_one, order_by=("due_at", "pk"))


def _send_one(reminder: Reminder) -> None:
    registration = reminder.registration
    edition = registration.edition
    if (
        not registration.email
        or registration.status != Registration.Status.APPROVED
        or not _plannable(edition)
        or reminder.sequence != edition.schedule_sequence
    ):
        raise ReminderObsolete("The participant or the edition changed since this reminder was planned.")
    # In the registrant's language: text, dates and the links' language prefix.
    with translation.override(emails.recipient_language(registration)):
        manage_token = tokens.make_token(registration, "manage")
        window = kit.registrant_window(registration)
        context = {
            "registration": registration,
            "edition": edition,
            "reminder": reminder,
            "local_start": window.starts_at if window else None,
            "my_hours": kit.hours_label(registration),
            "manage_url": emails.absolute(reverse("registrations:manage", args=[manage_token])),
            **emails.participant_kit(registration, manage_token),
        }
        message = emails.build_message("reminder", to=registration.email, context=context)
        emails.attach_calendar(message, registration)
    message.send()


class ReminderObsolete(Exception):
    """A claimed reminder that must not go out any more (withdrawn, edition moved or switched off)."""
