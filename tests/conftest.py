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
