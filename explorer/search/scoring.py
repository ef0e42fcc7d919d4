"""What a match is worth: BM25F per field, and the matched set a query part evaluates to.

Every query part evaluates to an `Evaluated`: a mask over all documents of the
generation and, unless it only filters, a score per document. Parts combine by plain
array operations (`and_`, `or_`), so totals and facets count the whole matched set,
not a top-k.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from explorer.search.schema import TEXT_FIELDS

K1 = 1.2
# Length normalisation per field: short fields (titles, names) hardly need it.
B = {"title": 0.5, "cited_title": 0.5, "body": 0.75, "implications": 0.75, "authors": 0.3,
     "journal": 0.3, "exact": 0.75}


@dataclass
class Evaluated:
    """The documents a query part matches, and what each scores."""

    mask: np.ndarray  # bool, one per document
    score: np.ndarray | None  # float32 or None (filter-only)

    def copy(self) -> Evaluated:
        """An independent copy: callers combine results in place."""
        return Evaluated(self.mask.copy(), None if self.score is None else self.score.copy())


def idf(df: int, live_count: int) -> float:
    """BM25's inverse document frequency (never negative: the Lucene form)."""
    return math.log(1.0 + (live_count - df + 0.5) / (df + 0.5))


def bm25(field: str, tf: np.ndarray, lengths: np.ndarray, avgdl: float,
         term_idf: float) -> np.ndarray:
    """BM25 contribution of a term in ``field`` to each document holding it (frequencies
    ``tf``, field lengths ``lengths``), weighted by the field's weight."""
    b = B.get(field, 0.75)
    norm = K1 * (1.0 - b + b * lengths / avgdl)
    return (TEXT_FIELDS.get(field, 1.0) * term_idf * tf * (K1 + 1.0) / (tf + norm)).astype(
        np.float32, copy=False)


def _added(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    """Two parts' scores added; a part without scores (a pure filter) adds nothing."""
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def and_(a: Evaluated, b: Evaluated) -> Evaluated:
    """Both parts; scores add."""
    return Evaluated(a.mask & b.mask, _added(a.score, b.score))


def or_(a: Evaluated, b: Evaluated) -> Evaluated:
    """Either part; scores add."""
    return Evaluated(a.mask | b.mask, _added(a.score, b.score))
