"""Platt scaling and per-topic thresholds, each on numbers whose answer is known."""

from __future__ import annotations

import numpy as np

from explorer.tagger.calibration import calibrate, fit_platt, probabilities
from explorer.tagger.thresholds import best_cut, tune_thresholds


def test_platt_is_increasing_and_orders_like_the_decisions():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    d = y * 2.0 - 1.0 + rng.normal(0, 0.8, 200)
    a, c = fit_platt(d, y)
    assert a > 0
    p = probabilities(d[:, None], np.array([[a, c]]))[:, 0]
    assert np.all(np.diff(p[np.argsort(d)]) >= 0)
    assert p[y == 1].mean() > 0.6 > 0.4 > p[y == 0].mean()


def test_platt_refuses_one_class_and_decreasing_fits():
    assert fit_platt(np.array([0.1, 0.2]), np.array([1, 1])) is None
    assert fit_platt(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1, 1, 0, 0])) is None


def test_rare_topics_share_the_pooled_sigmoid():
    rng = np.random.default_rng(1)
    labels = np.zeros((60, 2), dtype=np.uint8)
    labels[:30, 0] = 1
    labels[:2, 1] = 1  # two examples: below min_positives
    decisions = labels * 2.0 - 1.0 + rng.normal(0, 0.5, labels.shape)
    platt = calibrate(decisions, labels, min_positives=3)
    pooled = fit_platt(decisions.ravel(), labels.ravel())
    np.testing.assert_allclose(platt[1], pooled)
    assert not np.allclose(platt[0], platt[1])


def test_best_cut_separates_and_never_splits_ties():
    scores = np.array([0.9, 0.8, 0.3, 0.2])
    y = np.array([1, 1, 0, 0])
    cut = best_cut(scores, y)
    assert 0.3 < cut < 0.8
    tied = best_cut(np.array([0.5, 0.5, 0.1]), np.array([1, 0, 0]))
    assert 0.1 < tied < 0.5


def test_thresholds_of_few_examples_lean_on_the_pooled_cut():
    scores = np.array([[0.9, 0.9], [0.8, 0.2], [0.2, 0.1], [0.1, 0.1], [0.7, 0.1]])
    labels = np.array([[1, 1], [1, 0], [0, 0], [0, 0], [1, 0]])
    no_shrink = tune_thresholds(scores, labels, min_positives=1, shrink=0.0)
    shrunk = tune_thresholds(scores, labels, min_positives=1, shrink=3.0)
    pooled = best_cut(scores.ravel(), labels.ravel())
    assert abs(shrunk[1] - pooled) < abs(no_shrink[1] - pooled)
    few = tune_thresholds(scores, labels, min_positives=2, shrink=0.0)
    assert few[1] == pooled  # one example: the pooled cut
