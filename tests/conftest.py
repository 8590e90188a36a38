"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache (rate limits and cached pages must not leak between tests)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
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
