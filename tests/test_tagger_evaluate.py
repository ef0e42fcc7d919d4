"""Evaluation: metric definitions, folds, and that the model beats both baselines."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest

from explorer.corpus import load_corpus
from explorer.records import Citation, Summary, Taxonomy
from explorer.tagger.config import DEFAULT_CONFIG
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
    from explorer.tagger.training_data import prepare

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


# --------------------------------------------------------------------------- bundled corpus


def _bundled():
    if not BUNDLED.is_dir() or len(list(BUNDLED.glob("*.md"))) < 20:
        pytest.skip("the bundled corpus has fewer than 20 summaries so far")
    return load_corpus(BUNDLED)


def test_bundled_corpus_model_beats_the_most_frequent_baseline():
    """Bundled corpus: one held-out fold, the model's recall@5 at least doubles the baseline."""
    loaded = _bundled()
    from explorer.tagger.evaluate import baseline_predictions, model_predictions
    from explorer.tagger.training import fit_prepared
    from explorer.tagger.training_data import prepare

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


# --------------------------------------------------------------------------- baselines by hand

NATURALISTIC = "Naturalistic, observational or qualitative study"
RCT = "Randomized controlled trial"
REVIEW = "Review, chapter or commentary"
HAND_TAXONOMY = Taxonomy(
    topics=["Alliance", "Depression", "Group Therapy"],
    research_types=[NATURALISTIC, "Meta-analysis", REVIEW, RCT],
    type_aliases={"Qualitative": NATURALISTIC, "Review": REVIEW},
)


def _summary(n: int, title: str, text: str, topics: list[str], rtype: str | None) -> Summary:
    return Summary(id=f"2020-01-doc-{n}", published="2020-01", title=title, body=text,
                   implications="", citation=Citation(), topics=topics, research_type=rtype)


# Training folds: Depression 3 times, Alliance and Group Therapy once each (a tie, broken by
# taxonomy order); the tagged documents carry 3, 1, 1 topics (mean 1.67 -> 2 suggested; the
# untagged one does not count); the most common research type is the taxonomy's first.
HAND_TRAIN = [
    _summary(1, "One", "Words.", ["Alliance", "Depression", "Group Therapy"], NATURALISTIC),
    _summary(2, "Two", "Words.", ["Depression"], NATURALISTIC),
    _summary(3, "Three", "Words.", ["Depression"], RCT),
    _summary(4, "Four", "Words.", [], None),
]
HAND_TEST = [
    _summary(5, "A randomized trial of group therapy for depression", "Sessions were weekly.",
             ["Depression"], RCT),
    _summary(6, "Working together in sessions",
             "We interviewed clients; the interview asked about the alliance. A review.",
             ["Alliance"], NATURALISTIC),
    _summary(7, "Therapists talk", "Nothing here names a topic.", ["Alliance"], None),
    _summary(8, "A meta-analysis of randomized trials of group work", "", ["Group Therapy"],
             None),
]


@pytest.fixture  # per test, not per module: cheap, and each test then runs the baselines itself
def hand_baselines() -> dict[str, Predictions]:
    from explorer.tagger.evaluate import baseline_predictions
    from explorer.tagger.training_data import prepare

    train = prepare(HAND_TRAIN, HAND_TAXONOMY)
    test = prepare(HAND_TEST, HAND_TAXONOMY)
    assert [s.id for s in HAND_TEST] == test.ids
    return baseline_predictions(train, test, HAND_TAXONOMY)


def test_most_frequent_baseline_ranks_topics_by_training_count(hand_baselines):
    frequent = hand_baselines["most_frequent"]
    order = ["Depression", "Alliance", "Group Therapy"]
    assert frequent.ranked == [order] * 4
    assert frequent.suggested == [{"Depression", "Alliance"}] * 4
    assert frequent.types == [NATURALISTIC] * 4


def test_most_frequent_baseline_without_tagged_training_documents():
    from explorer.tagger.evaluate import baseline_predictions
    from explorer.tagger.training_data import prepare

    train = prepare([HAND_TRAIN[3]], HAND_TAXONOMY)  # untagged, untyped
    frequent = baseline_predictions(train, prepare(HAND_TEST[:1], HAND_TAXONOMY),
                                    HAND_TAXONOMY)["most_frequent"]
    assert frequent.ranked == [HAND_TAXONOMY.topics]  # no counts: taxonomy order
    assert frequent.suggested == [{"Alliance"}]  # at least one suggestion
    assert frequent.types == [None]


def test_keyword_baseline_ranks_topics_named_in_the_text(hand_baselines):
    keyword = hand_baselines["keyword"]
    assert keyword.ranked == [
        ["Depression", "Group Therapy", "Alliance"],  # both named in full; more frequent first
        ["Alliance", "Depression", "Group Therapy"],  # only Alliance named
        ["Depression", "Alliance", "Group Therapy"],  # nothing named: training frequency
        ["Group Therapy", "Depression", "Alliance"],  # "group" is half of Group Therapy
    ]
    assert keyword.suggested == [{"Depression", "Group Therapy"}, {"Alliance"}, set(), set()]


def test_keyword_baseline_guesses_the_type_from_cue_words(hand_baselines):
    assert hand_baselines["keyword"].types == [
        RCT,  # "randomized trial" in the title
        NATURALISTIC,  # no title cue; "interview" twice beats "review" once in the text
        NATURALISTIC,  # no cue at all: the training majority
        "Meta-analysis",  # two cue groups in the title: the first in cue order wins
    ]


def test_baseline_figures_on_the_hand_worked_example(hand_baselines):
    truth = [set(s.topics) for s in HAND_TEST]
    topics = HAND_TAXONOMY.topics
    frequent = topic_metrics(hand_baselines["most_frequent"], truth, topics)
    # top-1 is Depression for all four: right once; top-3 holds each truth once
    assert frequent["precision_at_1"] == 0.25
    assert frequent["precision_at_3"] == pytest.approx(1 / 3, abs=1e-4)
    assert frequent["recall_at_5"] == 1.0
    keyword = topic_metrics(hand_baselines["keyword"], truth, topics)
    assert keyword["precision_at_1"] == 0.75
    types = [s.research_type for s in HAND_TEST]
    assert type_accuracy(hand_baselines["keyword"], types) == 1.0
    assert type_accuracy(hand_baselines["most_frequent"], types) == 0.5


def test_precision_at_3_counts_three_ranks_only():
    pred = Predictions(ranked=[["a", "b", "c", "d"]], suggested=[set()], types=[None])
    m = topic_metrics(pred, [{"a", "d"}], ["a", "b", "c", "d"])
    assert m["precision_at_3"] == 0.3333  # rounded to four places
    assert m["recall_at_5"] == 1.0
    assert m["micro_f1"] == 0.0 and m["macro_f1"] == 0.0


@pytest.mark.parametrize(("suggested", "micro"), [({"a"}, 0.6667), ({"a", "c", "d"}, 0.4)])
def test_micro_f1_by_hand(suggested, micro):
    pred = Predictions([["a"]], [suggested], [None])
    m = topic_metrics(pred, [{"a", "b"}], ["a", "b", "c", "d"])
    assert m["micro_f1"] == micro  # tp 1, fn 1, and fp 0 or 2


def test_per_topic_recall_is_rounded_to_four_places():
    truth = [{"a"}, {"a"}, {"a"}]
    pred = Predictions([[]] * 3, [{"a"}, set(), set()], [None] * 3)
    assert topic_metrics(pred, truth, ["a"])["per_topic"]["a"]["recall"] == 0.3333


def test_short_rankings_count_missing_ranks_as_misses():
    pred = Predictions(ranked=[["b"]], suggested=[{"b"}], types=[None])
    m = topic_metrics(pred, [{"a"}], ["a", "b"])
    assert {k: m[k] for k in METRIC_NAMES} == {k: 0.0 for k in METRIC_NAMES}
    assert m["per_topic"]["b"] == {"support": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert m["per_topic"]["a"] == {"support": 1, "precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_no_tagged_document_gives_zeros_not_an_error():
    pred = Predictions([["a"]], [{"a"}], [None])
    m = topic_metrics(pred, [set()], ["a"])
    assert m == {name: 0.0 for name in METRIC_NAMES} | {"per_topic": {}, "documents": 0}
    assert type_accuracy(pred, [None]) == 0.0


class RecordingModel:
    """Answers like `TopicModel.suggest` and records how it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple, dict]] = []

    def suggest(self, *args: object, **kwargs: object) -> dict:
        self.calls.append((args, kwargs))
        typed = len(self.calls) % 2 == 1
        return {
            "topics": [{"topic": "Depression", "suggested": True},
                       {"topic": "Alliance", "suggested": False},
                       {"topic": "Group Therapy", "suggested": True}],
            "research_type": [{"type": RCT}, {"type": REVIEW}] if typed else [],
        }


def test_model_is_asked_as_the_editor_asks_it():
    from explorer.tagger.evaluate import model_predictions
    from explorer.tagger.features import fields_of

    model = RecordingModel()
    latencies: list[float] = []
    summaries = [_summary(9, "Cited work", "Body.", [], None), HAND_TEST[1]]
    summaries[0].citation = Citation(title="The study's own title", journal="Psychotherapy")
    started = time.perf_counter()
    pred = model_predictions(model, summaries, title_only=False, latencies=latencies)
    elapsed = time.perf_counter() - started
    fields = [fields_of(s) for s in summaries]
    assert fields[0].journal == "Psychotherapy"
    # Each held-out summary keeps its own date (the residual label's use changed over time).
    assert model.calls == [((f.title, f.text), {"journal": f.journal, "limit": 8,
                                                "published": s.published or s.added})
                           for f, s in zip(fields, summaries, strict=True)]
    assert pred.ranked == [["Depression", "Alliance", "Group Therapy"]] * 2
    assert pred.suggested == [{"Depression", "Group Therapy"}] * 2
    assert pred.types == [RCT, None]  # the top type; none offered: None
    assert len(latencies) == 2 and all(0 <= s <= elapsed for s in latencies)


def test_title_only_asks_with_the_title_alone():
    from explorer.tagger.evaluate import model_predictions

    model = RecordingModel()
    pred = model_predictions(model, HAND_TEST[:1], title_only=True, latencies=None)
    assert model.calls == [((), {"title": HAND_TEST[0].title, "limit": 8,
                                 "published": HAND_TEST[0].published})]
    assert pred.types == [RCT]


def test_per_topic_figures_by_hand():
    topics = ["a", "b", "c", "d", "e", "f", "z"]
    truth = [{"a", "d", "e", "f"}, {"a", "d"}, {"c"}, {"e"}]
    suggested = [{"a", "d", "e", "f"}, {"a", "b", "e"}, {"a", "e"}, {"f"}]
    m = topic_metrics(Predictions([[]] * 4, suggested, [None] * 4), truth, topics)
    row = {t: (v["support"], v["precision"], v["recall"], v["f1"]) for t, v in m["per_topic"].items()}
    assert row == {
        "a": (2, 0.6667, 1.0, 0.8),  # tp 2, fp 1
        "b": (0, 0.0, 0.0, 0.0),  # fp 1
        "c": (1, 0.0, 0.0, 0.0),  # fn 1
        "d": (2, 1.0, 0.5, 0.6667),  # tp 1, fn 1
        "e": (2, 0.3333, 0.5, 0.4),  # tp 1, fp 2, fn 1
        "f": (1, 0.5, 1.0, 0.6667),  # tp 1, fp 1
        "z": (0, 0.0, 0.0, 0.0),  # never true, never suggested
    }
    assert m["micro_f1"] == pytest.approx(10 / 18, abs=1e-4)  # tp 5, fp 5, fn 3
    assert m["macro_f1"] == pytest.approx((0.8 + 0 + 2 / 3 + 0.4 + 2 / 3) / 5, abs=1e-4)


def test_f1_at_5_when_half_the_topics_are_found():
    pred = Predictions([["a", "b", "c", "d", "e"]], [set()], [None])
    m = topic_metrics(pred, [{"a", "z"}], ["a", "b", "c", "d", "e", "z"])
    precision, recall = 1 / 5, 1 / 2
    assert m["f1_at_5"] == pytest.approx(2 * precision * recall / (precision + recall), abs=1e-4)
    assert m["recall_at_5"] == 0.5


def test_ndcg_counts_at_most_five_relevant_ranks():
    topics = ["a", "b", "c", "d", "e", "f"]
    pred = Predictions([topics], [set()], [None])
    m = topic_metrics(pred, [set(topics)], topics)  # six true topics, the first five ranked
    assert m["ndcg_at_5"] == 1.0 and m["precision_at_1"] == 1.0


def test_type_accuracy_is_rounded_to_four_places():
    pred = Predictions([[], [], []], [set(), set(), set()], ["x", "y", "y"])
    assert type_accuracy(pred, ["x", "x", "x"]) == 0.3333


def test_most_frequent_baseline_with_one_topic_per_document():
    from explorer.tagger.evaluate import baseline_predictions
    from explorer.tagger.training_data import prepare

    train = prepare([_summary(1, "One", "W.", ["Depression"], RCT),
                     _summary(2, "Two", "W.", ["Depression"], RCT),
                     _summary(3, "Three", "W.", ["Group Therapy"], NATURALISTIC)], HAND_TAXONOMY)
    frequent = baseline_predictions(train, prepare(HAND_TEST[:1], HAND_TAXONOMY),
                                    HAND_TAXONOMY)["most_frequent"]
    assert frequent.ranked == [["Depression", "Group Therapy", "Alliance"]]
    assert frequent.suggested == [{"Depression"}]  # one topic per document: one suggested
    assert frequent.types == [RCT]  # the majority, not the taxonomy's first type


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("A review of alliance research", "", REVIEW),
        ("Interviews with clients", "", NATURALISTIC),
        ("A randomized study of alliance", "", RCT),
        ("Alliance", "A review, and another review. One interview.", REVIEW),
        ("Alliance", "Nothing that names a design.", NATURALISTIC),  # the training majority
    ],
)
def test_keyword_baseline_type_from_title_then_text(title, text, expected):
    from explorer.tagger.evaluate import baseline_predictions
    from explorer.tagger.training_data import prepare

    train = prepare(HAND_TRAIN, HAND_TAXONOMY)
    test = prepare([_summary(9, title, text, [], None)], HAND_TAXONOMY)
    assert baseline_predictions(train, test, HAND_TAXONOMY)["keyword"].types == [expected]


def test_keyword_baseline_without_design_types_in_the_taxonomy():
    from explorer.tagger.evaluate import baseline_predictions
    from explorer.tagger.training_data import prepare

    taxonomy = Taxonomy(topics=HAND_TAXONOMY.topics, research_types=["Other"])
    train = prepare([_summary(1, "One", "W.", ["Depression"], "Other")], taxonomy)
    test = prepare([_summary(9, "A randomized review", "An interview.", [], None)], taxonomy)
    assert baseline_predictions(train, test, taxonomy)["keyword"].types == ["Other"]


# --------------------------------------------------------------------------- the report document


def test_report_document_on_a_small_corpus():
    """One test, not a fixture shared by several: each check then runs the evaluation."""
    summaries, taxonomy = synthetic_corpus(30, seed=7)
    summaries[0].topics = []  # one untagged summary: trained on, left out of the topic figures
    messages: list[str] = []
    report = evaluate(summaries, taxonomy, folds=3, seed=3, progress=messages.append,
                      with_predictions=True)
    assert (report["folds"], report["seed"], report["documents"]) == (3, 3, 30)
    assert report["untagged_skipped"] == 1
    assert report["model"]["documents"] == 29
    assert len(messages) == 4 and messages[-1] == "timing training on the whole corpus"
    sizes = [tuple(int(n) for n in m.split(": ")[1].replace("training on ", "")
                   .replace("testing on ", "").split(", ")) for m in messages[:3]]
    assert [m.split(":")[0] for m in messages[:3]] == ["fold 1/3", "fold 2/3", "fold 3/3"]
    assert all(train + test == 30 for train, test in sizes)
    assert sum(test for _, test in sizes) == 30
    assert report["train_seconds"] > 0 and report["fold_train_seconds_mean"] > 0
    assert report["suggest_ms_median"] > 0
    assert report["config"] == DEFAULT_CONFIG.to_dict()

    assert set(report["baselines"]) == {"most_frequent", "keyword"}
    for block in report["baselines"].values():
        assert 0.0 <= block["research_type_accuracy"] <= 1.0 and block["documents"] == 29
    for name in ("model_title_only", "keyword_title_only"):
        assert "per_topic" not in report[name] and report[name]["documents"] == 29
    assert 0.0 <= report["model_title_only"]["research_type_accuracy"] <= 1.0
    by_id = {s.id: s for s in summaries}
    predictions = report["predictions"]
    assert sorted(p["id"] for p in predictions) == sorted(by_id)
    for p in predictions:
        assert p["topics"] == sorted(by_id[p["id"]].topics)
        assert p["research_type"] == by_id[p["id"]].research_type
        assert 0 < len(p["ranked"]) <= 8 and set(p["suggested"]) <= set(p["ranked"])
    assert all(p["predicted_type"] for p in predictions)
    # the report's model figures are those of these predictions
    tagged = [p for p in predictions if p["topics"]]
    p1 = sum(p["ranked"][0] in p["topics"] for p in tagged) / len(tagged)
    assert report["model"]["precision_at_1"] == pytest.approx(p1, abs=1e-4)


def test_without_whole_corpus_timing_train_seconds_is_the_fold_mean():
    summaries, taxonomy = synthetic_corpus(24, seed=9)
    messages: list[str] = []
    report = evaluate(summaries, taxonomy, folds=3, seed=0, time_training=False,
                      title_only=False, progress=messages.append)
    assert report["train_seconds"] == report["fold_train_seconds_mean"] > 0
    assert "model_title_only" not in report and "predictions" not in report
    assert len(messages) == 3


def test_evaluation_is_reproducible():
    summaries, taxonomy = synthetic_corpus(24, seed=4)
    a = evaluate(summaries, taxonomy, folds=3, seed=1, time_training=False, title_only=False)
    b = evaluate(summaries, taxonomy, folds=3, seed=1, time_training=False, title_only=False)
    for block in ("model",):
        assert {k: a[block][k] for k in METRIC_NAMES} == {k: b[block][k] for k in METRIC_NAMES}
    assert a["baselines"] == b["baselines"]
    assert a["research_type_accuracy"] == b["research_type_accuracy"]


# --------------------------------------------------------------------------- the report, by hand
# A dozen one-topic summaries whose texts name their topic in full and whose titles carry a
# design cue, two folds and a model trained without inner folds: each evaluation takes a
# fraction of a second, so every check below runs the whole report (and mutation testing
# can afford it). The baseline figures do not depend on the model and are worked by hand.

TINY_TAXONOMY = Taxonomy(
    topics=["Alliance", "Depression", "Group Therapy", "Attachment", "Empathy", "Feedback",
            "Termination", "Training", "Placebo"],  # six never used: the model ranks nine
    research_types=[NATURALISTIC, "Meta-analysis", REVIEW, RCT],
)
FAST = DEFAULT_CONFIG.__class__(inner_folds=1)  # no inner calibration folds: fast, still real


def _tiny(n: int, title: str, text: str, topic: str | None, rtype: str) -> Summary:
    return Summary(id=f"2020-01-tiny-{n:02d}", published="2020-01", title=title, body=text,
                   implications="", citation=Citation(), topics=[topic] if topic else [],
                   research_type=rtype)


def tiny_corpus() -> list[Summary]:
    """Nine on Depression (every third a meta-analysis, the rest trials), two on Alliance (its
    name also in the title), one on Group Therapy (named in the text only)."""
    docs = [_tiny(n, f"A {'meta-analysis' if n % 3 == 0 else 'randomized trial'} of mood care "
                     f"number {n}",
                  "Depression lifted after weekly sessions of activation and low mood care.",
                  "Depression", "Meta-analysis" if n % 3 == 0 else RCT) for n in range(1, 10)]
    docs.append(_tiny(10, "The alliance in a randomized trial",
                      "The working alliance between client and therapist grew with rapport.",
                      "Alliance", RCT))
    docs.append(_tiny(11, "Alliance ruptures: a meta-analysis",
                      "The alliance and rapport were repaired after ruptures.", "Alliance",
                      "Meta-analysis"))
    docs.append(_tiny(12, "Circles of peers in a randomized trial",
                      "Group therapy with peers in a circle helped members.", "Group Therapy",
                      RCT))
    return docs


def _tiny_report(**options: object) -> dict:
    settings = {"folds": 2, "seed": 0, "config": FAST} | options
    return evaluate(tiny_corpus(), TINY_TAXONOMY, **settings)  # type: ignore[arg-type]


def test_most_frequent_baseline_figures_by_hand():
    # every training fold: Depression most common, then Alliance before Group Therapy, one
    # topic per document (one suggested), trials the majority type
    block = _tiny_report(title_only=False, time_training=False)["baselines"]["most_frequent"]
    assert block["precision_at_1"] == 0.75  # 9 of 12 first topics right
    assert block["precision_at_3"] == 0.3333  # one true topic among every top three
    assert block["recall_at_5"] == 1.0
    assert block["f1_at_5"] == 0.3333  # precision 1/5, recall 1
    assert block["ndcg_at_5"] == pytest.approx((9 + 2 / math.log2(3) + 1 / 2) / 12, abs=1e-4)
    assert block["micro_f1"] == 0.75  # tp 9, fp 3, fn 3
    assert block["macro_f1"] == pytest.approx((18 / 21) / 3, abs=1e-4)
    assert block["per_topic"]["Depression"] == {"support": 9, "precision": 0.75,
                                                "recall": 1.0, "f1": 0.8571}
    assert block["per_topic"]["Group Therapy"] == {"support": 1, "precision": 0.0,
                                                   "recall": 0.0, "f1": 0.0}
    assert block["per_topic"]["Placebo"]["support"] == 0
    assert block["research_type_accuracy"] == 0.6667  # the 8 trials
    assert block["documents"] == 12


def test_keyword_baseline_figures_by_hand():
    report = _tiny_report()
    keyword = report["baselines"]["keyword"]
    # every text names its topic in full and no other; every title carries its design cue
    assert {k: keyword[k] for k in METRIC_NAMES} == {
        "precision_at_1": 1.0, "precision_at_3": 0.3333, "recall_at_5": 1.0,
        "f1_at_5": 0.3333, "ndcg_at_5": 1.0, "micro_f1": 1.0, "macro_f1": 1.0}
    assert keyword["research_type_accuracy"] == 1.0
    # on titles alone only the Alliance titles name a topic: Group Therapy's title falls back
    # to training frequency (Depression first, and Group Therapy last: its one summary is the
    # one held out); suggested: the two Alliance titles only
    titles = report["keyword_title_only"]
    assert titles["precision_at_1"] == 0.9167
    assert titles["micro_f1"] == 0.2857  # tp 2, fn 10
    assert titles["macro_f1"] == 0.3333  # Alliance 1, Depression and Group Therapy 0
    assert titles["ndcg_at_5"] == pytest.approx((11 + 1 / 2) / 12, abs=1e-4)
    assert "per_topic" not in titles and "research_type_accuracy" not in titles
    assert titles["documents"] == 12


def test_model_figures_are_those_of_its_out_of_fold_predictions():
    report = _tiny_report(with_predictions=True)
    predictions = report["predictions"]
    assert [p["id"] for p in predictions] == [s.id for s in tiny_corpus()]  # id order
    by_id = {s.id: s for s in tiny_corpus()}
    for p in predictions:
        assert p["topics"] == by_id[p["id"]].topics
        assert p["research_type"] == by_id[p["id"]].research_type
        assert len(p["ranked"]) == 8  # the model ranks 8 of the nine topics
        assert p["suggested"] == sorted(p["suggested"]) and set(p["suggested"]) <= set(p["ranked"])
    pred = Predictions([p["ranked"] for p in predictions],
                       [set(p["suggested"]) for p in predictions],
                       [p["predicted_type"] for p in predictions])
    truth = [set(p["topics"]) for p in predictions]
    assert report["model"] == topic_metrics(pred, truth, TINY_TAXONOMY.topics)
    assert report["research_type_accuracy"] == type_accuracy(
        pred, [p["research_type"] for p in predictions])
    title_block = report["model_title_only"]
    assert set(title_block) == {*METRIC_NAMES, "documents", "research_type_accuracy"}
    assert title_block["documents"] == 12
    # the titles of the nine Depression summaries never name it: on titles alone the model
    # can do no better than on the full text, which names every topic
    assert title_block["micro_f1"] < report["model"]["micro_f1"]


def test_report_says_what_it_ran_and_how_long_it_took():
    messages: list[str] = []
    started = time.perf_counter()
    report = _tiny_report(seed=4, progress=messages.append)
    elapsed = time.perf_counter() - started
    assert messages == ["fold 1/2: training on 6, testing on 6",
                        "fold 2/2: training on 6, testing on 6",
                        "timing training on the whole corpus"]
    assert (report["folds"], report["seed"], report["documents"]) == (2, 4, 12)
    assert report["untagged_skipped"] == 0
    assert report["config"] == FAST.to_dict() != DEFAULT_CONFIG.to_dict()
    for name in ("train_seconds", "fold_train_seconds_mean"):
        assert 0 < report[name] < elapsed and round(report[name], 3) == report[name]
    assert 0 < report["suggest_ms_median"] < elapsed * 1000
    assert round(report["suggest_ms_median"], 2) == report["suggest_ms_median"]
    assert "predictions" not in report


def test_without_timing_or_titles_the_report_is_shorter():
    messages: list[str] = []
    report = _tiny_report(title_only=False, time_training=False, progress=messages.append)
    assert len(messages) == 2 and all(m.startswith("fold ") for m in messages)
    assert report["train_seconds"] == report["fold_train_seconds_mean"] > 0
    assert "model_title_only" not in report and "keyword_title_only" not in report


def test_untagged_summaries_are_trained_on_but_not_scored():
    docs = tiny_corpus()
    docs[0].topics = []  # a Depression summary loses its topic
    report = evaluate(docs, TINY_TAXONOMY, folds=2, seed=0, config=FAST, title_only=False,
                      time_training=False, with_predictions=True)
    assert report["documents"] == 12 and report["untagged_skipped"] == 1
    frequent = report["baselines"]["most_frequent"]
    assert frequent["documents"] == 11
    assert frequent["precision_at_1"] == pytest.approx(8 / 11, abs=1e-4)
    assert report["predictions"][0]["topics"] == []


def test_default_evaluation_is_five_folds_with_titles_and_whole_corpus_timing():
    messages: list[str] = []
    report = evaluate(tiny_corpus(), TINY_TAXONOMY, config=FAST, progress=messages.append)
    assert (report["folds"], report["seed"]) == (5, 0)
    assert [m.split(":")[0] for m in messages[:5]] == [f"fold {k}/5" for k in range(1, 6)]
    assert messages[5:] == ["timing training on the whole corpus"]
    assert "model_title_only" in report and "predictions" not in report


@pytest.mark.parametrize(("count", "folds"), [(4, 2), (5, 5)])
def test_smallest_corpus_that_can_be_evaluated(count: int, folds: int):
    docs = tiny_corpus()[:count]  # Depression only: the baselines cannot miss
    report = evaluate(docs, TINY_TAXONOMY, folds=folds, config=FAST, title_only=False,
                      time_training=False)
    assert report["documents"] == count
    assert report["baselines"]["most_frequent"]["precision_at_1"] == 1.0


@pytest.mark.parametrize(("count", "folds"), [(3, 2), (4, 5)])
def test_too_small_a_corpus_is_refused_with_the_numbers(count: int, folds: int):
    with pytest.raises(ValueError, match=f"^{count} summaries are too few to evaluate "
                                         f"with {folds} folds$"):
        evaluate(tiny_corpus()[:count], TINY_TAXONOMY, folds=folds, config=FAST)


def test_the_same_corpus_gives_the_same_report():
    a = _tiny_report(title_only=False, time_training=False, with_predictions=True)
    b = _tiny_report(title_only=False, time_training=False, with_predictions=True)
    for report in (a, b):
        for name in ("train_seconds", "fold_train_seconds_mean", "suggest_ms_median"):
            report.pop(name)
    assert a == b
