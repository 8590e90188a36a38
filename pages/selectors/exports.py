"""The public exports of an edition's participants (CSV and JSON), built and compressed once per version.

Like the GeoJSON and the map feed, each is kept as bytes in every encoding served
(pages/precompressed.py), under the edition's public data version and the language (country names are
translated): a request only picks one, with no encoding, serialising or compressing of megabytes.
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder

from events.models import Edition
from pages import precompressed
from pages.selectors.participants import cached, participants
from registrations.exports import csv_document

CSV_FIELDS = (
    "handle",
    "kind",
    "agency_name",
    "agency_level",
    "city",
    "region",
    "country_code",
    "country_name",
    "participation_model",
    "local_goal",
    "local_hashtag",
    "x_url",
)
# The JSON export also says how many editions each account took part in and, once published, its
# results in this edition ({"tweets": 568, "retweets": null, ..., "source_name": ..., "source_url": ...}).
JSON_FIELDS = (*CSV_FIELDS, "editions", "results")


def participants_csv(edition: Edition) -> precompressed.Encoded:
    """The public participants as UTF-8 CSV, formulas neutralised (registrations/exports.py)."""

    def build() -> precompressed.Encoded:
        rows = ([row[field] for field in CSV_FIELDS] for row in participants(edition))
        return precompressed.compress(csv_document(header=CSV_FIELDS, rows=rows))

    return cached(edition, "csv.encoded", build)


def participants_json(edition: Edition) -> precompressed.Encoded:
    """The public participants as JSON, with the edition's number and title and their count."""

    def build() -> precompressed.Encoded:
        rows = [{field: row[field] for field in JSON_FIELDS} for row in participants(edition)]
        document = {
            "edition": edition.ordinal,
            "title": edition.display_title,
            "count": len(rows),
            "participants": rows,
        }
        # As Django's JsonResponse writes it (dates and decimals included), with the text as it is.
        content = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        return precompressed.compress(content)

    return cached(edition, "json.encoded", build)
