"""The public data version: read by every cache of public data, moved with every change to it.

The versions live in the database (pages.models.PublicDataVersion), so every process sees the same ones
whatever the cache backend: with a cache per process (locmem), a cache per machine (files) or a shared
one (Redis), an entry is only ever found under the version current in the database, and a change made
by any worker reaches every other. They are moved by the transaction that changes the data
(``bump``, called from pages/signals.py), so a reader that sees a new version also sees the new data.

Reading them is one small query, made at most once per PUBLIC_PAGE_CACHE_RECHECK seconds per process
(and at most once per request, so that a request sees one consistent set of versions): that delay is how
stale a worker may be. A process that moves a version reads again at once.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.signals import request_started
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from pages.models import PublicDataVersion


@dataclass(frozen=True)
class Version:
    token: str  # random, new at every change: use it in cache keys and ETags
    changed_at: datetime  # when it last changed: Last-Modified


@dataclass(frozen=True)
class _Snapshot:
    versions: dict[int, Version]
    read_at: float  # time.monotonic()
    request: int  # the request during which it was read
    generation: int  # local moves so far: one made since makes the snapshot stale


_snapshot: _Snapshot | None = None
_request = 0
_generation = 0


def site() -> Version:
    """The version of everything public (pages show several editions: menus, pickers, the home page)."""
    return _current().versions[PublicDataVersion.SITE]


def edition(edition_id: int) -> Version:
    """The version of one edition's public data (its participants, their counts and exports)."""
    versions = _current().versions
    # An edition that has no row has not changed since versions began: the site's version covers it
    # (it moves at least as often), and its first change creates the edition's own row.
    return versions.get(edition_id) or versions[PublicDataVersion.SITE]


def bump(edition_ids: Iterable[int]) -> None:
    """Move the site's version and these editions', in the current transaction.

    Other processes see the new versions when the transaction commits, together with the change; a
    concurrent transaction that moves them too waits for this one's row locks, so the last to commit
    leaves its own token.
    """
    scopes = {PublicDataVersion.SITE, *edition_ids}
    values = {"token": secrets.token_hex(16), "changed_at": timezone.now()}
    rows = PublicDataVersion.objects.filter(scope__in=scopes)
    if rows.update(**values) < len(scopes):
        PublicDataVersion.objects.bulk_create(
            [PublicDataVersion(scope=scope, **values) for scope in scopes], ignore_conflicts=True
        )
        # A row another transaction created meanwhile was kept as it was: give it this change's token.
        rows.update(**values)
    # Read again at once, in this transaction (a rollback leaves this process with a token that never
    # committed until the next read: entries stored under it are never found by anyone else), and again
    # after the commit, when other threads may have read the old one meanwhile.
    forget()
    transaction.on_commit(forget)


def _current() -> _Snapshot:
    snapshot = _snapshot
    if (
        snapshot is None
        or snapshot.generation != _generation
        or (
            snapshot.request != _request
            and time.monotonic() - snapshot.read_at >= settings.PUBLIC_PAGE_CACHE_RECHECK
        )
    ):
        snapshot = _read()
    return snapshot


def _read() -> _Snapshot:
    global _snapshot
    generation, request = _generation, _request
    versions = {
        scope: Version(token, changed_at)
        for scope, token, changed_at in PublicDataVersion.objects.values_list("scope", "token", "changed_at")
    }
    if PublicDataVersion.SITE not in versions:
        # Only after the table was emptied (a test database flushed): start a new version.
        row, _ = PublicDataVersion.objects.get_or_create(
            scope=PublicDataVersion.SITE,
            defaults={"token": secrets.token_hex(16), "changed_at": timezone.now()},
        )
        versions[row.scope] = Version(row.token, row.changed_at)
    _snapshot = _Snapshot(versions, time.monotonic(), request, generation)
    return _snapshot


def forget() -> None:
    """Read the versions again at the next use (after a local change, or a test's rollback)."""
    global _generation
    _generation += 1


@receiver(request_started)
def _new_request(**kwargs) -> None:
    global _request
    _request += 1
