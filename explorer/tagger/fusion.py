"""Reciprocal-rank fusion of the topic score's parts, an alternative to the score blend.

The blend adds a calibrated probability, a neighbour share and a name prior, three scales
that only roughly agree. Rank fusion reads each part only for the order it puts the topics
in, so no part can dominate by its scale; it is kept as a switch
(`TaggerConfig.fusion`) so the bench can compare it with the blend.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata


def reciprocal_ranks(scores: np.ndarray, k: float) -> np.ndarray:
    """``(k + 1) / (k + rank)`` of every topic in every row (rank 1: best; ties share the
    mean rank, so a part that cannot tell topics apart favours none)."""
    scores = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    ranks = rankdata(-scores, method="average", axis=1)
    return (k + 1.0) / (k + ranks)


def rank_fusion(parts: Sequence[np.ndarray], weights: Sequence[float], k: float) -> np.ndarray:
    """Weighted sum of each part's reciprocal ranks: 1.0 for a topic every part ranks first
    (when the weights sum to 1)."""
    if len(parts) != len(weights):
        raise ValueError("one weight per part is needed")
    if k <= 0:
        raise ValueError("k must be positive")
    out: np.ndarray | None = None
    for part, weight in zip(parts, weights, strict=True):
        if weight == 0:
            continue
        term = weight * reciprocal_ranks(part, k)
        out = term if out is None else out + term
    if out is None:
        return np.zeros(np.atleast_2d(parts[0]).shape)
    return out
