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
    return bm25_with_norm(field, tf, length_norm(field, lengths, avgdl), term_idf)


def length_norm(field: str, lengths: np.ndarray, avgdl: float) -> np.ndarray:
    """BM25's length part for documents of field lengths ``lengths``: the same for every
    term, so a snapshot computes it once per field for all documents."""
    b = B.get(field, 0.75)
    return K1 * (1.0 - b + b * lengths / avgdl)


def bm25_with_norm(field: str, tf: np.ndarray, norm: np.ndarray,
                   term_idf: float) -> np.ndarray:
    """`bm25` given the documents' `length_norm` values ``norm``."""
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
