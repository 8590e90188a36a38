"""A small thread-safe LRU map for what one process keeps beside the shared cache (built values, pages)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")


class LocalLRU(Generic[Key, Value]):
    """At most ``size`` entries, and with ``weigh`` at most ``max_weight`` in all (bytes, say); the least
    recently used go first."""

    def __init__(
        self, size: int, *, max_weight: int | None = None, weigh: Callable[[Value], int] | None = None
    ) -> None:
        self.size = size
        self.max_weight = max_weight
        self._weigh = weigh or (lambda value: 0)
        self._weight = 0
        self._entries: OrderedDict[Key, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> Value | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Key, value: Value) -> None:
        with self._lock:
            self._pop(key)
            self._entries[key] = value
            self._weight += self._weigh(value)
            while len(self._entries) > self.size or (
                self.max_weight is not None and self._weight > self.max_weight
            ):
                self._pop(next(iter(self._entries)))

    def discard(self, key: Key) -> None:
        with self._lock:
            self._pop(key)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0

    def _pop(self, key: Key) -> None:
        # The caller holds the lock.
        if key in self._entries:
            self._weight -= self._weigh(self._entries.pop(key))

    def __iter__(self) -> Iterator[Key]:
        with self._lock:
            return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)
