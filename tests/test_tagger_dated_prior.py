"""The dated label prior: each topic's share among training summaries posted near a text."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.tagger import TaggerConfig, load_model, save_model, train_model
from explorer.tagger.dated_prior import dated_prior
from explorer.tagger.scoring import frequency_prior, with_prior
from explorer.tagger.synthetic import synthetic_corpus

# Topic 0 is used throughout; topic 1 only from 2020 on.
LABELS = np.array([[1, 0], [1, 0], [1, 0], [1, 0], [1, 1], [0, 1], [1, 1], [0, 1]])
DATES = np.array([2014.0, 2014.5, 2015.0, 2015.5, 2020.0, 2020.5, 2021.0, 2021.5])


def test_no_bandwidth_is_the_flat_frequency_prior():
    out = dated_prior(LABELS, DATES, np.array([2014.0, np.nan]), 0.0, 5.0)
    np.testing.assert_allclose(out, np.tile(frequency_prior(LABELS), (2, 1)))


def test_a_topic_used_only_lately_weighs_more_near_recent_dates():
    early, late = dated_prior(LABELS, DATES, np.array([2014.5, 2021.0]), 1.0, 1.0)
    assert late[1] > 3 * early[1]
    assert early[0] > late[0]
    flat = frequency_prior(LABELS)
    assert early[1] < flat[1] < late[1]


def test_a_draft_and_a_date_beyond_the_archive_take_the_newest_window():
    out = dated_prior(LABELS, DATES, np.array([np.nan, 2040.0, DATES.max()]), 1.0, 5.0)
    np.testing.assert_allclose(out[0], out[2])
    np.testing.assert_allclose(out[1], out[2])
    before = dated_prior(LABELS, DATES, np.array([1990.0, DATES.min()]), 1.0, 5.0)
    np.testing.assert_allclose(before[0], before[1])


def test_strength_pulls_towards_the_overall_share():
    at = np.array([2021.0])
    weak = dated_prior(LABELS, DATES, at, 1.0, 0.5)[0]
    strong = dated_prior(LABELS, DATES, at, 1.0, 1e6)[0]
    flat = frequency_prior(LABELS)
    np.testing.assert_allclose(strong, flat, atol=1e-4)
    assert abs(weak[1] - flat[1]) > abs(strong[1] - flat[1])


def test_leave_out_hides_each_summary_from_its_own_prior():
    labels = np.array([[1], [0], [0], [0]])
    dates = np.array([2010.0, 2020.0, 2020.5, 2021.0])
    seen = dated_prior(labels, dates, dates, 0.5, 1.0)
    hidden = dated_prior(labels, dates, dates, 0.5, 1.0, leave_out=True)
    # Alone in its decade, the 2010 summary's own tag is half of its window when seen
    # (itself plus one pseudo-summary at the overall share 0.25; divided by that share).
    assert seen[0, 0] == pytest.approx((1 + 0.25) / 2 / 0.25)
    # Left out, nothing near it remains: only the overall share, 0.25 / 0.25.
    assert hidden[0, 0] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        dated_prior(labels, dates, dates[:2], 0.5, 1.0, leave_out=True)


def test_undated_summaries_count_in_the_overall_share_only():
    labels = np.array([[1, 0], [0, 1], [0, 1]])
    dates = np.array([2020.0, np.nan, np.nan])
    out = dated_prior(labels, dates, np.array([2020.0]), 1.0, 1.0)[0]
    overall = labels.mean(axis=0)
    # One dated summary with topic 0 (weight 1) plus one pseudo-summary at the overall share.
    np.testing.assert_allclose(out, ((labels[0] + overall) / 2) / overall.max())
    assert dated_prior(labels, np.full(3, np.nan), np.array([2020.0]), 1.0, 1.0).shape == (1, 2)


def test_with_prior_adds_a_row_per_text():
    scores = np.zeros((2, 2))
    prior = np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(with_prior(scores, prior, 0.5), 0.5 * prior)


@pytest.mark.parametrize("bad", [{"prior_bandwidth": -1.0}, {"prior_strength": 0.0}])
def test_config_refuses_a_negative_bandwidth_or_no_strength(bad):
    with pytest.raises(ValueError):
        TaggerConfig(**bad)


def test_a_dated_model_follows_the_draft_date_and_survives_saving(tmp_path):
    summaries, taxonomy = synthetic_corpus(60, seed=3)
    config = TaggerConfig(prior_bandwidth=1.0, prior_weight=0.5)
    model = train_model(summaries, taxonomy, config=config)
    assert model.doc_dates.shape == (len(model.doc_ids),)
    save_model(model, tmp_path)
    loaded = load_model(tmp_path)
    np.testing.assert_array_equal(loaded.doc_dates, model.doc_dates)
    text = summaries[0].body
    dated = [s for s in summaries if s.published]
    first, last = min(s.published for s in dated), max(s.published for s in dated)
    for m in (model, loaded):
        early = m.suggest("A draft", text, published=first)["topics"]
        late = m.suggest("A draft", text, published=last)["topics"]
        assert {t["topic"]: t["score"] for t in early} != {t["topic"]: t["score"] for t in late}
    assert model.suggest("A draft", text) == loaded.suggest("A draft", text)
