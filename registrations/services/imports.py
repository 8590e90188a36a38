"""CSV imports organizers check before they apply: upload, map the columns, preview, confirm once.

The uploaded file is kept in a CsvImport row: the preview, a change of mapping and the confirmation read
the same data. Each kind (participants' results, past participants) parses the rows and applies them in
its own module; this one holds what they share.

Government domains need no preview (one column of names, each checked on its own): the upload queues
their import at once, which services/domains.py runs in the background in batches.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.models import Edition
from registrations import csvtable, tasks
from registrations.models import CsvImport, Registration
from registrations.services import past_participants, results
from registrations.services.domains import domains_read_csv
from registrations.services.errors import ReviewError

# Each kind's fields, in the order the preview shows them, with the header words that name them in
# common exports (folded: lower case, no accents or punctuation).
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    CsvImport.Kind.RESULTS: {
        "handle": (
            "handle",
            "screen name",
            "username",
            "user name",
            "user",
            "account",
            "twitter",
            "x handle",
        ),
        "tweets": ("tweets", "tweet count", "posts", "statuses", "volume", "tweets sent", "original tweets"),
        "retweets": ("retweets", "rts", "reposts", "retweet count"),
        "mentions": ("mentions", "mentioned", "mention count", "times mentioned"),
        "followers": ("followers", "follower count", "followers count", "audience", "reach"),
    },
    CsvImport.Kind.PARTICIPANTS: {
        "handle": ("handle", "screen name", "username", "user name", "account", "twitter", "x handle"),
        "name": ("name", "agency", "agency name", "organisation", "organization", "department"),
        "city": ("city", "town", "locality", "place"),
        "region": ("region", "state", "province", "county"),
        "country": ("country", "country code", "nation"),
    },
}
FIELD_LABELS = {
    "handle": gettext_lazy("X handle"),
    "tweets": gettext_lazy("Tweets"),
    "retweets": gettext_lazy("Retweets"),
    "mentions": gettext_lazy("Mentions"),
    "followers": gettext_lazy("Followers"),
    "name": gettext_lazy("Agency or name"),
    "city": gettext_lazy("City"),
    "region": gettext_lazy("State, province or region"),
    "country": gettext_lazy("Country"),
}


class CsvImportError(Exception):
    """The file or the mapping cannot be imported; the message says why and what to do."""


def csv_import_create(
    *,
    kind: str,
    edition: Edition,
    data: bytes,
    filename: str,
    source_name: str = "",
    source_url: str = "",
    account_kind: str = Registration.Kind.AGENCY,
    actor: AbstractBaseUser | None,
) -> CsvImport:
    """Keep an uploaded file for its preview, with the columns guessed from its header.

    Raises CsvImportError when the file is no readable CSV (not UTF-8, empty) or no column names a handle.
    """
    try:
        text = csvtable.decode(data)
        table = csvtable.read_table(text)
    except csvtable.CsvFileError as error:
        raise CsvImportError(str(error)) from error
    mapping = csvtable.guess_mapping(table.headers, FIELDS[kind])
    if mapping["handle"] is None:
        raise CsvImportError(
            _(
                "No column of this file is headed as X handles (for example “handle”, “screen name” or "
                "“username”). Name that column so in the first line and upload the file again."
            )
        )
    return CsvImport.objects.create(
        kind=kind,
        edition=edition,
        filename=filename[:200],
        content=text,
        mapping=mapping,
        source_name=source_name,
        source_url=source_url,
        account_kind=account_kind,
        created_by=actor,
    )


def csv_import_table(draft: CsvImport) -> csvtable.Table:
    return csvtable.read_table(draft.content)


def csv_import_set_mapping(*, draft: CsvImport, mapping: dict[str, int | None]) -> bool:
    """Read the fields from these columns from now on; returns True when the mapping changed."""
    headers = csv_import_table(draft).headers
    clean = {
        name: column if column is not None and 0 <= column < len(headers) else None
        for name, column in ((name, mapping.get(name)) for name in FIELDS[draft.kind])
    }
    if clean == draft.mapping:
        return False
    draft.mapping = clean
    draft.save(update_fields=["mapping"])
    return True


def csv_import_preview(*, draft: CsvImport) -> csvtable.Preview:
    """Parse the kept file with its mapping: the rows to import, what is skipped, what blocks it."""
    table = csv_import_table(draft)
    preview = csvtable.Preview(total=len(table.rows))
    if draft.mapping.get("handle") is None:
        preview.errors.append(_("Choose the column that holds the X handles."))
        return preview
    module = results if draft.kind == CsvImport.Kind.RESULTS else past_participants
    module.preview(draft=draft, table=table, preview=preview)
    preview.ready = len(preview.rows)
    return preview


@transaction.atomic
def csv_import_apply(*, draft: CsvImport, actor: AbstractBaseUser | None) -> int:
    """Import the rows the preview showed, once: a second confirmation (a double click, another
    organizer) imports nothing and raises CsvImportError. Returns how many rows were imported."""
    claimed = CsvImport.objects.filter(pk=draft.pk, imported_at__isnull=True).update(
        imported_at=timezone.now()
    )
    if not claimed:
        raise CsvImportError(_("This file has been imported already."))
    draft.refresh_from_db()
    preview = csv_import_preview(draft=draft)
    if not preview.can_import:
        # Rolled back with the claim: the organizer fixes the mapping or the file and confirms again.
        raise CsvImportError(" ".join(preview.errors) or _("Nothing to import."))
    module = results if draft.kind == CsvImport.Kind.RESULTS else past_participants
    count = module.apply(draft=draft, rows=preview.rows, actor=actor)
    draft.imported_rows = count
    draft.save(update_fields=["imported_rows"])
    return count


def domains_import_create(
    *, data: bytes, filename: str, note: str = "", actor: AbstractBaseUser | None
) -> CsvImport:
    """Keep an uploaded CSV file of domains and queue its import (domains_import_run).

    Only the file is checked here (UTF-8, readable CSV, some domains; ReviewError otherwise), so that the
    request answers at once; the names are checked and added in the background.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewError(_("The file is not UTF-8 text; save it as CSV (UTF-8).")) from exc
    total = len(domains_read_csv(text))
    with transaction.atomic():
        draft = CsvImport.objects.create(
            kind=CsvImport.Kind.DOMAINS,
            filename=filename[:200],
            content=text,
            source_name=note[:200],
            rows_total=total,
            created_by=actor,
        )
        domains_import_enqueue(draft)
    return draft


def domains_import_enqueue(draft: CsvImport) -> None:
    """Run (or resume) the import in the background once the current transaction commits."""
    transaction.on_commit(lambda: tasks.import_domains_task.enqueue(draft.pk))
