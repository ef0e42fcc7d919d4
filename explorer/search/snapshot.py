"""Per-document arrays and caches of one index generation.

Matching, scoring, filtering and facet counting run on NumPy arrays over every document
of a generation (segments + deletions), not on Whoosh matchers: a search page needs every
matching document (total, three facet groups). Topics, research type, month and year live
in per-document arrays read once per generation from the keyword fields' postings, so
facets are a matrix product over the matching documents, not a second search; a term's
BM25 contributions are computed once per generation (`Snapshot.term_scores`).

A `Snapshot` is shared by threads; it only reads through the reader it is handed, so each
thread binds its own (`Snapshot.bind`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from explorer import textproc
from explorer.cache import BoundedCache
from explorer.records import Taxonomy
from explorer.search import postings
from explorer.search.schema import EXACT_FIELD, EXACT_FIELDS, TEXT_FIELDS
from explorer.search.scoring import Evaluated, bm25_with_norm, idf, length_norm
from explorer.search.segments import leaf_lengths, leaf_postings
from explorer.search.spelling import TwoEdits

_NO_IDS = np.zeros(0, dtype=np.intp)
_NO_SCORES = np.zeros(0, dtype=np.float32)
_NO_IDS.flags.writeable = False
_NO_SCORES.flags.writeable = False
MAX_PREFIX_TERMS = 200  # index terms a prefix (``therap*``) expands to, at most


class Snapshot:
    """Per-document arrays and caches of one index generation."""

    def __init__(self, key: object, reader: Any, taxonomy: Taxonomy,
                 folder: Path | None = None) -> None:
        self.key = key
        self.folder = folder  # the Whoosh directory, for per-segment postings arrays
        self.taxonomy = taxonomy
        self.leaves = [(leaf, offset) for leaf, offset in reader.leaf_readers()]
        self.segids = [leaf.segment().segment_id() for leaf, _ in self.leaves]
        self.n = reader.doc_count_all()
        n = self.n
        self.live = np.ones(n, dtype=bool)
        for leaf, offset in self.leaves:
            if leaf.has_deletions():
                dead_set = getattr(leaf, "deleted_docs_set", None)
                if dead_set is None:
                    dead_set = [d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)]
                dead = np.fromiter(dead_set, dtype=np.int64)
                self.live[dead + offset] = False
        self.live_count = int(self.live.sum())
        self.all_live = self.live_count == n

        # Topics, in taxonomy order, then any name only the index knows.
        names = list(taxonomy.topics)
        for leaf, _ in self.leaves:
            for term in leaf.lexicon("topics") if "topics" in leaf.schema else []:
                name = term.decode("utf-8") if isinstance(term, bytes) else term
                if name not in names:
                    names.append(name)
        self.topic_names = names
        self.topic_index = {name: i for i, name in enumerate(names)}
        self.topic_matrix = np.zeros((n, len(names)), dtype=bool)  # filters
        pair_docs, pair_topics = [], []  # (document, topic) pairs: facet counting
        for name, i in self.topic_index.items():
            docs = self._global_ids("topics", name)
            self.topic_matrix[docs, i] = True
            pair_docs.append(docs)
            pair_topics.append(np.full(len(docs), i, dtype=np.int32))
        self.pair_doc = np.concatenate(pair_docs) if pair_docs else np.zeros(0, np.int32)
        self.pair_topic = np.concatenate(pair_topics) if pair_topics else np.zeros(0, np.int32)

        types = list(taxonomy.research_types)
        for leaf, _ in self.leaves:
            for term in leaf.lexicon("research_type"):
                name = term.decode("utf-8") if isinstance(term, bytes) else term
                if name not in types:
                    types.append(name)
        self.type_names = types
        self.type_index = {name: i for i, name in enumerate(types)}
        self.type_idx = np.full(n, len(types), dtype=np.int32)  # len(types): none
        for name, i in self.type_index.items():
            self.type_idx[self._global_ids("research_type", name)] = i

        self.month = np.full(n, -1, dtype=np.int32)  # year*12 + month-1
        for value in self._lexicon("published"):
            try:
                ordinal = int(value[:4]) * 12 + int(value[5:7]) - 1
            except ValueError:
                continue
            self.month[self._global_ids("published", value)] = ordinal
        self.pub_year = np.where(self.month >= 0, self.month // 12, 0).astype(np.int32)
        # Rank of each document's id: the last tie-break of every order, so that equal
        # scores come back in the same order whatever doc numbers a build handed out.
        self.id_rank = np.zeros(n, dtype=np.int32)
        for rank, value in enumerate(self._lexicon("id")):
            self.id_rank[self._global_ids("id", value)] = rank
        self.cite_year = np.zeros(n, dtype=np.int32)
        for value in self._lexicon("year"):
            if value.isdigit():
                self.cite_year[self._global_ids("year", value)] = int(value)

        live_n = max(self.live_count, 1)
        self.lengths: dict[str, np.ndarray] = {}
        self.avgdl: dict[str, float] = {}
        for field in (*TEXT_FIELDS, *EXACT_FIELDS):
            parts = [leaf_lengths(leaf, field) for leaf, _ in self.leaves]
            arr = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
            self.lengths[field] = arr
            self.avgdl[field] = max(float(arr[self.live].sum()) / live_n, 1.0)
        # BM25's length part of every document, per field (`scoring.length_norm`)
        self.norms = {field: length_norm(field, self.lengths[field], self.avgdl[field])
                      for field in self.lengths}
        self._contrib: BoundedCache[tuple[str, str], tuple[np.ndarray, np.ndarray]] = (
            BoundedCache(5000, lru=False))
        self._vocab: list[frozenset[str]] = []  # filled lazily; shared by bound copies
        self._families: list[dict[str, tuple[str, ...]]] = []
        self._surface: list[frozenset[str]] = []
        self._two_edits: list[TwoEdits] = []
        self.phrases: BoundedCache[tuple, Evaluated] = BoundedCache(2000, lru=False)  # shared
        # evaluated words (see `Evaluator._word`): two arrays of n each, so their number
        # is bounded by memory (~32 MB), not by a count
        self.words: BoundedCache[tuple, object] = BoundedCache(
            max(64, min(20_000, (32 << 20) // (5 * max(n, 1)))), lru=False)

    def remember_word(self, key: tuple, value: object) -> None:
        """Keep an evaluated word (see `explorer.search.words`), oldest out first."""
        self.words.put(key, value)

    def remember_phrase(self, key: tuple, value: Evaluated) -> None:
        """Keep an evaluated phrase (see `explorer.search.phrases`), oldest out first."""
        self.phrases.put(key, value)

    def bind(self, reader: Any) -> Snapshot:
        """This snapshot reading through ``reader`` (a thread's own reader of the same
        generation): a shallow copy sharing every array and cache."""
        view = copy.copy(self)
        view.leaves = [(leaf, offset) for leaf, offset in reader.leaf_readers()]
        view.segids = [leaf.segment().segment_id() for leaf, _ in view.leaves]
        return view

    # ------------------------------------------------------------------ postings

    def _lexicon(self, field: str) -> list[str]:
        out: set[str] = set()
        for leaf, _ in self.leaves:
            for term in leaf.lexicon(field):
                out.add(term.decode("utf-8") if isinstance(term, bytes) else term)
        return sorted(out)

    def _global_ids(self, field: str, term: str) -> np.ndarray:
        parts = [leaf_postings(leaf, segid, field, term, self.folder)[0] + offset
                 for (leaf, offset), segid in zip(self.leaves, self.segids, strict=True)]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    def term_scores(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(global doc ids, BM25 contribution) of a term in a text field."""
        key = (field, term)
        hit = self._contrib.get(key)
        if hit is not None:
            return hit
        ids_parts, w_parts = [], []
        for (leaf, offset), segid in zip(self.leaves, self.segids, strict=True):
            ids, weights = leaf_postings(leaf, segid, field, term, self.folder)
            if len(ids):
                ids_parts.append(ids + offset if offset else ids)
                w_parts.append(weights)
        # most terms live in one segment, most fields lack most terms, and most
        # generations have no deletions: skip the array work none of those need
        result = (_NO_IDS, _NO_SCORES)
        if ids_parts:
            ids = ids_parts[0] if len(ids_parts) == 1 else np.concatenate(ids_parts)
            tf = w_parts[0] if len(w_parts) == 1 else np.concatenate(w_parts)
            if not self.all_live:
                keep = self.live[ids]
                ids, tf = ids[keep], tf[keep]
            if len(ids):
                contrib = bm25_with_norm(field, tf, self.norms[field][ids],
                                         idf(len(ids), self.live_count))
                result = (ids.astype(np.intp, copy=False), contrib)
        self._contrib.put(key, result)
        return result

    def doc_frequency(self, field: str, term: str) -> int:
        return len(self.term_scores(field, term)[0])

    def expand_prefix(self, field: str, prefix: str) -> list[str]:
        out: set[str] = set()
        for (leaf, _), segid in zip(self.leaves, self.segids, strict=True):
            arrays = postings.for_segment(self.folder, segid)
            known = arrays.expand_prefix(field, prefix) if arrays is not None else None
            if known is None:  # no arrays for this segment: ask Whoosh
                known = leaf.expand_prefix(field, prefix)
            for term in known:
                out.add(term.decode("utf-8") if isinstance(term, bytes) else term)
                if len(out) >= MAX_PREFIX_TERMS:
                    return sorted(out)
        return sorted(out)

    def vocabulary(self) -> frozenset[str]:
        """Every term of the title and text fields (stems), read once per generation."""
        if not self._vocab:
            self._vocab.append(self._terms_of(("title", "body", "implications")))
        return self._vocab[0]

    def surface_vocabulary(self) -> frozenset[str]:
        """Every unstemmed word of the summaries (the exact field), read once per
        generation: spelling candidates are checked against it without stemming each."""
        if not self._surface:
            self._surface.append(self._terms_of((EXACT_FIELD,)))
        return self._surface[0]

    def two_edits(self) -> TwoEdits:
        """The whole words filed for corrections two edits away, made at the first
        query that needs one (most never do) and kept for the generation."""
        if not self._two_edits:
            self._two_edits.append(TwoEdits(self.surface_vocabulary()))
        return self._two_edits[0]

    def _terms_of(self, fields: tuple[str, ...]) -> frozenset[str]:
        terms: set[str] = set()
        for (leaf, _), segid in zip(self.leaves, self.segids, strict=True):
            arrays = postings.for_segment(self.folder, segid)
            for field in fields:
                known = arrays.terms(field) if arrays is not None else None
                if known is None:  # no arrays for this segment: ask Whoosh
                    known = ([t.decode("utf-8") if isinstance(t, bytes) else t
                              for t in leaf.lexicon(field)] if field in leaf.schema else [])
                terms.update(known)
        return frozenset(terms)

    def family(self, term: str) -> tuple[str, ...]:
        """Other index terms of ``term``'s word family (history -> historical)."""
        if not self._families:
            groups: dict[str, list[str]] = {}
            for known in self.vocabulary():
                groups.setdefault(textproc.family_key(known), []).append(known)
            self._families.append({k: tuple(v) for k, v in groups.items()})
        members = self._families[0].get(textproc.family_key(term), ())
        return tuple(m for m in members if m != term)

    def docnum_of(self, summary_id: str) -> int | None:
        ids = self._global_ids("id", summary_id)
        live = [int(d) for d in ids if self.live[d]]
        return live[0] if live else None

    # ------------------------------------------------------------------ evaluation

    def empty(self) -> Evaluated:
        return Evaluated(np.zeros(self.n, dtype=bool), None)

    def all(self) -> Evaluated:
        return Evaluated(self.live.copy(), None)

    def terms_in_fields(self, terms: Iterable[str], fields: Iterable[str]) -> Evaluated:
        """Documents with any of ``terms`` in any of ``fields`` (an OR), scored."""
        mask = np.zeros(self.n, dtype=bool)
        score = np.zeros(self.n, dtype=np.float32)
        for field in fields:
            for term in terms:
                ids, contrib = self.term_scores(field, term)
                if len(ids):
                    mask[ids] = True
                    score[ids] += contrib
        return Evaluated(mask, score)
