"""Reads for the public pages: approved, consenting participants, in a fixed number of queries.

Public output carries public fields only: never an email, never a street address, never an officer's name,
and an officer's point no finer than city level.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.db.models.functions import Lower, TruncDate
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from events import schedule
from events.models import Edition
from pages import precompressed, versioning
from pages.localization import zone_place
from pages.lru import LocalLRU
from pages.models import PublicDataVersion
from poltwt import querynumbers
from registrations import search
from registrations.models import RESULT_MEASURES, ParticipantResult, Registration

PUBLIC_FIELDS = (
    "pk",
    "kind",
    "handle",
    "agency_name",
    "agency_level",
    "city",
    "region",
    "country",
    "participation_model",
    "latitude",
    "longitude",
    "geo_precision",
    "time_zone",
    "hours_from",
    "hours_to",
    "local_goal",
    "local_hashtag",
    # Whether an organizer has put the handle on the official X list (itself public on X).
    "added_to_x_list_at",
    "search_text",
)
# An officer's point is shown at city level: ~0.1 degree is about 11 km, the size of a city.
OFFICER_POINT_DECIMALS = 1


def edition_from_request(ordinal: str | None) -> Edition:
    """The edition named by ?edition=N, else the current one (or the latest). Unknown or garbage: 404."""
    if ordinal in (None, ""):
        edition = Edition.objects.current() or Edition.objects.upcoming().first() or Edition.objects.first()
        if edition is None:
            raise Http404(_("No edition yet."))
        return edition
    number = querynumbers.parse(ordinal, maximum=99_999)
    if number is None:
        raise Http404(_("Unknown edition."))
    edition = Edition.objects.filter(ordinal=number).first()
    if edition is None:
        raise Http404(_("Unknown edition."))
    return edition


# --- Cache of built values, per edition and public data version (pages/versioning.py) ------------------
# Built values also stay in this process, so a warm request neither fetches nor unpickles megabytes from
# the shared cache: one value per (edition, name, language), replaced when the edition's version moves,
# so it is never staler than the version and never holds superseded versions.
# About eight editions' worth of pages in use at once, in a few languages.
_LOCAL: LocalLRU[tuple[int, str, str], tuple[str, Any]] = LocalLRU(64 * 4)


def cached(edition: Edition, name: str, build: Callable[[], Any]) -> Any:
    """The value `build()` returns for this edition, built once per version of its public data.

    Keyed by the active language too: values hold translated text (country names, category labels), and
    one language's must never be served to another.
    """
    return _cached(edition.pk, versioning.edition(edition.pk).token, name, build)


def cached_for_site(name: str, build: Callable[[], Any]) -> Any:
    """The same for a value drawn from every edition (the all-editions map): once per site data version."""
    return _cached(PublicDataVersion.SITE, versioning.site().token, name, build)


def _cached(scope: int, token: str, name: str, build: Callable[[], Any]) -> Any:
    language = get_language() or settings.LANGUAGE_CODE
    local_key = (scope, name, language)
    held = _LOCAL.get(local_key)
    if held is not None and held[0] == token:
        return held[1]
    key = f"poltwt:public:{scope}:{token}:{language}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, settings.PUBLIC_DATA_CACHE_SECONDS)
    _LOCAL.put(local_key, (token, value))
    return value


# --- Participants ---------------------------------------------------------------------------------------


def public_queryset(edition: Edition) -> QuerySet[Registration]:
    return Registration.objects.for_edition(edition).public().only(*PUBLIC_FIELDS[1:])


def participants(edition: Edition) -> list[dict[str, Any]]:
    """Every public participant of the edition as plain dicts, by country, kind and handle (cached)."""

    def build() -> list[dict[str, Any]]:
        rows = list(public_queryset(edition).order_by("country", "kind", "handle").values(*PUBLIC_FIELDS))
        names: dict[str, str] = {}  # countries.name() translates on every call: once per code is enough
        editions = editions_by_handle(edition)
        results = results_by_handle(edition)
        for row in rows:
            code = row["country_code"] = str(row.pop("country") or "")
            row["country_name"] = names.setdefault(code, str(countries.name(code)) if code else "")
            row["x_url"] = f"https://x.com/{row['handle']}"
            row["editions"] = editions.get(row["handle"].lower(), 1)
            row["results"] = results.get(row["handle"].lower())
            _make_point_public(row)
        rows.sort(key=lambda row: (row["country_name"], row["kind"], row["handle"].lower()))
        return rows

    return cached(edition, "participants", build)


# What the all-editions map shows of an account: its latest place and public identity, nothing that
# belongs to one edition (hours, goal, hashtag, results).
ACCOUNT_FIELDS = (
    "kind",
    "handle",
    "agency_name",
    "city",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
)
_HANDLE, _LATITUDE = ACCOUNT_FIELDS.index("handle"), ACCOUNT_FIELDS.index("latitude")


def every_account() -> list[dict[str, Any]]:
    """Every account public in any edition, once per handle (any letter case), as participants() shapes
    rows: the entry of its latest edition that has a point ("latest location wins"), with ``editions``,
    how many editions it took part in (as the participant list counts them). Accounts never located are
    left out. Cached per site data version: one query, a pass over the rows."""

    def build() -> list[dict[str, Any]]:
        # Unsorted (no join, no sort of every entry in the database): the latest entry of each handle is
        # picked by its edition's ordinal here.
        ordinals = dict(Edition.objects.values_list("pk", "ordinal"))
        entries = (
            Registration.objects.public()
            .exclude(handle="")
            .order_by()
            .values_list("edition_id", "pk", *ACCOUNT_FIELDS)
        )
        editions: dict[str, set[int]] = {}
        latest: dict[str, tuple[tuple[int, int], tuple]] = {}
        for edition_id, pk, *values in entries.iterator(chunk_size=5000):
            handle = values[_HANDLE].lower()
            editions.setdefault(handle, set()).add(edition_id)
            if values[_LATITUDE] is None:  # not on any map
                continue
            rank = (ordinals[edition_id], pk)
            held = latest.get(handle)
            if held is None or held[0] < rank:
                latest[handle] = (rank, values)
        names: dict[str, str] = {}
        rows = []
        for handle, (_rank, values) in latest.items():
            row = dict(zip(ACCOUNT_FIELDS, values, strict=True))
            code = row["country_code"] = str(row.pop("country") or "")
            row["country_name"] = names.setdefault(code, str(countries.name(code)) if code else "")
            row["editions"] = len(editions[handle])
            _make_point_public(row)
            rows.append(row)
        return rows

    return cached_for_site("every_account", build)


def every_account_headline() -> Headline:
    """The all-editions map's headline: the accounts on it by kind, and their countries."""

    def build() -> Headline:
        rows = every_account()
        kinds = Counter(row["kind"] for row in rows)
        return Headline(
            agencies=kinds[Registration.Kind.AGENCY],
            officers=kinds[Registration.Kind.OFFICER],
            countries=len({row["country_code"] for row in rows if row["country_code"]}),
        )

    return cached_for_site("every_account.headline", build)


def every_account_countries() -> list[tuple[str, str]]:
    """The countries of the all-editions map, for its filter: (code, name in the active language)."""
    return cached_for_site("every_account.countries", lambda: _countries_of(every_account()))


def editions_by_handle(edition: Edition) -> dict[str, int]:
    """How many editions each public account of this edition took part in (in public), by lower-cased
    handle: "4th edition with #poltwt". Kept right by pages/signals.py, which moves the version of every
    edition an account is public in when its footprint changes in any of them."""

    def build() -> dict[str, int]:
        handles = public_queryset(edition).annotate(lowered=Lower("handle")).values("lowered")
        return Registration.objects.public().edition_counts(handles)

    return cached(edition, "editions_by_handle", build)


def results_by_handle(edition: Edition) -> dict[str, dict[str, Any]]:
    """The edition's results per lower-cased handle: tweets, retweets, mentions, followers (each None
    when not given) and their source; participants or not (the most mentioned accounts often are not)."""

    def build() -> dict[str, dict[str, Any]]:
        rows = ParticipantResult.objects.filter(edition=edition).values(
            "handle", *RESULT_MEASURES, "source_name", "source_url"
        )
        return {row.pop("handle").lower(): row for row in rows}

    return cached(edition, "results_by_handle", build)


def _make_point_public(row: dict[str, Any]) -> None:
    finer_than_city = row.pop("geo_precision") in (
        Registration.GeoPrecision.ADDRESS,
        Registration.GeoPrecision.MANUAL,
    )
    if row["kind"] == Registration.Kind.OFFICER and finer_than_city and row["latitude"] is not None:
        row["latitude"] = round(row["latitude"], OFFICER_POINT_DECIMALS)
        row["longitude"] = round(row["longitude"], OFFICER_POINT_DECIMALS)


def filter_participants(
    rows: Iterable[dict[str, Any]], *, kind: str = "", country: str = "", query: str = ""
) -> list[dict[str, Any]]:
    """The rows of that kind and country whose handle, agency, city or region contains the query, with
    accents and case ignored ("kandahar" finds "Kandahār")."""
    needle = search.fold(query).strip().lstrip("@")
    result = []
    for row in rows:
        if kind and row["kind"] != kind:
            continue
        if country and row["country_code"] != country:
            continue
        if needle and needle not in row["search_text"]:
            continue
        result.append(row)
    return result


@dataclass(frozen=True)
class Headline:
    agencies: int
    officers: int
    countries: int


def headline(edition: Edition) -> Headline:
    """'N agency accounts and M officer accounts from K countries' for the edition (two small queries)."""

    def build() -> Headline:
        public = public_queryset(edition).order_by()
        kinds = dict(public.values_list("kind").annotate(n=Count("pk")))
        return Headline(
            agencies=kinds.get(Registration.Kind.AGENCY, 0),
            officers=kinds.get(Registration.Kind.OFFICER, 0),
            countries=public.exclude(country="").values("country").distinct().count(),
        )

    return cached(edition, "headline", build)


def country_choices(edition: Edition) -> list[tuple[str, str]]:
    """The countries of the edition's public participants, for the list's filter."""

    return cached(edition, "countries", lambda: _countries_of(participants(edition)))


def _countries_of(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    pairs = {(row["country_code"], row["country_name"]) for row in rows if row["country_code"]}
    return sorted(pairs, key=lambda pair: pair[1])


# --- Map data --------------------------------------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def row_window(edition: Edition, row: dict[str, Any]) -> schedule.Window | None:
    if edition.date is None or not row["time_zone"]:
        return None
    hours = (row["hours_from"], row["hours_to"]) if row["hours_from"] is not None else None
    try:
        return schedule.participant_window(
            date=edition.date,
            start_time=edition.start_time,
            duration_hours=edition.duration_hours,
            tz_name=row["time_zone"],
            hours=hours,
        )
    except (schedule.UnknownTimeZone, schedule.HoursOutsideEdition):
        return None


def map_geojson(edition: Edition) -> bytes:
    """The located public participants as an encoded GeoJSON FeatureCollection (the public export).

    Not cached itself: map_geojson_encoded keeps it, with its compressed copies, as bytes, so that a warm
    request sends them as they are, with no encoding or compressing.
    """

    def build() -> bytes:
        features = []
        windows: dict[tuple, schedule.Window | None] = {}  # a few hundred zones and hours for 10,000 rows
        for row in participants(edition):
            if row["latitude"] is None:
                continue
            when = (row["time_zone"], row["hours_from"], row["hours_to"])
            if when not in windows:
                windows[when] = row_window(edition, row)
            window = windows[when]
            start = row["hours_from"] or edition.start_time
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
                    "properties": {
                        "handle": row["handle"],
                        "kind": row["kind"],
                        "name": row["agency_name"],
                        "city": row["city"],
                        "country": row["country_name"],
                        "country_code": row["country_code"],
                        "local_goal": row["local_goal"],
                        "local_hashtag": row["local_hashtag"],
                        "local_start": f"{start:%H:%M} {zone_place(row['time_zone'])}"
                        if row["time_zone"]
                        else "",
                        "starts_at": _iso(window.starts_at) if window else None,
                        "ends_at": _iso(window.ends_at) if window else None,
                    },
                }
            )
        document = {"type": "FeatureCollection", "features": features}
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    return build()


def map_geojson_encoded(edition: Edition) -> precompressed.Encoded:
    """The same document also compressed once per version, with gzip and brotli (pages/precompressed.py)."""
    return cached(edition, "geojson.encoded", lambda: precompressed.compress(map_geojson(edition)))


# --- Statistics ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def _bars(counter: Counter, labels: dict[str, str] | None = None) -> list[Bar]:
    return [
        Bar(label=str((labels or {}).get(key, key) or "—"), value=value)
        for key, value in counter.most_common()
    ]


def statistics(edition: Edition) -> dict[str, list[Bar]]:
    """Counts of the public participants by country, kind, agency level and model; sign-ups over time."""

    def build() -> dict[str, list[Bar]]:
        rows = participants(edition)
        # The listed participants by the day they signed up: a sign-up counts once it is public, so that
        # the chart (and the public data version) does not move with entries no one may see yet.
        signups = (
            public_queryset(edition)
            .annotate(day=TruncDate("created_at"))
            .values("day")
            .annotate(n=Count("pk"))
            .order_by("day")
        )
        running, over_time = 0, []
        for bucket in signups:
            running += bucket["n"]
            over_time.append(Bar(label=bucket["day"].isoformat(), value=running))
        return {
            "country": _bars(Counter(row["country_name"] for row in rows)),
            "kind": _bars(Counter(row["kind"] for row in rows), dict(Registration.Kind.choices)),
            "agency_level": _bars(
                Counter(row["agency_level"] for row in rows), dict(Registration.AgencyLevel.choices)
            ),
            "participation_model": _bars(
                Counter(row["participation_model"] for row in rows),
                dict(Registration.ParticipationModel.choices),
            ),
            "over_time": over_time,
        }

    return cached(edition, "stats", build)


def zone_counts(edition: Edition) -> Counter:
    """How many public, located participants each IANA time zone has (for the schedule)."""

    def build() -> Counter:
        located = public_queryset(edition).exclude(time_zone="").order_by()
        return Counter(dict(located.values_list("time_zone").annotate(n=Count("pk"))))

    return cached(edition, "zones", build)


def editions_with_participants() -> list[Edition]:
    """Editions a visitor can pick on the public pages (all but cancelled ones), newest first."""
    return list(
        Edition.objects.exclude(status=Edition.Status.CANCELLED)
        .only("ordinal", "title", "translations")
        .order_by("-ordinal")
    )


def located_points(edition: Edition) -> list[tuple[str, float, float]]:
    """(kind, latitude, longitude) of every public, located participant: one light query, not cached
    (the share image that uses it is). Officers' points at city level, as everywhere in public."""
    rows = (
        public_queryset(edition)
        .located()
        .order_by()
        .values_list("kind", "latitude", "longitude", "geo_precision")
    )
    finer_than_city = (Registration.GeoPrecision.ADDRESS, Registration.GeoPrecision.MANUAL)
    points = []
    for kind, latitude, longitude, precision in rows:
        if kind == Registration.Kind.OFFICER and precision in finer_than_city:
            latitude = round(latitude, OFFICER_POINT_DECIMALS)
            longitude = round(longitude, OFFICER_POINT_DECIMALS)
        points.append((kind, latitude, longitude))
    return points
