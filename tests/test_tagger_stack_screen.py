"""The re-ranker screen's label co-occurrence and pair features (`bench/tagger_stack_screen.py`).

Its figures in `docs/tagger_benchmarks.md` (sixth pass) rest on these: P(topic | other
topic) from a label matrix, the top-k co-occurrence vote of a summary's best other topics,
and one feature row per (summary, topic) pair in a fixed layout. Checked on a label matrix
and scores worked out by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from tagger_stack_screen import FEATURES, conditional, pair_features, top_k_cooc  # noqa: E402

# Four summaries, three topics: topic 0 on three of them, topic 1 always with topic 0,
# topic 2 once with topic 0 and once alone.
LABELS = np.array([[1, 1, 0], [1, 0, 1], [1, 1, 0], [0, 0, 1]])


def test_conditional_counts_co_occurrence_over_the_given_topic() -> None:
    p = conditional(LABELS, alpha=1e-9)
    assert p[0, 1] == pytest.approx(2 / 3)  # topic 1 on two of topic 0's three summaries
    assert p[1, 0] == pytest.approx(1.0)  # topic 1 never without topic 0
    assert p[1, 2] == pytest.approx(0.0, abs=1e-6)
    assert p[2, 0] == pytest.approx(0.5)
    assert np.all(np.diag(p) == 0)


def test_conditional_shrinks_towards_each_topics_share() -> None:
    p = conditional(LABELS, alpha=1.0)
    # shares 0.75, 0.5, 0.5: one pseudo-summary carrying each topic at its share
    assert p[0, 1] == pytest.approx((2 + 0.5) / (3 + 1))
    assert p[1, 2] == pytest.approx((0 + 0.5) / (2 + 1))
    assert p[1, 0] == pytest.approx((2 + 0.75) / (2 + 1))


def test_top_k_cooc_reads_the_best_other_topics_only() -> None:
    cond = np.array([[0.0, 0.6, 0.2], [0.9, 0.0, 0.3], [0.4, 0.1, 0.0]])
    scores = np.array([[0.9, 0.5, 0.1]])
    best, total, weighted = top_k_cooc(scores, cond, 1)
    # topic 0's best other is topic 1; topics 1 and 2 have topic 0 as best other
    assert best[0].tolist() == pytest.approx([0.9, 0.6, 0.2])
    assert weighted[0].tolist() == pytest.approx([0.9 * 0.5, 0.6 * 0.9, 0.2 * 0.9])
    best, total, weighted = top_k_cooc(scores, cond, 2)
    assert total[0].tolist() == pytest.approx([0.9 + 0.4, 0.6 + 0.1, 0.2 + 0.3])
    assert best[0].tolist() == pytest.approx([0.9, 0.6, 0.3])
    assert weighted[0, 2] == pytest.approx(0.2 * 0.9 + 0.3 * 0.5)


def test_pair_features_one_row_per_summary_and_topic() -> None:
    scores = np.array([[0.2, 0.9, 0.5], [0.7, 0.1, 0.3]])
    zeros = np.zeros_like(scores)
    rows = pair_features(zeros, zeros, zeros, np.array([1.0, 0.5, 0.5]), scores,
                         conditional(LABELS), residual=2, profile=zeros)
    assert rows.shape == (6, len(FEATURES) + 1)  # the topic index comes last
    assert rows[:, -1].tolist() == [0, 1, 2, 0, 1, 2]
    score, rank, from_best = (FEATURES.index(n) for n in ("score", "1/(1+rank)",
                                                          "score - best"))
    assert rows[:, score].tolist() == scores.ravel().tolist()
    assert rows[1, rank] == 1.0 and rows[3, rank] == 1.0  # each summary's best topic
    assert rows[0, rank] == pytest.approx(1 / 3)  # third of three
    assert rows[0, from_best] == pytest.approx(0.2 - 0.9)
    assert rows[:, FEATURES.index("is residual")].tolist() == [0, 0, 1, 0, 0, 1]
