"""One bounded, thread-safe in-memory cache for everything the explorer remembers.

The search engine keeps postings and phrase results per index segment, the index keeps
stored fields, the web app keeps rendered pages and derived charts. Each used to carry
its own ``OrderedDict`` plus lock plus eviction loop, with small differences (one cleared
everything when full, one forgot its lock). They all want the same thing: a size bound,
oldest out first, safe under many reader threads, and a read path that takes no lock
(a page or a query makes hundreds of lookups). ``functools.lru_cache`` does not fit:
these caches are keyed by data (segment ids, corpus versions) rather than by a pure
function's arguments, and some are per object.

A value of ``None`` cannot be cached (``get`` returns ``None`` for a miss).
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most ``size`` entries; the oldest goes first (``size`` 0 keeps nothing).

    With ``lru=True`` a hit makes an entry young again (least recently *used* goes
    first); with ``lru=False`` entries leave in insertion order, which spares the hot
    read path even the short reordering step, for caches whose entries are all alike
    in worth (postings of immutable segments).
    """

    def __init__(self, size: int, *, lru: bool = True) -> None:
        if size < 0:
            raise ValueError(f"a cache size cannot be negative ({size})")
        self.size = size
        self.lru = lru
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The cached value, or None. Takes no lock: a dict read is atomic."""
        value = self._items.get(key)
        if value is not None and self.lru:
            with self._lock, contextlib.suppress(KeyError):  # evicted meanwhile
                self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Remember ``value`` (None is refused: it would read as a miss)."""
        if value is None:
            raise ValueError("BoundedCache cannot hold None")
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The cached value, else ``make()`` remembered (unless it is None). ``make`` runs
        outside the lock, so two threads may both make a missing value; the later one is
        kept."""
        value = self.get(key)
        if value is None:
            value = make()
            if value is not None:
                self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items
