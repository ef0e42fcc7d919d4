"""The one interface every topic classifier meets, and what all of them return.

Every classifier the tagger uses is linear in the features (so its word weights explain a
suggestion and the saved model is plain arrays): it returns one weight row and one
intercept per topic. Training and saving only ever see `LinearTopics`, never the
scikit-learn estimator, which is why `persist` needs no code per classifier.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

FAR = 10.0  # decision value for a topic the training set never (or always) shows


@dataclass(frozen=True)
class FitOptions:
    """What a classifier may be told: regularisation, class weighting, seed, row weights."""

    C: float
    class_weight: str | None
    seed: int
    sample_weight: np.ndarray | None = None


@dataclass
class LinearTopics:
    """Per-topic weights over the features; decision value = x @ coef.T + intercept."""

    coef: np.ndarray  # topics x features
    intercept: np.ndarray  # topics

    def decisions(self, x: sp.csr_matrix) -> np.ndarray:
        return np.asarray(x @ self.coef.T) + self.intercept


class TopicClassifier(Protocol):
    """A classifier module: its registry name and its training function."""

    NAME: str

    def fit(self, x: sp.csr_matrix, labels: np.ndarray, options: FitOptions) -> LinearTopics:
        ...


def trainable_topics(labels: np.ndarray) -> tuple[list[int], LinearTopics]:
    """Topics with both positive and negative examples, and the empty result to fill.

    A topic the training rows never show gets a decision of -FAR (never ranked up); one they
    always show gets +FAR. Classifiers fill only the trainable rows.
    """
    n, n_topics = labels.shape
    out = LinearTopics(np.zeros((n_topics, 0)), np.zeros(n_topics))
    counts = labels.sum(axis=0)
    trainable = [t for t in range(n_topics) if 0 < counts[t] < n]
    for t in range(n_topics):
        if t not in trainable:
            out.intercept[t] = FAR if n and counts[t] == n else -FAR
    return trainable, out


def empty_result(x: sp.csr_matrix, labels: np.ndarray) -> tuple[list[int], LinearTopics]:
    """`trainable_topics` with the weight matrix sized for ``x``."""
    trainable, out = trainable_topics(labels)
    out.coef = np.zeros((labels.shape[1], x.shape[1]))
    return trainable, out


def fit_each_topic(x: sp.csr_matrix, labels: np.ndarray, options: FitOptions,
                   make: Callable[[], Any]) -> LinearTopics:
    """One binary scikit-learn linear estimator per trainable topic (``make`` builds a
    fresh one each time), its weights copied into the result. A solver that stops at its
    iteration limit still gives usable weights, so its ConvergenceWarning is not shown."""
    trainable, out = empty_result(x, labels)
    for t in trainable:
        estimator = make()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(x, labels[:, t], sample_weight=options.sample_weight)
        out.coef[t] = estimator.coef_[0]
        out.intercept[t] = estimator.intercept_[0]
    return out
