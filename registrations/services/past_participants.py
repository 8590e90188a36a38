"""Past participants imported from the record of an edition (handle, name, city, country per line).

Called by services/imports.py, which keeps the file and applies it once. Each line becomes an approved,
public registration of that edition, flagged as imported: no email, so nothing is ever sent to it, no
review and no log of a sign-up. All lines are written in one bulk insert; the points are found afterwards
in the background, one geocoding task per entry as for sign-ups, queued by one task enqueued once the
import commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations import csvtable, search, tasks
from registrations.countries import country_code
from registrations.models import CsvImport, Registration, RegistrationLogEntry
from registrations.services.results import results_link
from registrations.signals import public_data_changed

SAMPLE_ROWS = 10
BATCH = 1000
# Names in common use that are not CLDR's English names of the countries.


@dataclass(frozen=True)
class PastRow:
    line: int
    handle: str
    name: str
    city: str
    region: str
    country: str  # ISO code, "" when not given or not known


def _field(name: str) -> int:
    return Registration._meta.get_field(name).max_length


def preview(*, draft: CsvImport, table: csvtable.Table, preview: csvtable.Preview) -> None:
    """Fill the preview: each line with a valid handle not yet in the edition; lines skipped and why."""
    mapping = draft.mapping
    held = {
        handle.lower()
        for handle in Registration.objects.for_edition(draft.edition)
        .holding_handle()
        .values_list("handle", flat=True)
    }
    seen: set[str] = set()
    for line, row, handle in csvtable.handle_rows(table, mapping["handle"], preview):
        if handle.lower() in held:
            preview.skipped.append(
                _("Line %(line)d: @%(handle)s is registered for this edition already; skipped.")
                % {"line": line, "handle": handle}
            )
            continue
        if handle.lower() in seen:
            preview.skipped.append(
                _("Line %(line)d: @%(handle)s is on an earlier line; skipped.")
                % {"line": line, "handle": handle}
            )
            continue
        seen.add(handle.lower())
        given_country = table.cell(row, mapping.get("country"))
        code = country_code(given_country)
        if code is None:
            preview.skipped.append(
                _("Line %(line)d: country “%(value)s” is not known; @%(handle)s is imported without one.")
                % {"line": line, "value": given_country[:40], "handle": handle}
            )
        preview.rows.append(
            PastRow(
                line=line,
                handle=handle,
                name=table.cell(row, mapping.get("name"))[: _field("agency_name")],
                city=table.cell(row, mapping.get("city"))[: _field("city")],
                region=table.cell(row, mapping.get("region"))[: _field("region")],
                country=code or "",
            )
        )
    preview.sample = [
        [f"@{row.handle}", row.name, row.city, row.region, row.country] for row in preview.rows[:SAMPLE_ROWS]
    ]


def apply(*, draft: CsvImport, rows: list[PastRow], actor: AbstractBaseUser | None) -> int:
    """Write the rows as approved, public, imported registrations (inside the caller's transaction) and
    geocode them in the background once it commits."""
    edition, now = draft.edition, timezone.now()
    registrations = []
    for row in rows:
        registration = Registration(
            edition=edition,
            kind=draft.account_kind,
            handle=row.handle,
            # The record gives a name; the handle stands in where it does not.
            agency_name=row.name or row.handle,
            city=row.city,
            region=row.region,
            country=row.country,
            consent_public=True,  # they were public in the record this comes from
            status=Registration.Status.APPROVED,
            reviewed_by=actor,
            reviewed_at=now,
            handle_held_at=now,
            imported_at=now,
            language=settings.LANGUAGE_CODE,
        )
        registration.search_text = search.search_text(registration)  # save() keeps it; bulk_create does not
        registrations.append(registration)
    Registration.objects.bulk_create(registrations, batch_size=BATCH)
    RegistrationLogEntry.objects.bulk_create(
        [
            RegistrationLogEntry(
                registration=registration,
                action=RegistrationLogEntry.Action.IMPORTED,
                actor=actor,
                detail=draft.filename,
            )
            for registration in registrations
        ],
        batch_size=BATCH,
    )
    results_link(edition=edition)
    # The public pages of this edition, and of every edition these accounts took part in (their count of
    # editions moved), show something new.
    handles = {row.handle.lower() for row in rows}
    sharing = Registration.objects.listing_handles(handles).values_list("edition_id", flat=True).distinct()
    public_data_changed.send(sender=Registration, edition_ids={edition.pk, *sharing}, fields=None)
    ids = [registration.pk for registration in registrations]
    transaction.on_commit(lambda: tasks.geocode_registrations_task.enqueue(ids))
    return len(registrations)
