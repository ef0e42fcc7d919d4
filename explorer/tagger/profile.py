"""Per-topic TF-IDF profiles: one centroid per topic, scored by cosine (Annif's "tfidf").

A per-document vote (the nearest-neighbour share) only sees the few summaries closest to a
draft. Topics whose summaries share no single theme (Self-Reflection and Awareness,
Transference and Countertransference, Client Preferences) have no close neighbours, yet
their documents taken together do have a vocabulary: the profile is the normalised sum of
every document of the topic. It needs no training beyond that sum, so it is computed from
the arrays a saved model already holds (the documents' text vectors and labels).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class ProfileScorer:
    """The profile scorer's whole interface: ``fit`` from documents, ``score`` new ones."""

    name = "profile"

    @staticmethod
    def fit(text: sp.csr_matrix, labels: np.ndarray) -> sp.csr_matrix:
        """Topics x features: each topic's documents summed, then L2-normalised."""
        sums = sp.csr_matrix(labels.T.astype(np.float64)) @ text
        norms = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1))).ravel()
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ sums)

    @staticmethod
    def score(text: sp.csr_matrix, profiles: sp.csr_matrix) -> np.ndarray:
        """Docs x topics cosine, rescaled so each document's best topic scores 1 (a vote
        comparable across drafts of any length)."""
        cos = np.asarray((text @ profiles.T).todense())
        top = cos.max(axis=1, keepdims=True)
        top[top <= 0] = 1.0
        return np.clip(cos / top, 0.0, 1.0)
