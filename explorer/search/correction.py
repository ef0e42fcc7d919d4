"""A spelling correction for a query that finds little: the words the archive never uses
(or hardly uses) replaced by the likeliest known word one edit away (two for a long
word, when none is one away), and how many results
the corrected query would find, so the caller can decide to search it or offer it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from explorer.search import query as q
from explorer.search.evaluator import Evaluator
from explorer.search.reference import parse_query
from explorer.search.schema import EXACT_FIELD
from explorer.search.snapshot import Snapshot
from explorer.search.spelling import TwoEdits, correct_query
from explorer.textproc import normalize_spelling, spelling_may_differ, stem

FEW_RESULTS = 3  # at most this many results: offer a spelling correction that finds more


def correction(snap: Snapshot, reader: Any, parsed: q.ParsedQuery,
                filters: np.ndarray) -> tuple[str | None, int]:
    """(the query with unknown words corrected, how many results it finds), or
    (None, 0) when every word is known or no correction is close enough."""
    surface = snap.surface_vocabulary()
    if surface:  # fast: whole words, no stemming of each edit candidate
        known, known_among = surface_lookups(surface)

        def frequency(word: str) -> int:
            return snap.doc_frequency(EXACT_FIELD, normalize_spelling(word))

        return _corrected(snap, reader, parsed, filters, known, frequency, snap.two_edits,
                          known_among)
    vocab = snap.vocabulary()

    def term_of(word: str) -> str:
        # normalize + stem directly (both cached): called for ~500 edit candidates
        parts = normalize_spelling(word).split()
        return stem(parts[0]) if len(parts) == 1 else ""

    def stem_known(word: str) -> bool:
        return term_of(word) in vocab

    def stem_frequency(word: str) -> int:
        return snap.doc_frequency("body", term_of(word)) + snap.doc_frequency(
            "title", term_of(word))

    return _corrected(snap, reader, parsed, filters, stem_known, stem_frequency)

def surface_lookups(surface: frozenset[str]) -> tuple[
        Callable[[str], bool], Callable[[set[str]], list[str]]]:
    """(whether a word is known, the known words of a set) against the archive's words in
    their normal spelling. The second gives what the first would pick from the set, the
    ~400 edit candidates of a word checked at once: a set intersection, then only the
    spellings a rule may change (-ise, -our, listed ones) normalised one by one."""
    def known(word: str) -> bool:
        if _plain(word):
            return word in surface  # already in its normal form
        return normalize_spelling(word) in surface

    def known_among(words: set[str]) -> list[str]:
        return [*(w for w in words & surface if _plain(w) or known(w)),
                *(w for w in words - surface if not _plain(w) and known(w))]

    return known, known_among


def _plain(word: str) -> bool:
    """Whether ``word`` is already in the normal form `normalize_spelling` gives: lower
    case ASCII letters that no spelling rule changes."""
    return word.isascii() and word.isalpha() and word.islower() and not (
        spelling_may_differ(word))


def _corrected(snap: Snapshot, reader: Any, parsed: q.ParsedQuery,
               filters: np.ndarray, known: Callable[[str], bool],
               frequency: Callable[[str], int],
               two_edits: Callable[[], TwoEdits] | None = None,
               known_among: Callable[[set[str]], Iterable[str]] | None = None,
               ) -> tuple[str | None, int]:
    if all(known(w) and frequency(w) > FEW_RESULTS for w in parsed.words if w.isalpha()):
        return None, 0
    ev = Evaluator(snap, reader)
    # A word the search itself finds in the archive through its stem, word family or
    # synonyms ("therap" finds therapy) is no misspelling, whatever the whole words say:
    # when the filters leave nothing, replacing it would search for something else.
    doubtful = [w for w in parsed.words if _archive_count(ev, w) <= FEW_RESULTS]
    if not doubtful:
        return None, 0
    corrected = correct_query(parsed.text, doubtful, known, frequency, FEW_RESULTS,
                              two_edits, known_among)
    if corrected is None:
        return None, 0
    alt = parse_query(corrected)
    found = ev.run(alt.node).mask & filters
    return corrected, int(found.sum())


def _archive_count(ev: Evaluator, word: str) -> int:
    """How many live summaries of the whole archive the search finds for one typed word."""
    found = ev.eval(q.Word(word), negated=False)
    return 0 if found is None else int((found.mask & ev.snap.live).sum())
