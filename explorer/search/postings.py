"""Per-segment postings as NumPy arrays, written beside the Whoosh segment at build time.

Reading a common term's postings back out of Whoosh means unpickling and decompressing
every block of it, offsets included: on a 30 000-summary index a first search for
"clients" spent ~30 ms there. The build already has every document's terms (it analyzes
them in worker processes), so it also writes them as arrays: per field, the sorted terms,
offsets into one array of document numbers and one of term frequencies. A search then
slices arrays instead of walking blocks. The file is named after its segment
(``<segment id>.postings.npz``), so Whoosh deletes it with the segment; segments written
later by incremental updates simply have none and are read from Whoosh as before.
"""

from __future__ import annotations

import threading
from array import array
from collections import Counter
from pathlib import Path

import numpy as np

from explorer.search.store import corrupt

SUFFIX = ".postings.npz"
_NO_IDS = np.zeros(0, dtype=np.int32)
_NO_TF = np.zeros(0, dtype=np.float32)
_NO_IDS.flags.writeable = False  # shared by every absent term
_NO_TF.flags.writeable = False
_Field = tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray]  # index, offsets, ids, tf


class PostingsWriter:
    """Collects (term, document, frequency) for some fields, in document order."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        self._terms: dict[str, dict[str, tuple[array, array]]] = {f: {} for f in fields}

    def add(self, docnum: int, field: str, terms: list[str]) -> None:
        table = self._terms[field]
        for term, count in Counter(terms).items():
            entry = table.get(term)
            if entry is None:
                entry = table[term] = (array("i"), array("H"))
            entry[0].append(docnum)
            entry[1].append(min(count, 65535))

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {}
        for field, table in self._terms.items():
            terms = sorted(table)
            sizes = np.fromiter((len(table[t][0]) for t in terms), dtype=np.int64,
                                count=len(terms))
            offsets = np.zeros(len(terms) + 1, dtype=np.int64)
            np.cumsum(sizes, out=offsets[1:])
            ids = np.empty(int(offsets[-1]), dtype=np.int32)
            tf = np.empty(int(offsets[-1]), dtype=np.uint16)
            for i, term in enumerate(terms):
                lo, hi = offsets[i], offsets[i + 1]
                ids[lo:hi] = np.frombuffer(table[term][0], dtype=np.int32)
                tf[lo:hi] = np.frombuffer(table[term][1], dtype=np.uint16)
            arrays[f"{field}.terms"] = np.frombuffer("\n".join(terms).encode("utf-8"),
                                                     dtype=np.uint8)
            arrays[f"{field}.offsets"] = offsets
            arrays[f"{field}.ids"] = ids
            arrays[f"{field}.tf"] = tf
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, allow_pickle=False, **arrays)
        tmp.replace(path)


class SegmentPostings:
    """Read side of one segment's file; fields load on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data = np.load(path, allow_pickle=False)
        self._fields: dict[str, _Field] = {}
        self._lock = threading.Lock()

    def _field(self, field: str) -> _Field | None:
        loaded = self._fields.get(field)
        if loaded is None:
            with self._lock:
                loaded = self._fields.get(field)
                if loaded is None:
                    if f"{field}.terms" not in self._data.files:
                        return None
                    try:
                        raw = bytes(self._data[f"{field}.terms"]).decode("utf-8")
                        terms = raw.split("\n") if raw else []
                        loaded = ({t: i for i, t in enumerate(terms)},
                                  self._data[f"{field}.offsets"], self._data[f"{field}.ids"],
                                  self._data[f"{field}.tf"])
                    except Exception as exc:  # noqa: BLE001 - BadZipFile, zlib, EOF...
                        # damaged: an empty answer would look like "no results"
                        raise corrupt(self.path.parent.parent,
                                      f"{self.path.name}: {type(exc).__name__}") from None
                    self._fields[field] = loaded
        return loaded

    def get(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(doc numbers, frequencies) of a term, or None when this file lacks the field."""
        loaded = self._field(field)
        if loaded is None:
            return None
        index, offsets, ids, tf = loaded
        i = index.get(term)
        if i is None:
            return _NO_IDS, _NO_TF  # most fields lack most terms: no arrays to allocate
        lo, hi = offsets[i], offsets[i + 1]
        return ids[lo:hi], tf[lo:hi].astype(np.float32)

    def terms(self, field: str) -> list[str] | None:
        loaded = self._field(field)
        return None if loaded is None else list(loaded[0])


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
