"""Honest evaluation: cross-validated metrics of the suggester against two baselines.

Folds come from iterative stratification (topics and research types spread evenly) with
a fixed seed, so two runs on the same corpus print the same figures. Each fold trains the
model on the other folds exactly as `pprnet build` would (vocabulary, calibration and
thresholds included) and asks it through `TopicModel.suggest`, the same call the editor
makes, so latency is measured on the real path. Documents without topics are left out of
the topic metrics (nothing to recall), but not out of training.

Baselines: ``most_frequent`` always suggests the topics most common in the training
folds; ``keyword`` ranks topics by how many words of their name (or an alias) the text
contains and suggests those it names in full.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from explorer.records import Summary, Taxonomy
from explorer.tagger.config import DEFAULT_CONFIG, TaggerConfig
from explorer.tagger.features import TYPE_CUES, DocFields, analyze_fields, fields_of
from explorer.tagger.keywords import keyword_scores, topic_keyword_sets
from explorer.tagger.splits import stratified_folds
from explorer.tagger.training import fit_prepared, train_model
from explorer.tagger.training_data import TrainingData, prepare

Progress = Callable[[str], None]
METRIC_NAMES = ("precision_at_1", "precision_at_3", "recall_at_5", "f1_at_5", "ndcg_at_5",
                "micro_f1", "macro_f1")


@dataclass
class Predictions:
    """Per evaluated document: topics best first, the suggested set, the top research type."""

    ranked: list[list[str]]
    suggested: list[set[str]]
    types: list[str | None]


# --------------------------------------------------------------------------- metrics


def topic_metrics(pred: Predictions, truth: Sequence[set[str]], topics: Sequence[str]) -> dict:
    """Ranking metrics (@1, @3, @5) and set metrics of the suggested topics.

    Documents whose true topic set is empty are skipped.
    """
    rows = [i for i, t in enumerate(truth) if t]
    if not rows:
        return {name: 0.0 for name in METRIC_NAMES} | {"per_topic": {}, "documents": 0}
    p1 = p3 = r5 = f5 = ndcg = 0.0
    for i in rows:
        true, ranked = truth[i], pred.ranked[i]
        hits = [1.0 if t in true else 0.0 for t in ranked[:5]]
        hits += [0.0] * (5 - len(hits))
        p1 += hits[0]
        p3 += sum(hits[:3]) / 3
        recall = sum(hits) / len(true)
        precision = sum(hits) / 5
        r5 += recall
        f5 += 2 * precision * recall / (precision + recall) if hits and sum(hits) else 0.0
        dcg = sum(h / math.log2(k + 2) for k, h in enumerate(hits))
        ideal = sum(1 / math.log2(k + 2) for k in range(min(len(true), 5)))
        ndcg += dcg / ideal
    n = len(rows)
    per_topic: dict[str, dict] = {}
    tp_all = fp_all = fn_all = 0
    f1s: list[float] = []
    for topic in topics:
        tp = sum(1 for i in rows if topic in pred.suggested[i] and topic in truth[i])
        fp = sum(1 for i in rows if topic in pred.suggested[i] and topic not in truth[i])
        fn = sum(1 for i in rows if topic not in pred.suggested[i] and topic in truth[i])
        support = tp + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
        per_topic[topic] = {"support": support, "precision": round(precision, 4),
                            "recall": round(recall, 4), "f1": round(f1, 4)}
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        if support:
            f1s.append(f1)
    micro = 2 * tp_all / (2 * tp_all + fp_all + fn_all) if tp_all + fp_all + fn_all else 0.0
    values = {
        "precision_at_1": p1 / n, "precision_at_3": p3 / n, "recall_at_5": r5 / n,
        "f1_at_5": f5 / n, "ndcg_at_5": ndcg / n, "micro_f1": micro,
        "macro_f1": sum(f1s) / len(f1s) if f1s else 0.0,
    }
    out: dict = {k: round(v, 4) for k, v in values.items()}
    out["per_topic"] = per_topic
    out["documents"] = n
    return out


def type_accuracy(pred: Predictions, truth: Sequence[str | None]) -> float:
    rows = [i for i, t in enumerate(truth) if t]
    if not rows:
        return 0.0
    return round(sum(1 for i in rows if pred.types[i] == truth[i]) / len(rows), 4)


# --------------------------------------------------------------------------- baselines


def _cue_type(taxonomy: Taxonomy) -> dict[str, str | None]:
    """Which research type each cue group stands for, by the taxonomy's names and aliases."""
    names = {"meta_analysis": "Meta-analysis", "randomized": "Randomized controlled trial",
             "qualitative": "Qualitative", "review": "Review"}
    return {group: taxonomy.canonical_type(name) for group, name in names.items()}


def baseline_predictions(train: TrainingData, test: TrainingData,
                         taxonomy: Taxonomy) -> dict[str, Predictions]:
    """Predictions of the two baselines for the held-out documents of one fold."""
    topics = taxonomy.topics
    counts = train.labels.sum(axis=0).astype(np.int64)
    by_frequency = sorted(range(len(topics)), key=lambda t: (-counts[t], t))
    tagged = train.labels.sum(axis=1)
    tagged = tagged[tagged > 0]
    k = max(1, round(float(tagged.mean()))) if len(tagged) else 1
    type_counts = np.bincount(train.types[train.types >= 0], minlength=len(taxonomy.research_types))
    majority_type = taxonomy.research_types[int(np.argmax(type_counts))] if type_counts.any() \
        else None
    frequent = Predictions(
        ranked=[[topics[t] for t in by_frequency] for _ in test.docs],
        suggested=[{topics[t] for t in by_frequency[:k]} for _ in test.docs],
        types=[majority_type for _ in test.docs],
    )
    keyword_sets = topic_keyword_sets(taxonomy)
    cue_type = _cue_type(taxonomy)
    keyword = Predictions([], [], [])
    for doc in test.docs:
        scores = keyword_scores(doc.text_terms, keyword_sets)
        order = sorted(range(len(topics)), key=lambda t: (-scores[t], -counts[t], t))
        keyword.ranked.append([topics[t] for t in order])
        keyword.suggested.append({topics[t] for t in range(len(topics)) if scores[t] >= 1.0})
        keyword.types.append(_type_from_cues(doc.title_features, doc.text_features, cue_type)
                             or majority_type)
    return {"most_frequent": frequent, "keyword": keyword}


def _type_from_cues(title: Sequence[str], text: Sequence[str],
                    cue_type: dict[str, str | None]) -> str | None:
    """The type of the first cue group named in the title, else the most named in the text."""
    for group, cues in TYPE_CUES.items():
        if cue_type.get(group) and any(c in title for c in cues):
            return cue_type[group]
    counts = {g: sum(text.count(c) for c in cues) for g, cues in TYPE_CUES.items()
              if cue_type.get(g)}
    best = max(counts.items(), key=lambda kv: kv[1], default=(None, 0))
    return cue_type[best[0]] if best[0] and best[1] else None


# --------------------------------------------------------------------------- cross-validation


class Suggester(Protocol):
    """What the evaluation asks of a model: `TopicModel.suggest`, or a stand-in in tests."""

    def suggest(self, title: str = "", text: str = "", *, journal: str | None = None,
                limit: int = 8, published: str | None = None) -> dict: ...


def model_predictions(model: Suggester, summaries: Sequence[Summary], *, title_only: bool,
                       latencies: list[float] | None) -> Predictions:
    pred = Predictions([], [], [])
    for summary in summaries:
        fields = fields_of(summary)
        when = summary.published or summary.added  # a held-out summary keeps its own date
        started = time.perf_counter()
        if title_only:
            out = model.suggest(title=summary.title, limit=8, published=when)
        else:
            out = model.suggest(fields.title, fields.text, journal=fields.journal, limit=8,
                                published=when)
        if latencies is not None:
            latencies.append(time.perf_counter() - started)
        pred.ranked.append([t["topic"] for t in out["topics"]])
        pred.suggested.append({t["topic"] for t in out["topics"] if t["suggested"]})
        pred.types.append(out["research_type"][0]["type"] if out["research_type"] else None)
    return pred


def _merge(parts: list[tuple[np.ndarray, Predictions]], n: int) -> Predictions:
    ranked: list[list[str]] = [[] for _ in range(n)]
    suggested: list[set[str]] = [set() for _ in range(n)]
    types: list[str | None] = [None] * n
    for rows, pred in parts:
        for j, i in enumerate(rows):
            ranked[i], suggested[i], types[i] = pred.ranked[j], pred.suggested[j], pred.types[j]
    return Predictions(ranked, suggested, types)


def evaluate(summaries: Sequence[Summary], taxonomy: Taxonomy, *, folds: int = 5, seed: int = 0,
             config: TaggerConfig = DEFAULT_CONFIG, progress: Progress | None = None,
             title_only: bool = True, time_training: bool = True,
             with_predictions: bool = False) -> dict:
    """Cross-validate the model and the baselines; the `pprnet evaluate --json` document.

    ``with_predictions`` adds each document's out-of-fold prediction (for error analysis).
    """
    say = progress or (lambda _message: None)
    data = prepare(summaries, taxonomy)
    by_id = {s.id: s for s in summaries}
    ordered = [by_id[i] for i in data.ids]
    n = len(ordered)
    if n < max(folds, 4):
        raise ValueError(f"{n} summaries are too few to evaluate with {folds} folds")
    truth = [{taxonomy.topics[t] for t in np.flatnonzero(row)} for row in data.labels]
    true_types = [taxonomy.research_types[t] if t >= 0 else None for t in data.types]
    model_parts: list[tuple[np.ndarray, Predictions]] = []
    title_parts: list[tuple[np.ndarray, Predictions]] = []
    keyword_titles: list[tuple[np.ndarray, Predictions]] = []
    base_parts: dict[str, list[tuple[np.ndarray, Predictions]]] = {}
    latencies: list[float] = []
    fold_seconds: list[float] = []
    for k, (train, test) in enumerate(stratified_folds(data.labels, data.types.tolist(),
                                                       folds, seed), start=1):
        say(f"fold {k}/{folds}: training on {len(train)}, testing on {len(test)}")
        started = time.perf_counter()
        model = fit_prepared(data.subset(train), taxonomy, seed=seed, config=config)
        fold_seconds.append(time.perf_counter() - started)
        held = [ordered[i] for i in test]
        model_parts.append((test, model_predictions(model, held, title_only=False,
                                                    latencies=latencies)))
        if title_only:
            title_parts.append((test, model_predictions(model, held, title_only=True,
                                                        latencies=None)))
            titles = data.subset(test)
            titles.docs = [analyze_fields(DocFields(title=s.title)) for s in held]
            keyword_titles.append(
                (test, baseline_predictions(data.subset(train), titles, taxonomy)["keyword"]))
        for name, pred in baseline_predictions(data.subset(train), data.subset(test),
                                               taxonomy).items():
            base_parts.setdefault(name, []).append((test, pred))
    model_pred = _merge(model_parts, n)
    result: dict = {"model": topic_metrics(model_pred, truth, taxonomy.topics)}
    result["baselines"] = {}
    for name, parts in base_parts.items():
        pred = _merge(parts, n)
        block = topic_metrics(pred, truth, taxonomy.topics)
        block["research_type_accuracy"] = type_accuracy(pred, true_types)
        result["baselines"][name] = block
    if title_only:
        block = topic_metrics(_merge(title_parts, n), truth, taxonomy.topics)
        block["research_type_accuracy"] = type_accuracy(_merge(title_parts, n), true_types)
        block.pop("per_topic")
        result["model_title_only"] = block
        keyword_block = topic_metrics(_merge(keyword_titles, n), truth, taxonomy.topics)
        keyword_block.pop("per_topic")
        result["keyword_title_only"] = keyword_block
    result["research_type_accuracy"] = type_accuracy(model_pred, true_types)
    if time_training:
        say("timing training on the whole corpus")
        started = time.perf_counter()
        train_model(list(summaries), taxonomy, seed=seed, config=config)
        result["train_seconds"] = round(time.perf_counter() - started, 3)
    else:
        result["train_seconds"] = round(statistics.mean(fold_seconds), 3)
    result["fold_train_seconds_mean"] = round(statistics.mean(fold_seconds), 3)
    result["suggest_ms_median"] = round(statistics.median(latencies) * 1000, 2)
    result["folds"] = folds
    result["seed"] = seed
    result["documents"] = n
    result["untagged_skipped"] = sum(1 for t in truth if not t)
    result["config"] = config.to_dict()
    if with_predictions:
        result["predictions"] = [
            {"id": data.ids[i], "topics": sorted(truth[i]), "ranked": model_pred.ranked[i][:8],
             "suggested": sorted(model_pred.suggested[i]), "research_type": true_types[i],
             "predicted_type": model_pred.types[i]}
            for i in range(n)
        ]
    return result
