"""The residual label: a topic the editor files a summary under when no subject topic fits.

Such a label (the taxonomy's ``residual_topics``, e.g. "Miscellaneous") has no words of
its own, so a classifier on words cannot learn it: its summaries speak of therapists,
outcomes, depression, like any other. What marks them is how weakly the subject topics
fit, and when the label was in use (the blog introduced it years after it started). So
its score is a small logistic regression on a handful of features that say exactly
that, fitted on out-of-fold scores inside the training data:

* the best calibrated probability among the other topics (low: nothing fits well);
* how many other topics are more likely than not (few: nothing fits clearly);
* the similarity of the nearest archived summary (low: unlike what the archive holds);
* the share of the nearest summaries filed under the residual label;
* whether the text is dated on or after the label's first use in the training data
  (a draft in the editor is dated today).

That probability is then put on the scale of the other topics' blended scores (which are
not probabilities: neighbour votes and name priors are mixed in): the blended score at
which the other topics turn out right, out of fold, as often as the residual probability
says (`score_scale`, isotonic). So the label ranks fifth exactly when it is likelier than
what would otherwise rank fifth.

A short text has too little evidence that nothing fits, so its residual probability is
scaled down in proportion (the same ``topic_evidence_terms`` that governs short input
elsewhere); otherwise a bare title would always look residual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

FEATURE_NAMES = ("best_other", "others_likely", "nearest", "neighbours_with", "in_use")
RESIDUAL_C = 1.0  # few positives (a dozen): keep the four weights small


def year_of(month: str | None) -> float:
    """``"YYYY-MM"`` (or ``"YYYY"``) as a fractional year; NaN when absent or unreadable."""
    if not month:
        return float("nan")
    try:
        parts = str(month).split("-")
        year = int(parts[0])
        mon = int(parts[1]) if len(parts) > 1 else 1
    except ValueError:
        return float("nan")
    if not 1 <= mon <= 12:
        return float("nan")
    return year + (mon - 1) / 12


def today() -> float:
    """Today's date as a fractional year: the date of a draft the editor is writing."""
    now = datetime.now(UTC)
    return now.year + (now.month - 1) / 12


@dataclass(frozen=True)
class Residual:
    """A fitted residual scorer for one topic (``topic`` -1: none, scores pass through)."""

    topic: int = -1
    coef: np.ndarray = field(default_factory=lambda: np.zeros(len(FEATURE_NAMES)))
    intercept: float = 0.0
    mean: np.ndarray = field(default_factory=lambda: np.zeros(len(FEATURE_NAMES)))
    scale: np.ndarray = field(default_factory=lambda: np.ones(len(FEATURE_NAMES)))
    since: float = float("nan")  # first dated use of the label in the training data
    # Out-of-fold hit rate (scale_y, ascending) of the other topics at blended score scale_x
    scale_x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scale_y: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def active(self) -> bool:
        return self.topic >= 0

    def probability(self, prob: np.ndarray, knn: np.ndarray, nearest: np.ndarray,
                    dates: np.ndarray, evidence: np.ndarray | None = None) -> np.ndarray:
        """P(residual label) of each row, scaled by ``evidence`` (0..1) when given."""
        x = residual_features(prob, knn, nearest, dates, self.topic, self.since)
        z = (x - self.mean) / self.scale
        out = 1.0 / (1.0 + np.exp(-(z @ self.coef + self.intercept)))
        return out if evidence is None else out * evidence

    def as_score(self, probability: np.ndarray) -> np.ndarray:
        """The blended score at which other topics are right as often as ``probability``."""
        if len(self.scale_x) == 0:
            return probability
        return np.interp(probability, self.scale_y, self.scale_x)


def residual_arrays(residual: Residual) -> dict[str, np.ndarray]:
    """The scorer as named arrays, for the model's ``arrays.npz``."""
    return {
        "residual_meta": np.array([residual.topic, residual.intercept, residual.since]),
        "residual_coef": residual.coef, "residual_mean": residual.mean,
        "residual_scale": residual.scale, "residual_scale_x": residual.scale_x,
        "residual_scale_y": residual.scale_y,
    }


def residual_from_arrays(arrays: dict[str, np.ndarray]) -> Residual:
    """The scorer saved by `residual_arrays`; a model saved before it existed has none."""
    if "residual_meta" not in arrays:
        return Residual()
    topic, intercept, since = (float(v) for v in arrays["residual_meta"])
    out = Residual(topic=int(topic), coef=arrays["residual_coef"], intercept=intercept,
                   mean=arrays["residual_mean"], scale=arrays["residual_scale"], since=since,
                   scale_x=arrays["residual_scale_x"], scale_y=arrays["residual_scale_y"])
    if out.coef.shape != (len(FEATURE_NAMES),) or out.scale_x.shape != out.scale_y.shape:
        raise ValueError("residual scorer arrays do not match its features")
    return out


def residual_features(prob: np.ndarray, knn: np.ndarray, nearest: np.ndarray,
                      dates: np.ndarray, topic: int, since: float) -> np.ndarray:
    """Rows of (best other probability, others above 0.5, nearest similarity, neighbours
    with the label, in use)."""
    others = np.delete(prob, topic, axis=1) if prob.shape[1] > 1 else np.zeros((len(prob), 1))
    dated = np.where(np.isnan(dates), today(), dates)
    in_use = (dated >= since).astype(np.float64) if not np.isnan(since) else \
        np.ones(len(prob))
    return np.column_stack([others.max(axis=1), (others >= 0.5).sum(axis=1),
                            nearest, knn[:, topic], in_use])


def score_scale(scores: np.ndarray, labels: np.ndarray, topic: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Isotonic map from the other topics' out-of-fold blended scores to their hit rate.

    Returned as (scores, hit rates), both ascending, one point per distinct hit rate (the
    lowest score reaching it), ready for `np.interp` from hit rate back to score.
    """
    keep = np.ones(scores.shape[1], dtype=bool)
    keep[topic] = False
    x, y = scores[:, keep].ravel(), labels[:, keep].ravel().astype(np.float64)
    if len(x) == 0 or y.min() == y.max():
        return np.zeros(0), np.zeros(0)
    iso = IsotonicRegression(increasing=True, out_of_bounds="clip").fit(x, y)
    fitted = iso.predict(np.sort(x))
    rates, first = np.unique(fitted, return_index=True)
    return np.sort(x)[first], rates


def fit_residual(prob: np.ndarray, knn: np.ndarray, nearest: np.ndarray, dates: np.ndarray,
                 labels: np.ndarray, topic: int, min_positives: int, seed: int) -> Residual:
    """Learn the residual scorer of ``topic`` from out-of-fold probabilities and neighbours.

    Returns an inactive scorer when the label has fewer than ``min_positives`` examples or
    none of the other kind (nothing to learn from).
    """
    y = labels[:, topic].astype(int)
    if y.sum() < min_positives or y.sum() == len(y):
        return Residual()
    used = dates[(y == 1) & ~np.isnan(dates)]
    since = float(used.min()) if len(used) else float("nan")
    x = residual_features(prob, knn, nearest, dates, topic, since)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=RESIDUAL_C, random_state=seed, max_iter=1000)
    model.fit((x - mean) / scale, y)
    return Residual(topic=topic, coef=model.coef_[0].copy(), intercept=float(model.intercept_[0]),
                    mean=mean, scale=scale, since=since)


def cross_fitted(prob: np.ndarray, knn: np.ndarray, nearest: np.ndarray, dates: np.ndarray,
                 labels: np.ndarray, topic: int, folds: Sequence[tuple[np.ndarray, np.ndarray]],
                 min_positives: int, seed: int) -> np.ndarray:
    """Residual probabilities of every row from scorers that did not see it (for thresholds)."""
    out = np.zeros(len(prob))
    for train, test in folds:
        scorer = fit_residual(prob[train], knn[train], nearest[train], dates[train],
                              labels[train], topic, min_positives, seed)
        if scorer.active:
            out[test] = scorer.probability(prob[test], knn[test], nearest[test], dates[test])
    return out


def with_residual(scores: np.ndarray, residual: Residual, probability: np.ndarray
                  ) -> np.ndarray:
    """Scores with the residual topic's replaced by its probability, on the blend's scale."""
    if not residual.active:
        return scores
    out = scores.copy()
    out[:, residual.topic] = residual.as_score(probability)
    return out
