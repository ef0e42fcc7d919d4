"""Logistic regression at several strengths of regularisation, averaged.

On a few hundred examples one C over- or under-fits some topics; the average of the fits
at C/3, C and 3C (each scaled to unit spread of its training decisions, as
`classifiers.ensemble` does) is a cheap variance reduction. Still one linear model.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from explorer.tagger.classifiers import logistic
from explorer.tagger.classifiers.base import FitOptions, LinearTopics

NAME = "lr_cs"
SHARES = (1 / 3, 1.0, 3.0)  # multiples of the configured C


def fit(x: sp.csr_matrix, labels: np.ndarray, options: FitOptions) -> LinearTopics:
    """One logistic regression per share of C, each scaled to unit spread, averaged."""
    coef = np.zeros((labels.shape[1], x.shape[1]))
    intercept = np.zeros(labels.shape[1])
    for share in SHARES:
        member = logistic.fit(x, labels, replace(options, C=options.C * share))
        spread = member.decisions(x).std(axis=0)
        spread[spread <= 0] = 1.0
        coef += member.coef / spread[:, None]
        intercept += member.intercept / spread
    return LinearTopics(coef / len(SHARES), intercept / len(SHARES))
