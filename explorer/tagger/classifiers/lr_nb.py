"""Logistic regression and naive Bayes averaged, each scaled to unit spread."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from explorer.tagger.classifiers import logistic, naive_bayes
from explorer.tagger.classifiers.base import FitOptions, LinearTopics

NAME = "lr_nb"
NB_SHARE = 0.5


def fit(x: sp.csr_matrix, labels: np.ndarray, options: FitOptions) -> LinearTopics:
    coef = np.zeros((labels.shape[1], x.shape[1]))
    intercept = np.zeros(labels.shape[1])
    for module, share in ((logistic, 1 - NB_SHARE), (naive_bayes, NB_SHARE)):
        member = module.fit(x, labels, options)
        spread = member.decisions(x).std(axis=0)
        spread[spread <= 0] = 1.0
        coef += share * member.coef / spread[:, None]
        intercept += share * member.intercept / spread
    return LinearTopics(coef, intercept)
