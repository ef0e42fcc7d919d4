"""A typed word, as the documents may say it: its own term, its synonyms (the vocabulary
file), its word family, the open form of a typed compound, and the typed form itself
ranked above words that only share its stem.

A word's evaluation depends only on the word and the index generation, and queries share
words, so it is remembered per generation (`match_word`) together with the terms it
marks for highlighting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from explorer import textproc
from explorer.search.analysis import inflections, query_terms
from explorer.search.phrases import cached_phrase, phrase_terms
from explorer.search.schema import EXACT_FIELD, EXACT_TITLE_FIELD, TEXT_FIELDS
from explorer.search.scoring import Evaluated, and_, idf
from explorer.search.snapshot import Snapshot

# Matches through the field's vocabulary count, but below the typed word; the typed form
# itself earns a bonus over a stem match.
SYNONYM_WEIGHT = 0.6
FAMILY_WEIGHT = 0.5
STEM_ONLY_WEIGHT = 0.55  # a document without the typed form itself, only its stem
# Fields where a synonym that is a phrase ("premature termination") is looked for
PHRASE_SYNONYM_FIELDS = ("title", "cited_title", "body", "implications")


@dataclass
class WordMatch:
    """What one word matched, and what it asks to highlight."""

    result: Evaluated | None  # None: a stop word or punctuation, no constraint
    highlight: dict[str, set[str]] = field(default_factory=dict)  # field -> index terms
    exact_forms: dict[str, set[str]] = field(default_factory=dict)  # stem -> typed forms


def match_word(snap: Snapshot, text: str, fields: tuple[str, ...] | None,
               negated: bool) -> WordMatch:
    """The word ``text`` (restricted to ``fields`` when given; ``negated``: an excluded
    word, which excludes its own term only), remembered per generation. The caller gets
    the shared record: copy ``result`` before changing it."""
    key = (text, fields, negated)
    hit = snap.words.get(key)
    if not isinstance(hit, WordMatch):
        matcher = _WordMatcher(snap)
        hit = WordMatch(matcher.run(text, fields, negated), matcher.highlight,
                        matcher.exact_forms)
        snap.remember_word(key, hit)
    return hit


class _WordMatcher:
    """Evaluates one word, noting the terms it asks to highlight as it goes."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.highlight: dict[str, set[str]] = {}
        self.exact_forms: dict[str, set[str]] = {}

    def run(self, text: str, node_fields: tuple[str, ...] | None, negated: bool
            ) -> Evaluated | None:
        """One typed word, as the documents may say it.

        The word's own term scores in full. Its synonyms (the vocabulary file), other
        members of its word family and, for a hyphenated compound, its open form also
        match, scored lower (and never above the typed word's rarity). Documents holding
        the typed form itself (an inflection of it, unstemmed) score in full; those that
        only share its stem score `STEM_ONLY_WEIGHT` of it. An excluded word (``-word``)
        excludes its own term only.
        """
        fields = node_fields or tuple(TEXT_FIELDS)
        snap = self.snap
        if node_fields is None and not negated and _YEAR_WORD.match(text):
            return self._year_word(text, fields)
        parts = query_terms(text)
        closed = _closed_form(text)
        if closed is None and len(parts) > 1:
            result = None  # "cognitive behavioral" typed without quotes inside one token
            for term in parts:
                one = snap.terms_in_fields([term], fields)
                result = one if result is None else and_(result, one)
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
            alternatives.append((1.0, phrase_terms(snap, parts, fields)))
            self._mark(fields, parts, negated)
        for member in textproc.synonyms(term):
            if len(member) == 1:
                alt = snap.terms_in_fields(list(member), fields)
            else:
                alt = cached_phrase(snap, member, tuple(f for f in fields
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
        if node_fields is None and parts:
            # a stem-only match ("effectiveness" for "effects") counts for less, in the
            # title and in the rest of the document separately
            folded = textproc.normalize_spelling(text.replace("-", ""))
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
        return idf(int((mask & self.snap.live).sum()), self.snap.live_count)

    def _exactness(self, field: str, forms: Iterable[str]) -> np.ndarray:
        """Per document: 1 where ``field`` holds one of ``forms``, else `STEM_ONLY_WEIGHT`.
        Forms no summary uses (most generated inflections) are not looked up."""
        factor = np.full(self.snap.n, STEM_ONLY_WEIGHT, dtype=np.float32)
        used = self.snap.surface_vocabulary()
        for form in forms:
            if form in used or not used:
                factor[self.snap.term_scores(field, form)[0]] = 1.0
        return factor

    def _mark(self, fields: Iterable[str], terms: Iterable[str], negated: bool) -> None:
        if not negated:
            for f in fields:
                self.highlight.setdefault(f, set()).update(terms)


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
