"""Evaluate a parsed query tree over one index generation.

Each node becomes an `Evaluated` (a mask over every document and a score): words through
`explorer.search.words`, phrases through `explorer.search.phrases`, facets (``topic:``,
``type:``, ``year:``, ``doi:``) as per-document array lookups. Words joined by spaces
need most of them, not all (`Evaluator._most_words`). The evaluator collects notices
and the terms to highlight; it never raises on odd input.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from explorer.doi import doi_key, find_doi
from explorer.search import query as q
from explorer.search.analysis import query_terms
from explorer.search.facet_names import resolve_topic, resolve_type
from explorer.search.phrases import phrase_terms
from explorer.search.schema import TEXT_FIELDS
from explorer.search.scoring import Evaluated, and_, or_
from explorer.search.snapshot import MAX_PREFIX_TERMS, Snapshot
from explorer.search.words import match_word
from explorer.textproc import normalize_spelling

MIN_SHOULD_MATCH = 0.75  # share of the words of a 3+ word query a result must have


class Evaluator:
    """Turns a query tree into an `Evaluated` over one snapshot. Collects notices and the
    terms to highlight; never raises on odd input."""

    def __init__(self, snap: Snapshot, reader: Any) -> None:
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
            return functools.reduce(and_ if isinstance(node, q.And) else or_, parts)
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
        return functools.reduce(and_, parts)

    def _word(self, node: q.Word, negated: bool) -> Evaluated | None:
        """One typed word (see `explorer.search.words`), its highlight terms noted."""
        match = match_word(self.snap, node.text, node.fields, negated)
        for field, terms in match.highlight.items():
            self.highlight.setdefault(field, set()).update(terms)
        for term, forms in match.exact_forms.items():
            self.exact_forms.setdefault(term, set()).update(forms)
        return None if match.result is None else match.result.copy()

    def _prefix(self, node: q.Word, fields: tuple[str, ...], negated: bool) -> Evaluated:
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
                self._mark((field,), terms, negated)
        return Evaluated(mask, score)

    def _phrase(self, node: q.Phrase, negated: bool) -> Evaluated | None:
        terms = query_terms(node.text)
        if not terms:
            return None
        fields = node.fields or tuple(TEXT_FIELDS)
        result = phrase_terms(self.snap, terms, fields)  # one word in quotes: that word only
        self._mark(fields, terms, negated)
        return result

    def _mark(self, fields: tuple[str, ...], terms: list[str], negated: bool) -> None:
        if not negated:  # an excluded word is not what the reader looks for
            for field in fields:
                self.highlight.setdefault(field, set()).update(terms)

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
            doi = find_doi(value) or doi_key(value) or ""
            ids = snap._global_ids("doi", doi)
            mask = np.zeros(snap.n, dtype=bool)
            mask[ids] = True
            return Evaluated(mask & snap.live, None)
        return None
