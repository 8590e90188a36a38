"""The embedded default cache (poltwt/cache.py): files shared by processes, counts that hold across them."""

from __future__ import annotations

import multiprocessing
import pickle
import time
from pathlib import Path

import pytest

from poltwt.cache import FileCache

PROCESSES = 4
INCREMENTS = 150


def file_cache(location: Path) -> FileCache:
    return FileCache(str(location), {"OPTIONS": {"MAX_ENTRIES": 5000}})


def _count(location: str, start: multiprocessing.synchronize.Event) -> None:
    cache = file_cache(Path(location))
    start.wait(10)
    for _ in range(INCREMENTS):
        if not cache.add("rl:signup:203.0.113.7", 1, 3600):
            cache.incr("rl:signup:203.0.113.7")


def test_processes_counting_at_once_lose_no_count(tmp_path):
    """What django-ratelimit does in each gunicorn worker (add, else incr), in real processes at once."""
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_count, args=(str(tmp_path), start)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert file_cache(tmp_path).get("rl:signup:203.0.113.7") == PROCESSES * INCREMENTS


def test_incr_keeps_the_window_it_was_added_with(tmp_path):
    cache = file_cache(tmp_path)
    assert cache.add("rl:links:198.51.100.1", 1, 3600)
    assert cache.incr("rl:links:198.51.100.1") == 2
    assert cache.incr("rl:links:198.51.100.1", 5) == 7
    with open(cache._key_to_file("rl:links:198.51.100.1"), "rb") as entry:
        expiry = pickle.load(entry)  # noqa: S301 - the test's own file
    # Django's own incr() would have rewritten it with the default timeout (300 s).
    assert time.time() + 3500 < expiry <= time.time() + 3600


def test_a_missing_or_expired_count_cannot_be_incremented(tmp_path):
    cache = file_cache(tmp_path)
    with pytest.raises(ValueError):
        cache.incr("missing")
    cache.set("gone", 3, 0.01)
    time.sleep(0.05)
    with pytest.raises(ValueError):
        cache.incr("gone")
    assert cache.add("gone", 1, 60)  # an expired entry can be added again
