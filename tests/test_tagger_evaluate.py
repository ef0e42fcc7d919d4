"""Evaluation: metric definitions, folds, and that the model beats both baselines."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from explorer.corpus import load_corpus
from explorer.tagger.evaluate import (
    METRIC_NAMES,
    Predictions,
    evaluate,
    topic_metrics,
    type_accuracy,
)
from explorer.tagger.splits import stratified_folds
from explorer.tagger.synthetic import synthetic_corpus

BUNDLED = Path(__file__).resolve().parent.parent / "corpus"


# --------------------------------------------------------------------------- metrics by hand


def test_ranking_metrics_follow_their_definitions():
    topics = ["a", "b", "c", "d", "e", "f"]
    truth = [{"a", "c"}, {"f"}]
    pred = Predictions(
        ranked=[["a", "b", "c", "d", "e", "f"], ["a", "b", "c", "d", "e", "f"]],
        suggested=[{"a", "b"}, {"f"}],
        types=[None, None],
    )
    m = topic_metrics(pred, truth, topics)
    assert m["precision_at_1"] == pytest.approx((1 + 0) / 2)
    assert m["precision_at_3"] == pytest.approx((2 / 3 + 0) / 2, abs=1e-4)
    assert m["recall_at_5"] == pytest.approx((1.0 + 0.0) / 2)
    f1_doc1 = 2 * (2 / 5) * 1.0 / (2 / 5 + 1.0)
    assert m["f1_at_5"] == pytest.approx(f1_doc1 / 2, abs=1e-4)
    dcg = 1 + 1 / math.log2(4)
    idcg = 1 + 1 / math.log2(3)
    assert m["ndcg_at_5"] == pytest.approx(dcg / idcg / 2, abs=1e-4)
    # suggested sets: tp = a, f; fp = b; fn = c
    assert m["micro_f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1), abs=1e-4)
    assert m["per_topic"]["a"] == {"support": 1, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert m["per_topic"]["c"]["recall"] == 0.0
    assert m["per_topic"]["b"]["precision"] == 0.0
    # macro over topics with support (a, c, f): F1 1, 0, 1
    assert m["macro_f1"] == pytest.approx(2 / 3, abs=1e-4)


def test_untagged_documents_are_left_out_of_topic_metrics():
    topics = ["a", "b"]
    pred = Predictions([["a", "b"], ["b", "a"]], [{"a"}, {"b"}], [None, None])
    m = topic_metrics(pred, [{"a"}, set()], topics)
    assert m["documents"] == 1
    assert m["precision_at_1"] == 1.0 and m["micro_f1"] == 1.0


def test_type_accuracy_ignores_documents_without_a_type():
    pred = Predictions([[], [], []], [set(), set(), set()], ["x", "y", "x"])
    assert type_accuracy(pred, ["x", None, "y"]) == 0.5


# --------------------------------------------------------------------------- folds


def test_stratified_folds_partition_and_spread_every_topic():
    summaries, taxonomy = synthetic_corpus(80, seed=5)
    from explorer.tagger.model import prepare

    data = prepare(summaries, taxonomy)
    folds = stratified_folds(data.labels, data.types.tolist(), 4, seed=0)
    tests = np.concatenate([test for _, test in folds])
    assert sorted(tests.tolist()) == list(range(len(summaries)))
    for train, test in folds:
        assert not set(train) & set(test)
    for t in range(len(taxonomy.topics)):
        total = data.labels[:, t].sum()
        if total >= 8:
            per_fold = [data.labels[test, t].sum() for _, test in folds]
            assert max(per_fold) - min(per_fold) <= max(2, total // 4)
    again = stratified_folds(data.labels, data.types.tolist(), 4, seed=0)
    assert all((a[1] == b[1]).all() for a, b in zip(folds, again, strict=True))


def test_too_few_documents_for_the_folds_is_a_value_error():
    summaries, taxonomy = synthetic_corpus(3, seed=1)
    with pytest.raises(ValueError, match="too few"):
        evaluate(summaries, taxonomy, folds=5)


# --------------------------------------------------------------------------- the model earns its place


@pytest.fixture(scope="module")
def report() -> dict:
    summaries, taxonomy = synthetic_corpus(100, seed=2)
    return evaluate(summaries, taxonomy, folds=4, seed=0)


def test_report_has_the_documented_shape(report):
    for block in (report["model"], report["baselines"]["most_frequent"],
                  report["baselines"]["keyword"]):
        for name in METRIC_NAMES:
            assert 0.0 <= block[name] <= 1.0
        assert set(block["per_topic"]) and all(
            set(row) >= {"support", "precision", "recall"} for row in block["per_topic"].values())
    assert 0.0 <= report["research_type_accuracy"] <= 1.0
    assert report["train_seconds"] > 0
    assert report["suggest_ms_median"] > 0
    assert report["folds"] == 4 and report["documents"] == 100


def test_model_beats_both_baselines_on_a_corpus_whose_topics_depend_on_words(report):
    model = report["model"]
    frequent = report["baselines"]["most_frequent"]
    keyword = report["baselines"]["keyword"]
    assert model["recall_at_5"] >= 2 * frequent["recall_at_5"] or model["recall_at_5"] >= 0.95
    for name in ("precision_at_1", "precision_at_3", "ndcg_at_5", "micro_f1", "macro_f1"):
        assert model[name] > frequent[name], name
        assert model[name] > keyword[name], name
    assert model["recall_at_5"] > keyword["recall_at_5"]
    assert report["research_type_accuracy"] > \
        report["baselines"]["most_frequent"]["research_type_accuracy"]


def test_title_alone_stays_above_the_baselines(report):
    title_only = report["model_title_only"]
    keyword_on_titles = report["keyword_title_only"]
    assert title_only["recall_at_5"] > report["baselines"]["most_frequent"]["recall_at_5"]
    assert title_only["recall_at_5"] > keyword_on_titles["recall_at_5"]
    assert title_only["precision_at_1"] > keyword_on_titles["precision_at_1"]


def test_evaluation_is_reproducible():
    summaries, taxonomy = synthetic_corpus(40, seed=4)
    a = evaluate(summaries, taxonomy, folds=3, seed=1, time_training=False, title_only=False)
    b = evaluate(summaries, taxonomy, folds=3, seed=1, time_training=False, title_only=False)
    for block in ("model",):
        assert {k: a[block][k] for k in METRIC_NAMES} == {k: b[block][k] for k in METRIC_NAMES}
    assert a["baselines"] == b["baselines"]
    assert a["research_type_accuracy"] == b["research_type_accuracy"]


# --------------------------------------------------------------------------- bundled corpus


def _bundled():
    if not BUNDLED.is_dir() or len(list(BUNDLED.glob("*.md"))) < 20:
        pytest.skip("the bundled corpus has fewer than 20 summaries so far")
    return load_corpus(BUNDLED)


def test_bundled_corpus_model_beats_the_most_frequent_baseline():
    """Bundled corpus: one held-out fold, the model's recall@5 at least doubles the baseline."""
    loaded = _bundled()
    from explorer.tagger.evaluate import baseline_predictions, model_predictions
    from explorer.tagger.model import fit_prepared, prepare

    data = prepare(loaded.summaries, loaded.taxonomy)
    train, test = stratified_folds(data.labels, data.types.tolist(), 5, seed=0)[0]
    model = fit_prepared(data.subset(train), loaded.taxonomy)
    by_id = {s.id: s for s in loaded.summaries}
    held = [by_id[data.ids[i]] for i in test]
    truth = [{loaded.taxonomy.topics[t] for t in np.flatnonzero(data.labels[i])} for i in test]
    ours = topic_metrics(model_predictions(model, held, title_only=False, latencies=None),
                         truth, loaded.taxonomy.topics)
    base = baseline_predictions(data.subset(train), data.subset(test), loaded.taxonomy)
    frequent = topic_metrics(base["most_frequent"], truth, loaded.taxonomy.topics)
    keyword = topic_metrics(base["keyword"], truth, loaded.taxonomy.topics)
    assert ours["recall_at_5"] >= 2 * frequent["recall_at_5"]
    assert ours["recall_at_5"] > keyword["recall_at_5"]
    assert ours["precision_at_1"] > keyword["precision_at_1"]
