"""One-vs-rest logistic regression per topic (liblinear): the default classifier."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from explorer.tagger.classifiers.base import FitOptions, LinearTopics, empty_result

NAME = "lr"


def fit(x: sp.csr_matrix, labels: np.ndarray, options: FitOptions) -> LinearTopics:
    """One binary logistic regression per trainable topic."""
    trainable, out = empty_result(x, labels)
    for t in trainable:
        estimator = LogisticRegression(C=options.C, class_weight=options.class_weight,
                                       solver="liblinear", random_state=options.seed,
                                       max_iter=1000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(x, labels[:, t], sample_weight=options.sample_weight)
        out.coef[t] = estimator.coef_[0]
        out.intercept[t] = estimator.intercept_[0]
    return out
