"""One-vs-rest linear SVM per topic; its margins are calibrated like the others' scores."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from explorer.tagger.classifiers.base import FitOptions, LinearTopics, empty_result

NAME = "svm"


def fit(x: sp.csr_matrix, labels: np.ndarray, options: FitOptions) -> LinearTopics:
    """One linear SVM per trainable topic."""
    trainable, out = empty_result(x, labels)
    for t in trainable:
        estimator = LinearSVC(C=options.C, class_weight=options.class_weight,
                              random_state=options.seed, max_iter=5000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(x, labels[:, t], sample_weight=options.sample_weight)
        out.coef[t] = estimator.coef_[0]
        out.intercept[t] = estimator.intercept_[0]
    return out
