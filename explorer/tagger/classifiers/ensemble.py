"""Logistic regression, linear SVM and ridge averaged: one linear model of three views.

The three make different mistakes on a few hundred examples (the logistic loss follows the
probabilities, the hinge the margin, ridge every example's distance). Each member's
decision values are divided by their spread over the training rows before averaging, so
no member dominates by scale; the average of linear models is linear, so the result is
one weight row per topic like any other classifier's. The SVM and ridge members run at a
tenth of the logistic regression's C, where `bench/tagger_bench.py` found each best.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from explorer.tagger.classifiers import logistic, ridge, svm
from explorer.tagger.classifiers.base import FitOptions, LinearTopics

NAME = "ensemble"
MEMBERS = ((logistic, 1.0), (svm, 0.1), (ridge, 0.1))  # (module, share of C)


def fit(x: sp.csr_matrix, labels: np.ndarray, options: FitOptions) -> LinearTopics:
    """Each member trained, scaled to unit spread of its training decisions, averaged."""
    coef = np.zeros((labels.shape[1], x.shape[1]))
    intercept = np.zeros(labels.shape[1])
    for module, share in MEMBERS:
        member = module.fit(x, labels, replace(options, C=options.C * share))
        spread = member.decisions(x).std(axis=0)
        spread[spread <= 0] = 1.0
        coef += member.coef / spread[:, None]
        intercept += member.intercept / spread
    return LinearTopics(coef / len(MEMBERS), intercept / len(MEMBERS))
