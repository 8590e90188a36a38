"""Shared fixtures for the whole suite: an isolated cache, editions, the Nominatim stub."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import timezone, translation

from events.models import Edition
from poltwt import catalogues
from tests.factories import EditionFactory
from tests.geo.nominatim_stub import NominatimStub


def pytest_configure(config: pytest.Config) -> None:
    # `make test` compiles the catalogues; running pytest directly after editing a .po must not test
    # stale translations.
    catalogues.compile_all()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request leaves its language active in the thread; each test starts in the default one, so that
    # reverse() gives /en/... whatever ran before.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache, shared and per-process (rate limits and cached pages must not
    leak between tests), and reads the public data versions afresh (the last test's were rolled back with
    its transaction)."""
    from django.core.cache import caches

    from pages import cache as page_cache
    from pages import versioning

    for cache in caches.all():
        cache.clear()
    page_cache.forget_local()
    versioning.forget()
    yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory) -> None:
    """On SQLite, test in a database file as deployments do, not Django's shared-cache in-memory database.

    In shared-cache memory, a second writer fails at once with "database table is locked" instead of
    waiting for the lock (the busy timeout does not apply there), so concurrency tests would test that
    artefact rather than poltwt (IMMEDIATE transactions that queue; see poltwt/config.py).
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "test.sqlite3")


@pytest.fixture
def edition(db) -> Edition:
    """The edition open for sign-up now."""
    now = timezone.now()
    return EditionFactory(
        ordinal=7,
        title="7th Global Police Tweet-a-thon",
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
    )


@pytest.fixture
def other_edition(db) -> Edition:
    """A later edition, not yet open."""
    return EditionFactory(ordinal=8, title="8th Global Police Tweet-a-thon")


@pytest.fixture
def nominatim_stub() -> Iterator[NominatimStub]:
    """A stub Nominatim server on 127.0.0.1 (answers "no match" until told otherwise)."""
    with NominatimStub() as stub:
        yield stub


@pytest.fixture
def nominatim(settings, nominatim_stub: NominatimStub) -> NominatimStub:
    """GEOCODER=nominatim, talking to the stub through geopy; no spacing between requests.

    The timeout is generous: the stub answers at once, but a busy machine may take seconds to get it there.
    A test of timeouts sets a short one and holds the reply (StubReply.held()).
    """
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_DOMAIN = nominatim_stub.domain
    settings.GEOCODER_SCHEME = "http"
    settings.GEOCODER_USER_AGENT = "poltwt-tests/1.0 (+https://poltwt.example/)"
    settings.GEOCODER_TIMEOUT = 10
    settings.GEOCODER_MIN_INTERVAL = 0
    return nominatim_stub
