"""Shared by the in-process benches (a helper, not a benchmark): counting SQL statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def count_queries(connection) -> Iterator[dict[str, int]]:
    """Counts SQL statements without keeping them (CaptureQueriesContext keeps at most 9,000)."""
    counter = {"n": 0}

    def wrapper(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter
