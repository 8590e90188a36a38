"""The embedded default cache: Django's file-based cache, shared by every process on one machine.

Without CACHE_URL, poltwt keeps its cache in files (CACHE_DIR), so that the gunicorn workers of one
machine share cached pages and, above all, rate-limit counts: with a cache per process (locmem) each
worker would allow the full rate. Nothing needs creating beforehand (the directory is made on first use).

Django's FileBasedCache writes each entry atomically (a temporary file renamed into place), but its add()
and incr() are a read then a write, so two workers counting the same client at once could both read 4 and
both write 5; and incr() rewrites the entry with the default timeout, which would cut a rate-limit window
of an hour to five minutes. Here add() and incr() hold an exclusive lock on one file in the cache
directory (django.core.files.locks: fcntl on POSIX, LockFileEx on Windows), which makes them atomic across
processes as django-ratelimit needs, and incr() keeps the entry's expiry. Reads and plain writes take no
lock: they see either the old file or the new one.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks
from django.core.files.move import file_move_safe

LOCK_FILE = "counters.lock"  # not a cache entry: entries end in .djcache


class FileCache(FileBasedCache):
    def add(self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version=None) -> bool:
        with self._counters_locked():
            return super().add(key, value, timeout, version)

    def incr(self, key: str, delta: int = 1, version=None) -> int:
        fname = self._key_to_file(key, version)
        with self._counters_locked():
            try:
                with open(fname, "rb") as entry:
                    # Our own directory (mode 0700), read the way Django's file cache reads it.
                    expiry = pickle.load(entry)  # noqa: S301
                    value = pickle.loads(zlib.decompress(entry.read()))  # noqa: S301
            except FileNotFoundError:
                raise ValueError(f"Key '{key}' not found") from None
            if expiry is not None and expiry < time.time():
                raise ValueError(f"Key '{key}' not found")
            value += delta
            fd, tmp_path = tempfile.mkstemp(dir=self._dir)
            with open(fd, "wb") as new:
                new.write(pickle.dumps(expiry, self.pickle_protocol))
                new.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
            file_move_safe(tmp_path, fname, allow_overwrite=True)
            return value

    @contextmanager
    def _counters_locked(self) -> Iterator[None]:
        self._createdir()
        with open(os.path.join(self._dir, LOCK_FILE), "ab") as lock_file:
            locks.lock(lock_file, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock_file)
