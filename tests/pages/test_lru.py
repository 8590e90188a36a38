"""pages/lru.py: the per-process LRU map behind the page cache and the built-data cache."""

from __future__ import annotations

from pages.lru import LocalLRU


def test_the_least_recently_used_goes_first():
    lru: LocalLRU[str, int] = LocalLRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "b" is now the oldest
    lru.put("c", 3)
    assert list(lru) == ["a", "c"]


def test_a_weight_bound_evicts_until_it_holds_and_counts_replacements_once():
    lru: LocalLRU[str, bytes] = LocalLRU(10, max_weight=10, weigh=len)
    lru.put("a", b"12345")
    lru.put("a", b"1234")  # replaced: weighs 4, not 9
    lru.put("b", b"123456")
    assert list(lru) == ["a", "b"]  # 4 + 6 = 10 fits
    lru.put("c", b"12")
    assert list(lru) == ["b", "c"]
    lru.discard("b")
    lru.put("d", b"12345678")
    assert list(lru) == ["c", "d"]
    lru.clear()
    assert len(lru) == 0
