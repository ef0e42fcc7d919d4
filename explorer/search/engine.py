"""Evaluate a parsed query over per-document arrays of one index generation.

Whoosh stores the index; matching, scoring, filtering and facet counting run here on
NumPy arrays because a search page needs *every* matching document (total, three facet
groups) and walking Whoosh matchers in Python costs microseconds per posting. A term's
postings are read once (block by block) into arrays and cached per segment; a query is
then a handful of vectorised set operations over a dense mask of all documents, scored
with BM25F. Topics, research type, month and year live in per-document arrays read once
per generation from the keyword fields' postings, so facets are a matrix product over
the matching documents, not a second search.

A `Snapshot` belongs to one generation (segments + deletions) and is shared by threads;
it only reads through the reader it is handed, so each thread passes its own.
"""

from __future__ import annotations

import copy
import functools
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from explorer import textproc
from explorer.records import Taxonomy
from explorer.search import postings
from explorer.search import query as q
from explorer.search.analysis import inflections, query_terms
from explorer.search.reference import find_doi
from explorer.search.schema import EXACT_FIELD, EXACT_FIELDS, EXACT_TITLE_FIELD, TEXT_FIELDS

K1 = 1.2
B = {"title": 0.5, "cited_title": 0.5, "body": 0.75, "implications": 0.75, "authors": 0.3,
     "journal": 0.3, "exact": 0.75}
# Ranking of plain words (see `Evaluator._words`): matches through the field's vocabulary
# count, but below the typed word; the typed form itself earns a bonus over a stem match.
SYNONYM_WEIGHT = 0.6
FAMILY_WEIGHT = 0.5
STEM_ONLY_WEIGHT = 0.55  # a document without the typed form itself, only its stem
# Fields where a synonym that is a phrase ("premature termination") is looked for
PHRASE_SYNONYM_FIELDS = ("title", "cited_title", "body", "implications")
MIN_SHOULD_MATCH = 0.75  # share of the words of a 3+ word query a result must have
MAX_PREFIX_TERMS = 200
_NO_IDS = np.zeros(0, dtype=np.intp)
_NO_SCORES = np.zeros(0, dtype=np.float32)
_NO_IDS.flags.writeable = False
_NO_SCORES.flags.writeable = False
_LENGTH_TABLE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)

# Raw postings per (segment id, field, term): immutable for a segment's life, so shared
# across generations and threads. Bounded LRU.
_POSTINGS: OrderedDict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
_POSTINGS_MAX = 20_000
_POSTINGS_LOCK = threading.Lock()
_PHRASES_LOCK = threading.Lock()


def _leaf_postings(leaf, segid: str, field: str, term: str,  # type: ignore[no-untyped-def]
                   folder: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(local doc ids, weights) of a term in one segment (id ``segid``: asking Whoosh
    for it builds a string each time), deletions included."""
    arrays = postings.for_segment(folder, segid)
    if arrays is not None:
        found = arrays.get(field, term)
        if found is not None:
            return found
    key = (segid, field, term)
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
    with _POSTINGS_LOCK:
        _POSTINGS[key] = result
        if len(_POSTINGS) > _POSTINGS_MAX:
            _POSTINGS.popitem(last=False)
    return result


def _leaf_lengths(leaf, field: str) -> np.ndarray:  # type: ignore[no-untyped-def]
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


@dataclass
class Evaluated:
    mask: np.ndarray  # bool, one per document
    score: np.ndarray | None  # float32 or None (filter-only)


class Snapshot:
    """Per-document arrays and caches of one index generation."""

    def __init__(self, key: object, reader, taxonomy: Taxonomy,  # type: ignore[no-untyped-def]
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
            parts = [_leaf_lengths(leaf, field) for leaf, _ in self.leaves]
            arr = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
            self.lengths[field] = arr
            self.avgdl[field] = max(float(arr[self.live].sum()) / live_n, 1.0)
        self._contrib: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._vocab: list[frozenset[str]] = []  # filled lazily; shared by bound copies
        self._families: list[dict[str, tuple[str, ...]]] = []
        self._surface: list[frozenset[str]] = []
        self.phrases: OrderedDict[tuple, Evaluated] = OrderedDict()  # shared by bound copies
        # evaluated words (see `Evaluator._word`): two arrays of n each, so their number
        # is bounded by memory (~32 MB), not by a count
        self.words: OrderedDict[tuple, tuple] = OrderedDict()
        self.words_max = max(64, min(20_000, (32 << 20) // (5 * max(n, 1))))

    def remember_word(self, key: tuple, value: tuple) -> None:
        with _PHRASES_LOCK:
            self.words[key] = value
            if len(self.words) > self.words_max:
                self.words.popitem(last=False)

    def bind(self, reader) -> Snapshot:  # type: ignore[no-untyped-def]
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
        parts = [_leaf_postings(leaf, segid, field, term, self.folder)[0] + offset
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
            ids, weights = _leaf_postings(leaf, segid, field, term, self.folder)
            if len(ids):
                ids_parts.append(ids + offset if offset else ids)
                w_parts.append(weights)
        # most terms live in one segment, most fields lack most terms, and most
        # generations have no deletions: skip the array work none of those need
        ids = ids_parts[0] if len(ids_parts) == 1 else np.concatenate(ids_parts or [_NO_IDS])
        tf = w_parts[0] if len(w_parts) == 1 else np.concatenate(w_parts or [_NO_SCORES])
        if len(ids) and not self.all_live:
            keep = self.live[ids]
            ids, tf = ids[keep], tf[keep]
        if not len(ids):
            result = (_NO_IDS, _NO_SCORES)
        else:
            df = len(ids)
            idf = math.log(1.0 + (self.live_count - df + 0.5) / (df + 0.5))
            b = B.get(field, 0.75)
            norm = K1 * (1.0 - b + b * self.lengths[field][ids] / self.avgdl[field])
            contrib = (TEXT_FIELDS.get(field, 1.0) * idf * tf * (K1 + 1.0) / (tf + norm)
                       ).astype(np.float32, copy=False)
            result = (ids.astype(np.intp, copy=False), contrib)
        self._contrib[key] = result
        if len(self._contrib) > 5000:
            self._contrib.popitem(last=False)
        return result

    def doc_frequency(self, field: str, term: str) -> int:
        return len(self.term_scores(field, term)[0])

    def expand_prefix(self, field: str, prefix: str) -> list[str]:
        out: set[str] = set()
        for leaf, _ in self.leaves:
            for term in leaf.expand_prefix(field, prefix):
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


class Evaluator:
    """Turns a query tree into an `Evaluated` over one snapshot. Collects notices and the
    terms to highlight; never raises on odd input."""

    def __init__(self, snap: Snapshot, reader) -> None:  # type: ignore[no-untyped-def]
        self.snap = snap
        self.reader = reader
        self.notices: list[str] = []
        self.highlight: dict[str, set[str]] = {f: set() for f in TEXT_FIELDS}
        # stem of a typed word -> its unstemmed forms: highlights prefer those
        self.exact_forms: dict[str, set[str]] = {}

    def run(self, node: q.Node) -> Evaluated:
        result = self.eval(node, negated=False)
        # nothing in the query constrains the results (only stop words or punctuation)
        self.unconstrained = result is None
        if result is None:
            result = self.snap.all()
        result.mask &= self.snap.live
        return result

    def eval(self, node: q.Node, negated: bool) -> Evaluated | None:  # noqa: C901
        snap = self.snap
        if isinstance(node, q.MatchAll):
            return snap.all()
        if isinstance(node, q.Word):
            if node.prefix:
                return self._prefix(node, node.fields or tuple(TEXT_FIELDS), negated)
            return self._word(node, negated)
        if isinstance(node, q.Phrase):
            return self._phrase(node, negated)
        if isinstance(node, q.Facet):
            return self._facet(node)
        if isinstance(node, q.Not):
            child = self.eval(node.child, not negated)
            if child is None:
                return None
            return Evaluated(snap.live & ~child.mask, None)
        if isinstance(node, q.And) and not node.explicit and not negated:
            return self._most_words(node)
        if isinstance(node, (q.And, q.Or)):
            parts = [p for p in (self.eval(c, negated) for c in node.children) if p is not None]
            if not parts:
                return None
            return functools.reduce(_and if isinstance(node, q.And) else _or, parts)
        return None

    def _most_words(self, node: q.And) -> Evaluated | None:
        """Words joined by spaces: one or two must all match; of three or more, a result
        needs `MIN_SHOULD_MATCH` of them (rounded down), and its BM25 score is scaled by
        the share it has (a coordination factor). Phrases, fields, exclusions and
        parenthesised groups stay required."""
        soft = [c for c in node.children
                if isinstance(c, q.Word) and not c.prefix and c.fields is None]
        hard = [c for c in node.children if c not in soft]
        parts = [p for p in (self.eval(c, False) for c in hard) if p is not None]
        words = [p for p in (self.eval(c, False) for c in soft) if p is not None]
        if len(words) >= 3:
            # a word no summary contains cannot tell summaries apart: leave it out of the
            # count (a misspelling among known words; a query of only unknown words
            # still finds nothing, and is offered a correction)
            known = [w for w in words if (w.mask & self.snap.live).any()]
            words = known if known else words
        if len(words) <= 2:
            parts.extend(words)
        else:
            needed = max(2, math.floor(MIN_SHOULD_MATCH * len(words)))
            count = np.zeros(self.snap.n, dtype=np.int16)
            score = np.zeros(self.snap.n, dtype=np.float32)
            for w in words:
                count += w.mask
                if w.score is not None:
                    score += w.score
            share = count.astype(np.float32) / len(words)
            parts.append(Evaluated(count >= needed, score * share * share))
        if not parts:
            return None
        return functools.reduce(_and, parts)

    def _word(self, node: q.Word, negated: bool) -> Evaluated | None:
        """`_word_uncached`, remembered per generation with the terms it marks: queries
        share words, and a word's evaluation (its synonyms, word family, exact forms,
        several fields) depends only on the word and the index."""
        key = (node.text, node.fields, negated)
        memo = self.snap.words.get(key)
        if memo is None:
            outer = self.highlight, self.exact_forms
            self.highlight = {f: set() for f in TEXT_FIELDS}
            self.exact_forms = {}
            try:
                memo = (self._word_uncached(node, negated), self.highlight, self.exact_forms)
            finally:
                self.highlight, self.exact_forms = outer
            self.snap.remember_word(key, memo)
        result, marks, exact = memo
        for field, terms in marks.items():
            self.highlight.setdefault(field, set()).update(terms)
        for term, forms in exact.items():
            self.exact_forms.setdefault(term, set()).update(forms)
        if result is None:
            return None
        return Evaluated(result.mask.copy(), None if result.score is None else result.score.copy())

    def _word_uncached(self, node: q.Word, negated: bool) -> Evaluated | None:
        """One typed word, as the documents may say it.

        The word's own term scores in full. Its synonyms (the vocabulary file), other
        members of its word family and, for a hyphenated compound, its open form also
        match, scored lower (and never above the typed word's rarity). Documents holding
        the typed form itself (an inflection of it, unstemmed) score in full; those that
        only share its stem score `STEM_ONLY_WEIGHT` of it. An excluded word (``-word``)
        excludes its own term only.
        """
        fields = node.fields or tuple(TEXT_FIELDS)
        snap = self.snap
        if node.fields is None and not negated and _YEAR_WORD.match(node.text):
            return self._year_word(node.text, fields)
        parts = query_terms(node.text)
        closed = _closed_form(node.text)
        if closed is None and len(parts) > 1:
            result = None  # "cognitive behavioral" typed without quotes inside one token
            for term in parts:
                one = snap.terms_in_fields([term], fields)
                result = one if result is None else _and(result, one)
                self._mark(fields, [term], negated)
            return result
        if closed is not None:
            term = closed
        elif parts:
            term = parts[0]
        else:
            return None  # a stop word or punctuation: no constraint
        result = snap.terms_in_fields([term], fields)
        self._mark(fields, [term], negated)
        if negated:
            return result
        alternatives: list[tuple[float, Evaluated]] = []
        if closed is not None and len(parts) > 1:
            alternatives.append((1.0, self._phrase_terms(parts, fields)))
            self._mark(fields, parts, negated)
        for member in textproc.synonyms(term):
            if len(member) == 1:
                alt = snap.terms_in_fields(list(member), fields)
            else:
                alt = self._cached_phrase(member, tuple(f for f in fields
                                                        if f in PHRASE_SYNONYM_FIELDS))
            alternatives.append((SYNONYM_WEIGHT, alt))
            if len(member) == 1:  # a phrase's single words would mark too much
                self._mark(fields, member, negated)
        family = snap.family(term)
        if family:
            alternatives.append((FAMILY_WEIGHT, snap.terms_in_fields(family, fields)))
            self._mark(fields, family, negated)
        assert result.score is not None
        score = result.score.copy()
        if node.fields is None and parts:
            # a stem-only match ("effectiveness" for "effects") counts for less, in the
            # title and in the rest of the document separately
            folded = textproc.normalize_spelling(node.text.replace("-", ""))
            forms = inflections(folded)
            in_title = snap.terms_in_fields([term], ("title",)).score
            assert in_title is not None
            rest = score - in_title
            score = (self._exactness(EXACT_TITLE_FIELD, forms) * in_title
                     + self._exactness(EXACT_FIELD, forms) * rest).astype(np.float32)
            self.exact_forms.setdefault(term, set()).update(forms)
        typed_idf = self._idf(result.mask)
        for weight, alt in alternatives:
            if alt.score is not None and alt.mask.any():
                # a rarer synonym must not outscore the word typed: Lucene's synonym
                # query blends document frequencies for the same reason
                rarity = min(1.0, typed_idf / self._idf(alt.mask))
                score = np.maximum(score, weight * rarity * alt.score)
                result.mask |= alt.mask
        return Evaluated(result.mask, score)

    def _year_word(self, text: str, fields: tuple[str, ...]) -> Evaluated:
        """A bare year ("Kaptchuk 2008") matches the study year or the year in the text."""
        in_text = self.snap.terms_in_fields([text], fields)
        cited = (self.snap.cite_year == int(text)) & self.snap.live
        assert in_text.score is not None
        score = np.maximum(in_text.score, cited * np.float32(self._idf(cited)))
        return Evaluated(in_text.mask | cited, score.astype(np.float32))

    def _idf(self, mask: np.ndarray) -> float:
        df = int((mask & self.snap.live).sum())
        return math.log(1.0 + (self.snap.live_count - df + 0.5) / (df + 0.5))

    def _exactness(self, field: str, forms: Iterable[str]) -> np.ndarray:
        """Per document: 1 where ``field`` holds one of ``forms``, else `STEM_ONLY_WEIGHT`."""
        factor = np.full(self.snap.n, STEM_ONLY_WEIGHT, dtype=np.float32)
        for form in forms:
            factor[self.snap.term_scores(field, form)[0]] = 1.0
        return factor

    def _mark(self, fields: Iterable[str], terms: Iterable[str], negated: bool) -> None:
        if not negated:
            for f in fields:
                self.highlight[f].update(terms)

    def _cached_phrase(self, terms: tuple[str, ...], fields: tuple[str, ...]) -> Evaluated:
        """`_phrase_terms`, remembered per generation (synonym phrases recur)."""
        key = (terms, fields)
        hit = self.snap.phrases.get(key)
        if hit is None:
            hit = self._phrase_terms(list(terms), fields)
            with _PHRASES_LOCK:
                self.snap.phrases[key] = hit
                if len(self.snap.phrases) > 2000:
                    self.snap.phrases.popitem(last=False)
        return Evaluated(hit.mask.copy(), None if hit.score is None else hit.score.copy())

    def _phrase_terms(self, terms: list[str], fields: tuple[str, ...]) -> Evaluated:
        """Documents with ``terms`` at consecutive positions in one of ``fields``."""
        snap = self.snap
        if len(terms) == 1:
            return snap.terms_in_fields(terms, fields)
        mask = np.zeros(snap.n, dtype=bool)
        score = np.zeros(snap.n, dtype=np.float32)
        for field in fields:
            candidate: Evaluated | None = None
            for term in terms:
                one = snap.terms_in_fields([term], (field,))
                candidate = one if candidate is None else _and(candidate, one)
            assert candidate is not None and candidate.score is not None
            docs = np.flatnonzero(candidate.mask & snap.live & ~mask)
            if not len(docs):
                continue
            found = self._verify_phrase(field, terms, docs)
            if len(found):
                mask[found] = True
                score[found] += candidate.score[found]
        return Evaluated(mask, score)

    def _prefix(self, node: q.Word, fields: tuple[str, ...], negated: bool) -> Evaluated:
        from explorer.textproc import normalize_spelling

        prefix = normalize_spelling(node.text).replace(" ", "")
        if len(prefix) < 2:
            return self.snap.all()
        mask = np.zeros(self.snap.n, dtype=bool)
        score = np.zeros(self.snap.n, dtype=np.float32)
        for field in fields:
            terms = self.snap.expand_prefix(field, prefix)
            if len(terms) >= MAX_PREFIX_TERMS and f"{prefix}*" not in str(self.notices):
                self.notices.append(f"{prefix}* matches many words, so only the first "
                                    f"{MAX_PREFIX_TERMS} are searched.")
            if terms:
                one = self.snap.terms_in_fields(terms, (field,))
                mask |= one.mask
                assert one.score is not None
                score += one.score / max(1.0, math.sqrt(len(terms)))
                if not negated:
                    self.highlight[field].update(terms)
        return Evaluated(mask, score)

    def _phrase(self, node: q.Phrase, negated: bool) -> Evaluated | None:
        terms = query_terms(node.text)
        if not terms:
            return None
        fields = node.fields or tuple(TEXT_FIELDS)
        result = self._phrase_terms(terms, fields)  # one word in quotes: that word only
        self._mark(fields, terms, negated)
        return result

    def _verify_phrase(self, field: str, terms: list[str], docs: np.ndarray) -> np.ndarray:
        """Documents among ``docs`` where ``terms`` stand at consecutive positions."""
        found: list[int] = []
        for leaf, offset in self.snap.leaves:
            local = [int(d) - offset for d in docs if offset <= d < offset + leaf.doc_count_all()]
            if not local:
                continue
            matchers = []
            for term in terms:
                try:
                    m = leaf.postings(field, term)
                except Exception:  # noqa: BLE001
                    m = None
                matchers.append(m)
            if any(m is None for m in matchers):
                continue
            for doc in local:
                positions = []
                for m in matchers:
                    if not m.is_active():
                        break
                    m.skip_to(doc)
                    if not m.is_active() or m.id() != doc:
                        break
                    positions.append(set(m.value_as("positions")))
                else:
                    starts = positions[0]
                    for k, pos in enumerate(positions[1:], start=1):
                        starts = {p for p in starts if p + k in pos}
                        if not starts:
                            break
                    if starts:
                        found.append(doc + offset)
        return np.asarray(found, dtype=np.intp)

    def _facet(self, node: q.Facet) -> Evaluated | None:
        snap, tax = self.snap, self.snap.taxonomy
        value = node.value.strip()
        if node.kind == "topic":
            name = resolve_topic(tax, snap, value)
            if name is None:
                self.notices.append(f"Unknown topic {value!r} was ignored.")
                return None
            col = snap.topic_matrix[:, snap.topic_index[name]]
            return Evaluated(col & snap.live, None)
        if node.kind == "type":
            name = resolve_type(tax, snap, value)
            if name is None:
                self.notices.append(f"Unknown research type {value!r} was ignored.")
                return None
            return Evaluated((snap.type_idx == snap.type_index[name]) & snap.live, None)
        if node.kind == "year":
            bounds = q.year_range(value)
            if bounds is None:
                return None
            lo, hi = bounds
            return Evaluated((snap.cite_year >= lo) & (snap.cite_year <= hi) & snap.live, None)
        if node.kind == "doi":
            doi = find_doi(value) or value.lower()
            ids = snap._global_ids("doi", doi)
            mask = np.zeros(snap.n, dtype=bool)
            mask[ids] = True
            return Evaluated(mask & snap.live, None)
        return None


def _resolve(canonical: str | None, name: str, index: dict, names: list[str]) -> str | None:
    """A facet value for a user-typed name: the taxonomy's answer (exact, alias, case),
    else the name as indexed, else a unique prefix; None when nothing in the index fits."""
    if canonical is None and name in index:
        canonical = name
    if canonical is None and len(name) >= 3:
        low = name.casefold()
        matches = [t for t in names if t.casefold().startswith(low)]
        if len(matches) == 1:
            canonical = matches[0]
    return canonical if canonical in index else None


def resolve_topic(tax: Taxonomy, snap: Snapshot, name: str) -> str | None:
    """Canonical topic for a user-typed name."""
    return _resolve(tax.canonical_topic(name), name, snap.topic_index, snap.topic_names)


def resolve_type(tax: Taxonomy, snap: Snapshot, name: str) -> str | None:
    """Canonical research type for a user-typed name."""
    return _resolve(tax.canonical_type(name), name, snap.type_index, snap.type_names)


_YEAR_WORD = re.compile(r"^(?:19|20)\d\d$")


def _closed_form(text: str) -> str | None:
    """The index term of a typed hyphenated compound's closed form ("drop-out" ->
    ``dropout``), or None for a word without hyphens."""
    pieces = [p for p in text.split("-") if p]
    if len(pieces) < 2 or not all(p.isalnum() for p in pieces):
        return None
    closed = "".join(textproc.normalize_spelling(p) for p in pieces)
    if " " in closed or not closed.isalnum():
        return None
    return textproc.stem(closed)


def _and(a: Evaluated, b: Evaluated) -> Evaluated:
    mask = a.mask & b.mask
    if a.score is None:
        score = b.score
    elif b.score is None:
        score = a.score
    else:
        score = a.score + b.score
    return Evaluated(mask, score)


def _or(a: Evaluated, b: Evaluated) -> Evaluated:
    mask = a.mask | b.mask
    if a.score is None:
        score = b.score
    elif b.score is None:
        score = a.score
    else:
        score = a.score + b.score
    return Evaluated(mask, score)
