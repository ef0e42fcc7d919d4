"""Training choices made inside the training data: blend shares, title copies for types."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.tagger import TaggerConfig, train_model
from explorer.tagger.config import BLEND_GRID
from explorer.tagger.synthetic import synthetic_corpus


@pytest.fixture(scope="module")
def corpus():
    return synthetic_corpus(60, seed=3)


def test_tuned_blend_takes_its_shares_from_the_grid(corpus):
    summaries, taxonomy = corpus
    model = train_model(summaries, taxonomy, config=TaggerConfig(tune_blend=True))
    assert (model.config.knn_weight, model.config.keyword_weight) in BLEND_GRID


def test_without_tuning_the_configured_shares_stay(corpus):
    summaries, taxonomy = corpus
    config = TaggerConfig(knn_weight=0.25, keyword_weight=0.15)
    model = train_model(summaries, taxonomy, config=config)
    assert model.config == config


def test_title_copies_for_the_type_model_change_only_the_type_model(corpus):
    summaries, taxonomy = corpus
    without = train_model(summaries, taxonomy, config=TaggerConfig(type_title_copy_weight=0.0))
    with_copies = train_model(summaries, taxonomy,
                              config=TaggerConfig(type_title_copy_weight=0.6))
    np.testing.assert_array_equal(without.topic_coef, with_copies.topic_coef)
    np.testing.assert_array_equal(without.thresholds, with_copies.thresholds)
    assert not np.allclose(without.type_coef, with_copies.type_coef)
