"""Per-topic thresholds: which ranked topics get ticked.

With a few examples per topic, calibrated probabilities stay small and one fixed cut-off
would tick the common topics only; each topic gets the F1-best cut on out-of-fold scores,
shrunk towards the pooled cut in proportion to how few examples it has.
"""

from __future__ import annotations

import numpy as np


def best_cut(scores: np.ndarray, y: np.ndarray) -> float:
    """The threshold that maximises F1 of ``scores >= threshold`` against ``y``."""
    positives = float(y.sum())
    if positives == 0 or len(scores) == 0:
        return float(scores.max()) + 1e-6 if len(scores) else 0.5
    order = np.argsort(-scores, kind="stable")
    s = scores[order]
    yy = y[order].astype(np.float64)
    tp = np.cumsum(yy)
    fp = np.cumsum(1.0 - yy)
    f1 = 2 * tp / (tp + fp + positives)
    ends = np.append(s[:-1] > s[1:], True)  # a cut may not split tied scores
    best = int(np.argmax(np.where(ends, f1, -1.0)))
    if best + 1 < len(s):
        return float((s[best] + s[best + 1]) / 2)
    return float(s[best]) - 1e-9


def tune_thresholds(scores: np.ndarray, labels: np.ndarray, *, min_positives: int,
                    shrink: float) -> np.ndarray:
    """Per-topic F1-best thresholds on out-of-fold scores, shrunk towards the global one."""
    n_topics = labels.shape[1]
    pooled = best_cut(scores.ravel(), labels.ravel()) if labels.any() else 0.5
    thresholds = np.full(n_topics, pooled)
    for t in range(n_topics):
        positives = float(labels[:, t].sum())
        if positives >= min_positives:
            best = best_cut(scores[:, t], labels[:, t])
            thresholds[t] = (positives * best + shrink * pooled) / (positives + shrink)
    return thresholds
