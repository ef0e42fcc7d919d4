"""explorer.cache.BoundedCache: the one bounded cache behind postings, pages and charts."""

from __future__ import annotations

import threading

import pytest

from explorer.cache import BoundedCache


def test_keeps_at_most_size_entries_and_drops_the_oldest():
    cache: BoundedCache[str, int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)
    assert len(cache) == 2
    assert cache.get("a") is None
    assert (cache.get("b"), cache.get("c")) == (2, 3)


def test_lru_hit_makes_an_entry_young_again():
    cache: BoundedCache[str, int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert "a" in cache and "b" not in cache


def test_fifo_cache_ignores_hits_when_evicting():
    cache: BoundedCache[str, int] = BoundedCache(2, lru=False)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert "a" not in cache and "b" in cache and "c" in cache


def test_putting_a_key_again_replaces_and_renews_it():
    cache: BoundedCache[str, int] = BoundedCache(2, lru=False)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    cache.put("c", 3)
    assert cache.get("a") == 10 and "b" not in cache


def test_get_or_make_calls_make_once_per_key():
    cache: BoundedCache[str, list[int]] = BoundedCache(4)
    calls = []

    def make() -> list[int]:
        calls.append(1)
        return [len(calls)]

    first = cache.get_or_make("k", make)
    assert cache.get_or_make("k", make) is first
    assert len(calls) == 1


def test_get_or_make_does_not_remember_none():
    cache: BoundedCache[str, object] = BoundedCache(4)
    assert cache.get_or_make("k", lambda: None) is None
    assert "k" not in cache
    with pytest.raises(ValueError):
        cache.put("k", None)


def test_size_zero_keeps_nothing_and_negative_is_refused():
    cache: BoundedCache[str, int] = BoundedCache(0)
    cache.put("a", 1)
    assert len(cache) == 0 and cache.get("a") is None
    with pytest.raises(ValueError, match="negative"):
        BoundedCache(-1)


def test_clear_empties_it():
    cache: BoundedCache[int, int] = BoundedCache(3)
    for i in range(3):
        cache.put(i, i)
    cache.clear()
    assert len(cache) == 0


def test_many_threads_never_push_it_past_its_bound():
    cache: BoundedCache[int, int] = BoundedCache(50)
    errors: list[BaseException] = []

    def work(start: int) -> None:
        try:
            for i in range(start, start + 2000):
                cache.put(i % 300, i)
                cache.get((i * 7) % 300)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n * 1000,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(cache) <= 50
