"""How the parts of a topic score are combined, at training and suggestion time alike.

The calibrated classifier, the neighbour vote, the "text names the topic" prior and (when
weighted) the topic-profile vote are blended by the shares in `TaggerConfig`; label
co-occurrence smoothing may then add the vote of related topics. Kept apart from training
so that out-of-fold scores and live suggestions are computed by the very same code.
"""

from __future__ import annotations

import numpy as np

from explorer.tagger.calibration import probabilities
from explorer.tagger.config import TaggerConfig


def classifier_share(config: TaggerConfig) -> float:
    """The share of the calibrated classifier in the blend (what the rest leaves)."""
    share = 1.0 - config.knn_weight - config.keyword_weight
    return share - config.profile_weight if config.profile_weight else share


def classifier_scores(decisions: np.ndarray, platt: np.ndarray, ranking: np.ndarray | None,
                      mix: float) -> np.ndarray:
    """The classifier's part of the blend: Platt probabilities, or (with ``ranking``
    parameters, see `TaggerConfig.calibration`) ``mix`` of the ranking scale and the rest
    Platt."""
    prob = probabilities(decisions, platt)
    if ranking is None or ranking.shape != platt.shape or mix == 0:
        return prob
    return mix * probabilities(decisions, ranking) + (1.0 - mix) * prob


def residual_view(decisions: np.ndarray, platt: np.ndarray, ranking: np.ndarray | None,
                  config: TaggerConfig) -> np.ndarray:
    """What the residual label reads of the other topics: the classifier's part of the
    blend (so "the best other topic" is judged on the scale topics are ranked by), or
    Platt probabilities when `TaggerConfig.residual_on_platt` says so."""
    if config.residual_on_platt:
        return probabilities(decisions, platt)
    return classifier_scores(decisions, platt, ranking, config.calibration_mix)


def blend(decisions: np.ndarray, platt: np.ndarray, knn: np.ndarray, keyword: np.ndarray,
          config: TaggerConfig, profile: np.ndarray | None = None,
          ranking: np.ndarray | None = None) -> np.ndarray:
    """The final topic score: calibrated classifier, neighbour vote, name prior and (when
    weighted) the topic-profile vote."""
    prob = classifier_scores(decisions, platt, ranking, config.calibration_mix)
    linear_weight = 1.0 - config.knn_weight - config.keyword_weight
    out = config.knn_weight * knn + config.keyword_weight * keyword
    if config.profile_weight and profile is not None:
        linear_weight -= config.profile_weight
        out = out + config.profile_weight * profile
    return linear_weight * prob + out


def frequency_prior(labels: np.ndarray) -> np.ndarray:
    """Each topic's share of the training documents over the largest share (0..1)."""
    if labels.size == 0:
        return np.zeros(labels.shape[1] if labels.ndim == 2 else 0)
    shares = labels.astype(np.float64).mean(axis=0)
    top = shares.max()
    return shares / top if top > 0 else shares


def with_prior(scores: np.ndarray, prior: np.ndarray, weight: float) -> np.ndarray:
    """Blended scores plus ``weight`` times the label-frequency prior of each topic."""
    if weight == 0 or prior.shape != (scores.shape[1],):
        return scores
    return scores + weight * prior[None, :]


def cooccurrence(labels: np.ndarray, alpha: float) -> np.ndarray:
    """``P[s, t]``: how likely topic t is among the other topics of a document with topic s.

    Counts of documents carrying both topics, plus ``alpha`` for every pair (Laplace), each
    row normalised over the other topics; the diagonal is zero. A topic never seen in
    training (or never with another) spreads evenly.
    """
    y = labels.astype(np.float64)
    n_topics = y.shape[1]
    if n_topics < 2:
        return np.zeros((n_topics, n_topics))
    counts = y.T @ y + alpha
    np.fill_diagonal(counts, 0.0)
    return counts / counts.sum(axis=1, keepdims=True)


def smooth(scores: np.ndarray, cooc: np.ndarray, weight: float) -> np.ndarray:
    """Blended scores plus ``weight`` times the co-occurrence vote of the other topics."""
    if weight == 0 or cooc.size == 0:
        return scores
    return scores + weight * (scores @ cooc)


def recall_at(scores: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    """Mean share of each labelled document's topics among its ``k`` best scores."""
    rows = np.flatnonzero(labels.sum(axis=1) > 0)
    if len(rows) == 0:
        return 0.0
    top = np.argsort(-scores[rows], axis=1, kind="stable")[:, :k]
    hits = np.take_along_axis(labels[rows], top, axis=1).sum(axis=1)
    return float(np.mean(hits / labels[rows].sum(axis=1)))
