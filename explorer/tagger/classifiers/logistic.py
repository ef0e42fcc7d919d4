"""One-vs-rest logistic regression per topic (liblinear): the default classifier."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from explorer.tagger.classifiers.base import FitOptions, LinearTopics, fit_each_topic

NAME = "lr"


def fit(x: sp.csr_matrix, labels: np.ndarray, options: FitOptions) -> LinearTopics:
    """One binary logistic regression per trainable topic."""
    return fit_each_topic(x, labels, options, lambda: LogisticRegression(
        C=options.C, class_weight=options.class_weight, solver="liblinear",
        random_state=options.seed, max_iter=1000))
