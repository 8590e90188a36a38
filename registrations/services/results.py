"""Participants' results (tweets, retweets, mentions, followers per handle) imported from an analytics export.

Called by services/imports.py, which keeps the file and applies it once; this module reads the rows and
writes them. A handle already holding results for the edition gets the new figures (a corrected export
replaces the old one), and every result is linked to the edition's registration with the same handle.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from events.models import Edition
from registrations import csvtable
from registrations.models import RESULT_MEASURES, CsvImport, ParticipantResult, Registration
from registrations.signals import public_data_changed

SAMPLE_ROWS = 10


@dataclass(frozen=True)
class ResultRow:
    line: int
    handle: str
    figures: dict[str, int | None]


def _handles_of(edition: Edition) -> dict[str, int]:
    """The edition's registrations by lower-cased handle (one each: the latest still in play)."""
    rows = (
        Registration.objects.for_edition(edition)
        .active()
        .exclude(handle="")
        .order_by("created_at")
        .values_list("handle", "pk")
    )
    return {handle.lower(): pk for handle, pk in rows}


def preview(*, draft: CsvImport, table: csvtable.Table, preview: csvtable.Preview) -> None:
    """Fill the preview: every row with a valid handle and whole numbers, the handles no participant of
    the edition holds, the rows skipped; non-numbers and handles given twice are errors."""
    mapping = draft.mapping
    seen: dict[str, int] = {}
    for line, row, handle in csvtable.handle_rows(table, mapping["handle"], preview):
        figures: dict[str, int | None] = {}
        for measure in RESULT_MEASURES:
            value = table.cell(row, mapping.get(measure))
            try:
                figures[measure] = csvtable.parse_count(value)
            except ValueError:
                figures[measure] = None
                preview.errors.append(
                    _("Line %(line)d: %(measure)s “%(value)s” is not a whole number.")
                    % {
                        "line": line,
                        "measure": capfirst(ParticipantResult._meta.get_field(measure).verbose_name),
                        "value": value[:40],
                    }
                )
        if handle.lower() in seen:
            preview.errors.append(
                _("@%(handle)s is on lines %(first)d and %(line)d: keep one line per handle.")
                % {"handle": handle, "first": seen[handle.lower()], "line": line}
            )
            continue
        seen[handle.lower()] = line
        preview.rows.append(ResultRow(line=line, handle=handle, figures=figures))
    if not any(mapping.get(measure) is not None for measure in RESULT_MEASURES):
        preview.errors.append(
            _("Choose at least one column of figures (tweets, retweets, mentions, followers).")
        )
    known = _handles_of(draft.edition)
    preview.unmatched = [row.handle for row in preview.rows if row.handle.lower() not in known]
    preview.sample = [
        [f"@{row.handle}", *(row.figures[measure] for measure in RESULT_MEASURES)]
        for row in preview.rows[:SAMPLE_ROWS]
    ]


def apply(*, draft: CsvImport, rows: list[ResultRow], actor: AbstractBaseUser | None) -> int:
    """Write the rows (inside the caller's transaction): new handles are added, known ones updated."""
    edition = draft.edition
    known = _handles_of(edition)
    existing = {
        result.handle.lower(): result
        for result in ParticipantResult.objects.filter(edition=edition).annotate(lowered=Lower("handle"))
    }
    new, changed = [], []
    now = timezone.now()
    for row in rows:
        result = existing.get(row.handle.lower()) or ParticipantResult(edition=edition)
        result.handle = row.handle
        result.registration_id = known.get(row.handle.lower())
        for measure, value in row.figures.items():
            # A column the export does not have leaves the figure as it was.
            if draft.mapping.get(measure) is not None:
                setattr(result, measure, value)
        result.source_name, result.source_url = draft.source_name, draft.source_url
        result.updated_at = now  # bulk_update does not apply auto_now
        (changed if result.pk else new).append(result)
    ParticipantResult.objects.bulk_create(new, batch_size=1000)
    ParticipantResult.objects.bulk_update(
        changed,
        ["handle", "registration", *RESULT_MEASURES, "source_name", "source_url", "updated_at"],
        batch_size=1000,
    )
    public_data_changed.send(sender=ParticipantResult, edition_ids={edition.pk}, fields=None)
    return len(rows)


def results_link(*, edition: Edition) -> int:
    """Link the edition's unlinked results to the registrations holding their handles (after an import
    of participants); returns how many were linked."""
    known = _handles_of(edition)
    linked = []
    for result in ParticipantResult.objects.filter(edition=edition, registration__isnull=True):
        if (pk := known.get(result.handle.lower())) is not None:
            result.registration_id = pk
            linked.append(result)
    ParticipantResult.objects.bulk_update(linked, ["registration"])
    return len(linked)
