"""The classifier seam: a new classifier is one module plus one registry line, and it trains,
suggests, saves and loads with no other change."""

from __future__ import annotations

import types

import numpy as np
import pytest
import scipy.sparse as sp

from explorer.tagger import TaggerConfig, load_model, registry, save_model, train_model
from explorer.tagger.classifiers.base import FitOptions, LinearTopics, empty_result
from explorer.tagger.features import fields_of
from explorer.tagger.synthetic import synthetic_corpus


def _centroid_fit(x: sp.csr_matrix, labels: np.ndarray, options: FitOptions) -> LinearTopics:
    """A toy classifier: weight = mean of the topic's rows minus mean of the others."""
    trainable, out = empty_result(x, labels)
    dense = x.toarray()
    for t in trainable:
        pos, neg = labels[:, t] > 0, labels[:, t] == 0
        out.coef[t] = dense[pos].mean(axis=0) - dense[neg].mean(axis=0)
    return out


@pytest.fixture()
def centroid(monkeypatch):
    module = types.ModuleType("centroid")
    module.NAME = "centroid"  # type: ignore[attr-defined]
    module.fit = _centroid_fit  # type: ignore[attr-defined]
    monkeypatch.setitem(registry.CLASSIFIERS, "centroid", module)
    return module


@pytest.fixture(scope="module")
def corpus():
    return synthetic_corpus(40, seed=5)


def test_every_bundled_classifier_is_registered_under_its_own_name():
    assert set(registry.CLASSIFIERS) >= {"lr", "svm", "ridge", "ensemble"}
    for name, module in registry.CLASSIFIERS.items():
        assert name == module.NAME and callable(module.fit)


def test_unknown_classifier_names_the_registered_ones():
    with pytest.raises(ValueError, match="unknown classifier 'forest'.*'lr'"):
        registry.classifier("forest")
    with pytest.raises(ValueError, match="unknown classifier"):
        TaggerConfig(classifier="forest")


def test_a_registered_classifier_trains_saves_and_loads(tmp_path, corpus, centroid):
    summaries, taxonomy = corpus
    model = train_model(summaries, taxonomy, config=TaggerConfig(classifier="centroid"))
    lr = train_model(summaries, taxonomy)
    assert not np.allclose(model.topic_coef, lr.topic_coef)  # the toy was really used
    save_model(model, tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.config.classifier == "centroid"
    np.testing.assert_array_equal(loaded.topic_coef, model.topic_coef)
    f = fields_of(summaries[0])
    assert loaded.suggest(f.title, f.text) == model.suggest(f.title, f.text)
    assert summaries[0].topics[0] in [t["topic"] for t in model.suggest(f.title, f.text)["topics"]]


def test_ensemble_is_a_linear_average_of_its_members(corpus):
    from explorer.tagger.classifiers import ensemble, logistic
    from explorer.tagger.features import FeatureSpace
    from explorer.tagger.training_data import prepare

    summaries, taxonomy = corpus
    data = prepare(summaries, taxonomy)
    space = FeatureSpace.fit(data.docs, min_df=2, title_weight=0.6, journal_weight=0.3)
    x = space.transform(data.docs)
    options = FitOptions(C=10.0, class_weight="balanced", seed=0)
    both = ensemble.fit(x, data.labels, options)
    alone = logistic.fit(x, data.labels, options)
    assert both.coef.shape == alone.coef.shape
    assert not np.allclose(both.coef, alone.coef)
    # ranks like its logistic member on the training rows for most documents
    agree = (both.decisions(x).argmax(axis=1) == alone.decisions(x).argmax(axis=1)).mean()
    assert agree > 0.7
