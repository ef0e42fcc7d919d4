"""The nearest-neighbour vote: topics of the archived summaries most like a draft.

A linear classifier needs a topic's words to recur; a summary very like one already tagged
should inherit its tags even when those words are rare. The vote is the similarity-weighted
share of the nearest summaries carrying each topic.
"""

from __future__ import annotations

import numpy as np


def knn_vote(sims: np.ndarray, labels: np.ndarray, k: int, power: float = 1.0) -> np.ndarray:
    """Similarity-weighted share of the ``k`` nearest documents that carry each topic.

    Each neighbour weighs its similarity to the power ``power`` (above 1: the closest
    neighbours count more).
    """
    out = np.zeros((sims.shape[0], labels.shape[1]))
    if sims.shape[1] == 0 or k < 1:
        return out
    for i, row in enumerate(sims):
        top = np.argsort(-row, kind="stable")[:k]
        weights = np.clip(row[top], 0.0, None)
        if power != 1.0:
            weights = weights ** power
        total = weights.sum()
        if total > 0:
            out[i] = weights @ labels[top] / total
    return out
