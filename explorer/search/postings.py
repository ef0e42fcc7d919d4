"""Per-segment postings as NumPy arrays, written beside the Whoosh segment at build time.

Reading a common term's postings back out of Whoosh means unpickling and decompressing
every block of it, offsets included: on a 30 000-summary index a first search for
"clients" spent ~30 ms there. The build already has every document's terms (it analyzes
them in worker processes), so it writes them as arrays: per field, the sorted terms,
offsets into one array of document numbers and one of term frequencies, and for the
positional (text) fields each posting's positions, for phrases. These arrays are the only
postings of the analyzed fields in a built segment: Whoosh keeps their stored text and
lengths but no postings (writing them was most of a large build), see
`explorer.search.bulkwrite`. The file is named after its segment
(``<segment id>.postings.npz``), so Whoosh deletes it with the segment; segments written
later by incremental updates have none and are read from Whoosh's own postings, and
`keep_built_segments` stops Whoosh from merging a built segment into one of those.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.writing import MERGE_SMALL

from explorer.search.store import corrupt

SUFFIX = ".postings.npz"
_NO_IDS = np.zeros(0, dtype=np.int32)
_NO_TF = np.zeros(0, dtype=np.float32)
_NO_IDS.flags.writeable = False  # shared by every absent term
_NO_TF.flags.writeable = False
# sorted terms, their index, offsets, ids, tf
_Field = tuple[list[str], dict[str, int], np.ndarray, np.ndarray, np.ndarray]
Positions = frozenset[int]


class PostingsWriter:
    """Collects the tokens of some fields, in document order, and writes them as postings
    (term, document, frequency[, positions]); ``positional`` names the fields whose
    positions are kept.

    Per token it keeps only a term number and a position in flat arrays (grouping per term
    in Python dictionaries was a quarter of a build); `save` groups them with one stable
    sort per field."""

    def __init__(self, fields: list[str], positional: frozenset[str] = frozenset()) -> None:
        self.fields = fields
        self.positional = positional
        self._vocab: dict[str, defaultdict[str, int]] = {}  # term -> number, in order seen
        for f in fields:
            self._vocab[f] = defaultdict()
            self._vocab[f].default_factory = self._vocab[f].__len__
        self._tids = {f: array("i") for f in fields}  # per token: its term's number
        self._pos = {f: array("i") for f in fields}  # per token: its position
        self._docs = {f: array("i") for f in fields}  # per document added: its number
        self._counts = {f: array("i") for f in fields}  # ... and its count of tokens

    def add(self, docnum: int, field: str, tokens: Sequence[tuple[str, int, int, int]]
            ) -> None:
        """One document's (term, position, start, end) tokens of ``field``; documents
        come in ascending order."""
        vocab = self._vocab[field]  # numbers a new term by the count of those before it
        self._tids[field].extend([vocab[t[0]] for t in tokens])
        if field in self.positional:
            self._pos[field].extend([t[1] for t in tokens])
        self._docs[field].append(docnum)
        self._counts[field].append(len(tokens))

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {}
        for field in self.fields:
            arrays.update(self._field_arrays(field))
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, allow_pickle=False, **arrays)
        tmp.replace(path)

    def _field_arrays(self, field: str) -> dict[str, np.ndarray]:
        """The arrays of one field: sorted terms, per-term offsets into the postings'
        document numbers and frequencies, and per-posting offsets into the positions."""
        by_number = list(self._vocab[field])
        terms = sorted(by_number)
        rank = np.empty(len(terms), dtype=np.int64)
        rank[[self._vocab[field][t] for t in terms]] = np.arange(len(terms))
        tids = np.frombuffer(self._tids[field], dtype=np.int32)
        term_of = rank[tids] if len(tids) else np.zeros(0, dtype=np.int64)
        docs = np.repeat(np.frombuffer(self._docs[field], dtype=np.int32),
                         np.frombuffer(self._counts[field], dtype=np.int32))
        # documents are already ascending along the tokens, so a stable sort by term
        # gives every term's postings in document order, positions in token order
        order = np.argsort(term_of, kind="stable")
        term_of, docs = term_of[order], docs[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = (term_of[1:] != term_of[:-1]) | (docs[1:] != docs[:-1])
        starts = np.flatnonzero(first)
        posoff = np.append(starts, len(order)).astype(np.int64)
        offsets = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_of[starts], minlength=len(terms)), out=offsets[1:])
        out: dict[str, np.ndarray] = {
            f"{field}.terms": np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
            f"{field}.offsets": offsets,
            f"{field}.ids": docs[starts].astype(np.int32),
            f"{field}.tf": np.minimum(np.diff(posoff), 65535).astype(np.uint16),
        }
        if field in self.positional:
            pos = np.frombuffer(self._pos[field], dtype=np.int32)[order]
            out[f"{field}.posoff"] = (posoff.astype(np.uint32) if posoff[-1] < 2**32
                                      else posoff)  # half the bytes to write and to load
            out[f"{field}.pos"] = (pos.astype(np.uint16) if len(pos) and int(pos.max()) < 65536
                                   and int(pos.min()) >= 0 else pos)
        return out


class SegmentPostings:
    """Read side of one segment's file; fields load on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data = np.load(path, allow_pickle=False)
        self._fields: dict[str, _Field] = {}
        self._pos: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()

    def _load_once(self, cache: dict[str, Any], field: str, marker: str,
                   read: Callable[[], Any]) -> Any:
        """``read()`` once per field under the lock, cached; None when the file has no
        ``marker`` array. A damaged file raises: an empty answer would look like "no
        results"."""
        loaded = cache.get(field)
        if loaded is None:
            with self._lock:
                loaded = cache.get(field)
                if loaded is None:
                    if marker not in self._data.files:
                        return None
                    try:
                        loaded = read()
                    except Exception as exc:  # noqa: BLE001 - BadZipFile, zlib, EOF...
                        raise corrupt(self.path.parent.parent,
                                      f"{self.path.name}: {type(exc).__name__}") from None
                    cache[field] = loaded
        return loaded

    def _field(self, field: str) -> _Field | None:
        def read() -> _Field:
            raw = bytes(self._data[f"{field}.terms"]).decode("utf-8")
            terms = raw.split("\n") if raw else []
            return (terms, {t: i for i, t in enumerate(terms)}, self._data[f"{field}.offsets"],
                    self._data[f"{field}.ids"], self._data[f"{field}.tf"])

        return self._load_once(self._fields, field, f"{field}.terms", read)

    def get(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(doc numbers, frequencies) of a term, or None when this file lacks the field."""
        loaded = self._field(field)
        if loaded is None:
            return None
        _terms, index, offsets, ids, tf = loaded
        i = index.get(term)
        if i is None:
            return _NO_IDS, _NO_TF  # most fields lack most terms: no arrays to allocate
        lo, hi = offsets[i], offsets[i + 1]
        return ids[lo:hi], tf[lo:hi].astype(np.float32)

    def terms(self, field: str) -> list[str] | None:
        loaded = self._field(field)
        return None if loaded is None else list(loaded[0])

    def expand_prefix(self, field: str, prefix: str) -> list[str] | None:
        """The terms of ``field`` that start with ``prefix``, in order (Whoosh's
        ``expand_prefix``), or None when this file lacks the field."""
        loaded = self._field(field)
        if loaded is None:
            return None
        terms = loaded[0]
        out = []
        for i in range(bisect_left(terms, prefix), len(terms)):
            if not terms[i].startswith(prefix):
                break
            out.append(terms[i])
        return out

    def _positional(self, field: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(per-posting offsets, positions) of a field, read on the first phrase."""
        return self._load_once(self._pos, field, f"{field}.pos", lambda: (
            self._data[f"{field}.posoff"], self._data[f"{field}.pos"]))

    def positions(self, field: str, term: str, docs: Sequence[int]
                  ) -> list[Callable[[], Positions] | None] | None:
        """For each of ``docs`` (ascending), a function giving the positions of ``term``
        there, or None where the document lacks it; None when this file keeps no
        positions of ``field`` (read Whoosh's postings instead)."""
        loaded = self._field(field)
        positional = self._positional(field) if loaded is not None else None
        if loaded is None or positional is None:
            return None
        out: list[Callable[[], Positions] | None] = [None] * len(docs)
        _terms, index, offsets, ids, _tf = loaded
        i = index.get(term)
        if i is None:
            return out
        lo, hi = int(offsets[i]), int(offsets[i + 1])
        term_ids = ids[lo:hi]
        wanted = np.asarray(docs, dtype=np.int64)
        at = np.searchsorted(term_ids, wanted)
        posoff, pos = positional
        for j in np.flatnonzero((at < len(term_ids)) &
                                (term_ids[np.minimum(at, len(term_ids) - 1)] == wanted)
                                if len(term_ids) else np.zeros(0, dtype=bool)):
            k = lo + int(at[j])
            out[int(j)] = _later(pos, int(posoff[k]), int(posoff[k + 1]))
        return out


_OPEN: dict[str, SegmentPostings | None] = {}
_OPEN_LOCK = threading.Lock()


def for_segment(folder: Path | None, segment_id: str) -> SegmentPostings | None:
    """The arrays of a segment if its build wrote them (cached per process)."""
    if folder is None:
        return None
    key = f"{folder}/{segment_id}"
    if key in _OPEN:
        return _OPEN[key]
    with _OPEN_LOCK:
        if key not in _OPEN:
            path = Path(folder) / f"{segment_id}{SUFFIX}"
            try:
                _OPEN[key] = SegmentPostings(path) if path.is_file() else None
            except Exception as exc:  # noqa: BLE001 - BadZipFile, OSError, ValueError...
                raise corrupt(Path(folder).parent,
                              f"{path.name}: {type(exc).__name__}") from None
        return _OPEN[key]


def _later(pos: np.ndarray, lo: int, hi: int) -> Callable[[], Positions]:
    """Positions decoded only when asked for: a phrase test stops at its first term that
    fails."""
    return lambda: frozenset(pos[lo:hi].tolist())


def keep_built_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy for incremental commits: built segments (with postings arrays:
    their analyzed fields have no Whoosh postings, so a merged copy would lose them) stay
    as they are; the small segments of earlier commits merge as Whoosh's `MERGE_SMALL`
    would merge them."""
    folder = getattr(writer.storage, "folder", None)
    built = [s for s in segments if folder is not None
             and (Path(folder) / f"{s.segment_id()}{SUFFIX}").is_file()]
    others = [s for s in segments if s not in built]
    return built + (MERGE_SMALL(writer, others) if others else [])
