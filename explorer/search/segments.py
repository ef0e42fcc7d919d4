"""Reading one Whoosh segment into NumPy arrays: a term's postings, a field's lengths.

Walking Whoosh matchers in Python costs microseconds per posting, and a search page needs
*every* matching document (total, facets), so a term's postings are read once (from the
build's per-segment arrays, `explorer.search.postings`, or block by block from Whoosh)
and kept: segments are immutable, so the cache is shared by every generation and thread
for the segment's life.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import formats
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from explorer.cache import BoundedCache
from explorer.search import postings

_LENGTH_TABLE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)

# Raw postings per (index folder, segment id, field, term): immutable for a segment's
# life, so shared across generations and threads (a segment id is unique only within its
# folder: see `hits._STORED_CACHE`). Bounded, oldest out first.
_POSTINGS: BoundedCache[tuple[str, str, str, str], tuple[np.ndarray, np.ndarray]] = (
    BoundedCache(20_000, lru=False))


def leaf_postings(leaf: Any, segid: str, field: str, term: str,
                   folder: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(local doc ids, weights) of a term in one segment (id ``segid``: asking Whoosh
    for it builds a string each time), deletions included."""
    arrays = postings.for_segment(folder, segid)
    if arrays is not None:
        found = arrays.get(field, term)
        if found is not None:
            return found
    key = (str(folder), segid, field, term)
    hit = _POSTINGS.get(key)
    if hit is not None:
        return hit
    ids: list[int] = []
    weights: list[float] = []
    try:
        m = leaf.postings(field, term)
    except Exception:  # noqa: BLE001 - TermNotFound and friends: no postings
        m = None
    if isinstance(m, FilterMatcher):
        m = m.child  # deletions are applied by the snapshot's live mask
    if m is not None and hasattr(m, "_read_ids") and hasattr(m, "_next_block"):
        # Whoosh 3 codec: read whole blocks instead of one posting at a time.
        while m.is_active():
            m._read_ids()
            m._read_weights()
            ids.extend(m._ids)
            weights.extend(m._weights)
            m._next_block()
    elif m is not None:
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
    result = (np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32))
    _POSTINGS.put(key, result)
    return result


def leaf_lengths(leaf: Any, field: str) -> np.ndarray:
    """Each document's length in ``field`` (Whoosh's one-byte encoding, decoded)."""
    n = leaf.doc_count_all()
    try:  # bulk read of the lengths column (private API; falls back below)
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        col = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if col is not None:
            raw = np.fromiter((int(b) for b in col), dtype=np.uint8, count=n)
            return _LENGTH_TABLE[raw]
    except Exception:  # noqa: BLE001
        pass
    return np.fromiter((leaf.doc_field_length(d, field) or 0 for d in range(n)),
                       dtype=np.float32, count=n)


Positions = frozenset[int]


def leaf_positions(leaf, field: str, term: str,  # type: ignore[no-untyped-def]
                   docs: Sequence[int], segid: str | None = None,
                   folder: Path | None = None) -> list[Callable[[], Positions] | None]:
    """For each of ``docs`` (ascending local doc numbers), a function giving the positions
    of ``term`` in ``field`` there, or None where the document lacks the term.

    A built segment (``segid`` in ``folder``) keeps them in its postings arrays; any
    other segment in Whoosh's postings. Stepping a matcher to each document
    (``skip_to``) costs several Python calls per posting passed; here each block that
    holds a wanted document is read once (ids and values in one unpickling) and the
    documents are found in it by bisection; blocks holding none are skipped unread.
    Positions are decoded only when asked for: a phrase test stops at its first term
    that fails.
    """
    arrays = postings.for_segment(folder, segid) if segid is not None else None
    if arrays is not None:
        found = arrays.positions(field, term, docs)
        if found is not None:
            return found
    out: list[Callable[[], Positions] | None] = [None] * len(docs)
    try:
        m = leaf.postings(field, term)
    except Exception:  # noqa: BLE001 - TermNotFound and friends: no postings
        return out
    if isinstance(m, FilterMatcher):
        m = m.child  # only live documents are asked for
    decode = _decoder(leaf.schema[field].format)
    if not all(hasattr(m, a) for a in ("_read_ids", "_read_values", "_next_block")):
        for j, doc in enumerate(docs):  # another codec: step the matcher
            if not m.is_active():
                break
            m.skip_to(doc)
            if not m.is_active():
                break
            if m.id() == doc:
                out[j] = _later(decode, m.value())
        return out
    k = 0
    while k < len(docs) and m.is_active():
        last = m.block_max_id()
        if docs[k] <= last:
            m._read_ids()
            m._read_values()
            ids, values = m._ids, m._values
            stop = bisect_right(docs, last, k)
            for j in range(k, stop):
                i = bisect_left(ids, docs[j])
                if i < len(ids) and ids[i] == docs[j]:
                    out[j] = _later(decode, values[i])
            k = stop
        m._next_block()
    return out


def _later(decode: Callable[[bytes], Positions], value: bytes) -> Callable[[], Positions]:
    return lambda: decode(value)


def _decoder(fmt) -> Callable[[bytes], Positions]:  # type: ignore[no-untyped-def]
    if type(fmt).decode_positions is formats.Positions.decode_positions:
        return _positions  # Whoosh's own encoding: decoded once per distinct value
    return lambda value: frozenset(fmt.decode_positions(value))


@lru_cache(maxsize=50_000)
def _positions(value: bytes) -> Positions:
    """A `formats.Positions` value decoded (the same values recur: most terms stand
    once in a document, at one of a few thousand positions)."""
    return frozenset(formats.Positions().decode_positions(value))
