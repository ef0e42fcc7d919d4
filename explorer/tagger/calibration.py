"""Platt scaling: turn each topic's raw decision values into probabilities.

Logistic regression, SVM margins and ridge outputs live on different scales per topic; a
sigmoid fitted on out-of-fold decisions (Platt, 1999, with Lin, Lin & Weng's Newton
method) puts every topic on one scale so that they can be ranked together and blended
with the neighbour vote.

A Platt sigmoid also carries each topic's base rate: a broad topic's documents score
higher than a rare topic's equally clear ones, and a sigmoid fitted on five positives is
loosely determined. Standardising each topic's out-of-fold decisions (`standardising`,
the ``zscore`` scale) ranks topics by how unusual a decision is for that topic instead;
it needs no positives and lifted recall@5 on every fold layout tried (the third pass in
`docs/tagger_benchmarks.md`). Both come out as (slope, offset) pairs for `probabilities`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def fit_platt(decisions: np.ndarray, y: np.ndarray) -> tuple[float, float] | None:
    """Platt's sigmoid ``expit(a * d + c)`` with his smoothed targets; None unless increasing.

    Newton's method with backtracking (Lin, Lin & Weng, 2007): two parameters, so a few
    vectorised steps instead of a general optimiser.
    """
    n_pos = float(y.sum())
    n_neg = float(len(y) - n_pos)
    if n_pos == 0 or n_neg == 0:
        return None
    f = decisions.astype(np.float64)
    target = np.where(y > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def loss(a: float, c: float) -> float:
        z = a * f + c
        return float(np.sum(np.logaddexp(0, z) - target * z))

    a, c = 0.0, float(np.log((n_pos + 1) / (n_neg + 1)))
    value = loss(a, c)
    for _ in range(100):
        p = expit(a * f + c)
        diff = p - target
        grad = np.array([diff @ f, diff.sum()])
        if np.abs(grad).max() < 1e-6:
            break
        w = p * (1 - p)
        hess = np.array([[w @ (f * f), w @ f], [w @ f, w.sum()]]) + 1e-12 * np.eye(2)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        size = 1.0
        while size >= 1e-10:
            new_a, new_c = a - size * step[0], c - size * step[1]
            new_value = loss(new_a, new_c)
            if new_value < value + 1e-4 * size * float(grad @ -step):
                a, c, value = new_a, new_c, new_value
                break
            size /= 2
        else:
            break
    if not np.isfinite(a) or not np.isfinite(c) or a <= 0:
        return None
    return a, c


def standardising(decisions: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
    """Per-topic (slope, offset) that turn decisions into z-scores: 1/sd and -mean/sd.

    Ranking by ``expit`` of these compares topics by how unusual a decision is for that
    topic, not by a probability fitted to its base rate. With ``labels``, the mean and
    spread are those of each topic's negatives (documents without it) where it has at
    least two: how far a decision stands above the documents that are not about the topic.
    """
    n_topics = decisions.shape[1]
    mean, sd = np.zeros(n_topics), np.ones(n_topics)
    for t in range(n_topics):
        column = decisions[:, t]
        if labels is not None and (labels[:, t] == 0).sum() >= 2:
            column = column[labels[:, t] == 0]
        if len(column):
            mean[t], sd[t] = column.mean(), column.std()
    sd = np.where(sd > 1e-12, sd, 1.0)
    return np.column_stack([1.0 / sd, -mean / sd])


def calibrate(decisions: np.ndarray, labels: np.ndarray, min_positives: int,
              method: str = "platt") -> np.ndarray:
    """Per-topic Platt parameters (topics x [slope, offset]).

    Topics with fewer than ``min_positives`` examples share one sigmoid pooled over all
    trained topics: a sigmoid fitted on two positives is noise. ``method`` "zscore" gives
    `standardising` parameters instead ("zscore_negatives": against the documents without
    the topic), "raw" the identity (slope 1, offset 0).
    """
    n_topics = labels.shape[1]
    if method == "raw":
        return np.tile(np.array([1.0, 0.0]), (n_topics, 1))
    if method == "zscore":
        return standardising(decisions)
    if method == "zscore_negatives":
        return standardising(decisions, labels)
    trained = [t for t in range(n_topics) if 0 < labels[:, t].sum() < labels.shape[0]]
    pooled = None
    if trained:
        pooled = fit_platt(decisions[:, trained].ravel(), labels[:, trained].ravel())
    fallback = pooled or (1.0, 0.0)
    platt = np.tile(np.array(fallback, dtype=np.float64), (n_topics, 1))
    for t in trained:
        if labels[:, t].sum() >= min_positives:
            fitted = fit_platt(decisions[:, t], labels[:, t])
            if fitted is not None:
                platt[t] = fitted
    return platt


def probabilities(decisions: np.ndarray, platt: np.ndarray) -> np.ndarray:
    """Decision values through each topic's sigmoid."""
    return expit(decisions * platt[:, 0] + platt[:, 1])
