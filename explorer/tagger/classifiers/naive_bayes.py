"""One-vs-rest multinomial naive Bayes per topic, as a linear model (log-odds per feature).

Naive Bayes is generative: it weighs each word by how much more often a topic's summaries
use it, not by what separates the training rows best, so it spreads weight over a diffuse
topic's whole vocabulary. Its log-odds are linear in the features.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from explorer.tagger.classifiers.base import FitOptions, LinearTopics, empty_result

NAME = "nb"
ALPHA = 0.1  # additive smoothing of the word counts (TF-IDF weights)


def fit(x: sp.csr_matrix, labels: np.ndarray, options: FitOptions) -> LinearTopics:
    """Per topic: log P(word | topic) - log P(word | not topic), and the log prior odds."""
    trainable, out = empty_result(x, labels)
    w = np.ones(x.shape[0]) if options.sample_weight is None else options.sample_weight
    for t in trainable:
        pos = labels[:, t] > 0
        counts = [np.asarray(x[rows].T @ w[rows]).ravel() + ALPHA for rows in (pos, ~pos)]
        logp = [np.log(c / c.sum()) for c in counts]
        out.coef[t] = logp[0] - logp[1]
        out.intercept[t] = np.log(w[pos].sum() / w[~pos].sum())
    return out
