"""CSV output shared by the organizers' export and the public list: spreadsheet-safe cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text (OWASP CSV injection): prefix a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(*, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The rows as CSV lines, a BOM first so that Excel reads non-Latin names correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """Stream rows as UTF-8 CSV (with a BOM so Excel reads non-Latin names correctly)."""
    response = StreamingHttpResponse(
        csv_lines(header=header, rows=rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_document(*, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The whole CSV as UTF-8 bytes, for a document built once and kept (the public export)."""
    buffer = io.StringIO()
    buffer.writelines(csv_lines(header=header, rows=rows))
    return buffer.getvalue().encode()
