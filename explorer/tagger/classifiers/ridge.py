"""Ridge regression on +1/-1 targets, all topics in one solve (the fastest to train)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import Ridge

from explorer.tagger.classifiers.base import FitOptions, LinearTopics, empty_result

NAME = "ridge"


def fit(x: sp.csr_matrix, labels: np.ndarray, options: FitOptions) -> LinearTopics:
    """One multi-output ridge fit; ``class_weight`` does not apply to it."""
    trainable, out = empty_result(x, labels)
    if not trainable:
        return out
    targets = labels[:, trainable].astype(np.float64) * 2 - 1
    ridge = Ridge(alpha=1.0 / options.C, solver="sparse_cg", tol=1e-6)
    ridge.fit(x, targets, sample_weight=options.sample_weight)
    out.coef[trainable] = ridge.coef_
    out.intercept[trainable] = ridge.intercept_
    return out
