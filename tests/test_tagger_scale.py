"""Putting topics on one scale: z-scored decisions, raw decisions, the frequency prior."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.tagger import TaggerConfig, load_model, save_model, train_model
from explorer.tagger.calibration import calibrate, probabilities, standardising
from explorer.tagger.scoring import classifier_scores, frequency_prior, with_prior
from explorer.tagger.synthetic import synthetic_corpus


def test_zscore_parameters_standardise_each_topic():
    rng = np.random.default_rng(0)
    decisions = np.column_stack([rng.normal(-3.0, 0.5, 300), rng.normal(1.0, 4.0, 300),
                                 np.full(300, 2.0)])
    labels = (rng.random((300, 3)) < 0.2).astype(np.uint8)
    params = calibrate(decisions, labels, min_positives=3, method="zscore")
    np.testing.assert_allclose(params, standardising(decisions))
    z = decisions * params[:, 0] + params[:, 1]
    np.testing.assert_allclose(z[:, :2].mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(z[:, :2].std(axis=0), 1.0, atol=1e-9)
    np.testing.assert_allclose(z[:, 2], 0.0)  # a constant topic: no division by zero
    # A decision one spread above its topic's mean ranks alike in both topics, although
    # the raw values (-2.5 and 5.0) are far apart.
    one_up = np.array([[decisions[:, 0].mean() + decisions[:, 0].std(),
                        decisions[:, 1].mean() + decisions[:, 1].std(), 2.0]])
    p = probabilities(one_up, params)[0]
    assert p[0] == pytest.approx(p[1]) and p[0] > p[2] == pytest.approx(0.5)


def test_raw_calibration_is_the_identity_and_platt_is_the_default_of_calibrate():
    decisions = np.array([[0.0, 1.0], [2.0, -1.0], [1.0, 0.5]])
    labels = np.array([[0, 1], [1, 0], [1, 1]])
    raw = calibrate(decisions, labels, min_positives=1, method="raw")
    np.testing.assert_array_equal(raw, [[1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(calibrate(decisions, labels, 1),
                                  calibrate(decisions, labels, 1, method="platt"))


def test_frequency_prior_is_the_share_over_the_largest():
    labels = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 0], [0, 1, 0]])
    np.testing.assert_allclose(frequency_prior(labels), [1.0, 2 / 3, 0.0])
    scores = np.array([[0.2, 0.3, 0.1]])
    np.testing.assert_allclose(with_prior(scores, frequency_prior(labels), 0.3),
                               [[0.5, 0.5, 0.1]])
    np.testing.assert_array_equal(with_prior(scores, frequency_prior(labels), 0.0), scores)


@pytest.mark.parametrize("bad", [{"calibration": "isotonic"}, {"prior_weight": 1.5}])
def test_config_refuses_unknown_scales(bad):
    with pytest.raises(ValueError):
        TaggerConfig(**bad)


def test_a_zscore_model_with_a_prior_survives_saving(tmp_path):
    summaries, taxonomy = synthetic_corpus(60, seed=3)
    config = TaggerConfig(calibration="zscore", prior_weight=0.1)
    model = train_model(summaries, taxonomy, config=config)
    base = train_model(summaries, taxonomy, config=TaggerConfig(calibration="zscore"))
    text = summaries[0].body
    with_boost = {t["topic"]: t["score"] for t in model.suggest("A draft", text, limit=40)["topics"]}
    without = {t["topic"]: t["score"] for t in base.suggest("A draft", text, limit=40)["topics"]}
    counts = {t: sum(t in s.topics for s in summaries) for t in taxonomy.topics}
    frequent, rare = max(counts, key=counts.get), min(counts, key=counts.get)
    # the prior lifts the most frequent topic by more than the rarest
    assert with_boost[frequent] - without[frequent] > with_boost[rare] - without[rare]
    # Platt stays fitted (the residual label reads it); the ranking scale is saved beside it
    assert model.ranking.shape == model.platt.shape == (len(taxonomy.topics), 2)
    assert not np.allclose(model.ranking, model.platt)
    save_model(model, tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.config == config
    np.testing.assert_array_equal(loaded.ranking, model.ranking)
    assert loaded.suggest("A draft", text) == model.suggest("A draft", text)


def test_zscore_against_negatives_ignores_the_topics_own_documents():
    decisions = np.array([[5.0, 0.0], [6.0, 1.0], [0.0, 2.0], [2.0, 3.0]])
    labels = np.array([[1, 0], [1, 0], [0, 0], [0, 1]])
    params = calibrate(decisions, labels, min_positives=1, method="zscore_negatives")
    # topic 0: negatives 0 and 2 -> mean 1, sd 1; topic 1: negatives 0, 1, 2 -> mean 1
    np.testing.assert_allclose(params[0], [1.0, -1.0])
    np.testing.assert_allclose(params[1], [1 / np.std([0.0, 1.0, 2.0]),
                                           -1 / np.std([0.0, 1.0, 2.0])])
    # one negative only: the whole column is used
    few = standardising(decisions[:, :1], np.array([[1], [1], [1], [0]]))
    np.testing.assert_allclose(few, standardising(decisions[:, :1]))


def test_classifier_scores_mix_the_ranking_scale_with_platt():
    decisions = np.array([[0.0, 2.0]])
    platt = np.array([[1.0, 0.0], [1.0, 0.0]])
    ranking = np.array([[1.0, 2.0], [1.0, -2.0]])
    p_platt = probabilities(decisions, platt)
    p_rank = probabilities(decisions, ranking)
    np.testing.assert_allclose(classifier_scores(decisions, platt, None, 1.0), p_platt)
    np.testing.assert_allclose(classifier_scores(decisions, platt, ranking, 1.0), p_rank)
    np.testing.assert_allclose(classifier_scores(decisions, platt, ranking, 0.5),
                               (p_platt + p_rank) / 2)
    assert TaggerConfig().calibration_mix == 1.0
    with pytest.raises(ValueError):
        TaggerConfig(calibration_mix=1.5)


def test_a_platt_model_has_no_ranking_scale():
    summaries, taxonomy = synthetic_corpus(40, seed=1)
    model = train_model(summaries, taxonomy, config=TaggerConfig(calibration="platt"))
    assert model.ranking.size == 0
    assert train_model(summaries, taxonomy).ranking.shape == (len(taxonomy.topics), 2)


def test_a_config_saved_before_the_ranking_scale_keeps_platt():
    saved = TaggerConfig().to_dict()
    for name in ("calibration", "prior_weight", "calibration_mix", "residual_on_platt"):
        saved.pop(name)
    old = TaggerConfig.from_dict(saved)
    assert (old.calibration, old.prior_weight) == ("platt", 0.0)
    assert TaggerConfig.from_dict(TaggerConfig().to_dict()) == TaggerConfig()
