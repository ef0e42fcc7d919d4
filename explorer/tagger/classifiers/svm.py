"""One-vs-rest linear SVM per topic; its margins are calibrated like the others' scores."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.svm import LinearSVC

from explorer.tagger.classifiers.base import FitOptions, LinearTopics, fit_each_topic

NAME = "svm"


def fit(x: sp.csr_matrix, labels: np.ndarray, options: FitOptions) -> LinearTopics:
    """One linear SVM per trainable topic."""
    return fit_each_topic(x, labels, options, lambda: LinearSVC(
        C=options.C, class_weight=options.class_weight, random_state=options.seed,
        max_iter=5000))
