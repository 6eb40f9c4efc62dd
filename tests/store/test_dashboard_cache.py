"""The dashboard's block cache: least recently used out first, within its byte budget."""

from __future__ import annotations

import threading

from confiance.store.dashboard_cache import BlockCache


def _size(value: str) -> int:
    return len(value)


def test_a_hit_does_not_compute_again() -> None:
    cache = BlockCache(100)
    made: list[str] = []

    def make() -> str:
        made.append("x")
        return "block"

    assert cache.get("k", make, _size) == "block"
    assert cache.get("k", make, _size) == "block"
    assert made == ["x"]
    assert cache.stats().as_dict() == {"hits": 1, "misses": 1, "evictions": 0, "entries": 1,
                                       "bytes": 5, "hit_rate": 0.5}


def test_the_least_recently_used_goes_first_when_over_budget() -> None:
    cache = BlockCache(10)
    for key in ("a", "b"):
        cache.get(key, lambda: "12345", _size)
    cache.get("a", lambda: "never", _size)  # a is now the most recently used
    cache.get("c", lambda: "12345", _size)
    assert cache.get("a", lambda: "again", _size) == "12345"
    assert cache.get("b", lambda: "again", _size) == "again"
    stats = cache.stats()
    assert stats.size <= 10 and stats.evictions == 2


def test_a_block_larger_than_the_budget_is_not_kept() -> None:
    cache = BlockCache(4)
    assert cache.get("k", lambda: "12345", _size) == "12345"
    assert cache.stats().entries == 0
    cache.get("small", lambda: "1234", _size)
    cache.clear()
    assert cache.stats().entries == 0 and cache.stats().size == 0


def test_threads_share_it_safely() -> None:
    cache = BlockCache(10_000)

    def work(offset: int) -> None:
        for n in range(500):
            key = (n + offset) % 300
            assert cache.get(key, lambda k=key: str(k), _size) == str(key)  # type: ignore[misc]

    threads = [threading.Thread(target=work, args=(i * 37,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = cache.stats()
    assert stats.hits + stats.misses == 2000
    assert stats.size == sum(len(str(k)) for k in range(300))
