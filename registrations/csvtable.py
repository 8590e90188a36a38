"""Reading the CSV files organizers upload (analytics exports, lists of past participants): pure functions.

Exports come from many tools: UTF-8 with or without a byte-order mark, commas, semicolons or tabs, numbers
with thousands separators ("1,234", "1 234", "1.234"). Anything else is refused with a message saying
what is wrong, never guessed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from registrations.validators import normalise_handle

DELIMITERS = ",;\t"
# A whole number, possibly grouped by thousands: 918, 11,203,796, 1 234, 1.234 (European grouping).
_COUNT = re.compile(r"\d+|\d{1,3}(?:([,.\u00a0\u202f '’])\d{3})(?:\1\d{3})*")


class CsvFileError(Exception):
    """The file cannot be read as a table (not UTF-8, empty, no header)."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]  # each as long as the headers (short rows padded with "")

    def cell(self, row: list[str], column: int | None) -> str:
        return row[column].strip() if column is not None and column < len(row) else ""


def decode(data: bytes) -> str:
    """The file's text: UTF-8, with or without a byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            _(
                "The file is not UTF-8 text (byte %(position)d). Save it as “CSV UTF-8” in your "
                "spreadsheet and upload it again."
            )
            % {"position": exc.start + 1}
        ) from exc


def read_table(text: str) -> Table:
    """The header and the rows of a CSV text; blank lines are skipped."""
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    try:
        lines = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise CsvFileError(_("The file is not a readable CSV table: %(error)s") % {"error": exc}) from exc
    if not lines:
        raise CsvFileError(_("The file is empty."))
    headers = [cell.strip() for cell in lines[0]]
    width = len(headers)
    rows = [row + [""] * (width - len(row)) for row in lines[1:]]
    if not rows:
        raise CsvFileError(_("The file has a header line but no rows."))
    return Table(headers=headers, rows=rows)


def _folded(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", ascii_text).strip()


def guess_mapping(headers: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int | None]:
    """For each field, the first column whose header names it ("Screen name" -> handle), else None.

    A header equal to an alias wins over one that merely contains it; no column serves two fields.
    """
    folded = [_folded(header) for header in headers]
    mapping: dict[str, int | None] = {}
    used: set[int] = set()
    for exact in (True, False):
        for name, names in aliases.items():
            if mapping.get(name) is not None:
                continue
            for column, header in enumerate(folded):
                if column in used:
                    continue
                words = f" {header} "
                if any(header == alias if exact else f" {alias} " in words for alias in names):
                    mapping[name] = column
                    used.add(column)
                    break
            else:
                mapping.setdefault(name, None)
    return mapping


def parse_count(value: str) -> int | None:
    """A whole number as exports write it ("1,234", "1 234"), None for an empty cell; ValueError otherwise."""
    value = value.strip()
    if not value:
        return None
    if not _COUNT.fullmatch(value):
        raise ValueError(value)
    return int(re.sub(r"\D", "", value))


@dataclass
class Preview:
    """What confirming would do: how many rows go in, what is skipped and why, and what stops it."""

    total: int = 0
    ready: int = 0
    errors: list[str] = field(default_factory=list)  # any error blocks the import
    skipped: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # handles of no registration of the edition
    sample: list[list[Any]] = field(default_factory=list)  # the first rows as they will be imported
    rows: list[Any] = field(default_factory=list)  # every parsed row (for the apply step)

    @property
    def can_import(self) -> bool:
        return not self.errors and self.ready > 0


def handle_rows(table: Table, column: int | None, preview: Preview) -> Iterator[tuple[int, list[str], str]]:
    """Each row with a valid X handle in ``column``, as (line, row, handle); a row without one is skipped and
    the preview says why. Lines count as a spreadsheet shows them: the header is line 1."""
    for index, row in enumerate(table.rows):
        line = index + 2
        raw = table.cell(row, column)
        try:
            handle = normalise_handle(raw)
        except ValidationError:
            preview.skipped.append(
                _("Line %(line)d: “%(value)s” is not an X handle; the line is skipped.")
                % {"line": line, "value": raw[:40]}
            )
            continue
        yield line, row, handle
