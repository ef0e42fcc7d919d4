"""Screen a second-stage re-ranker, top-k co-occurrence smoothing and two text views.

    .venv/bin/python bench/tagger_stack_screen.py --seeds 0,1,2 [--views]

For each seed and outer fold (the folds `pprnet evaluate` uses) one default model is
trained; its inner out-of-fold parts (z-scored decisions, neighbour vote, name prior, the
final blended scores the thresholds are tuned on) are captured and the per-topic TF-IDF
profile similarity is computed on the same inner folds, so every (summary, topic) pair of
the training fold becomes a row of first-stage features computed on documents the
classifiers did not see. A small second stage (logistic regression or gradient-boosted
trees) learns from those rows whether the pair is a true tag; the held-out summaries are
scored by the default model exactly as `TopicModel.predict_docs` does, their pairs get the
same features, and they are re-ranked by the second stage. Label co-occurrence features
(P(topic | one of the summary's top-3 other topics), estimated on the training labels
only) are among them. Variants: feature subsets, a per-topic bias, a pairwise ranker
(logistic regression on true-minus-false pair differences), re-ranking only the top 10,
and the default's score plus a share of the stage's probability; the mean weights of the
all-features logistic stage are printed, to show what it learned. The co-occurrence
smoothing rows need no learned stage: score + beta * sum over the top-k other topics u of
P(t | u) * score(u). With --views, a classifier on title + body and one on title +
practice implications (each z-scored on its own out-of-fold decisions, as training does)
are averaged with, or instead of, the default's classifier part of the blend.

Prints recall@5 / precision@1 per seed for each variant and each stage's time per outer
fold; the `default` row is `bench/tagger_bench.py`'s default (to the rounding). Thresholds
are not re-tuned (they do not move either figure). Figures: `docs/tagger_benchmarks.md`,
sixth pass.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from explorer.corpus import load_corpus  # noqa: E402
from explorer.tagger import training  # noqa: E402
from explorer.tagger.calibration import standardising  # noqa: E402
from explorer.tagger.config import DEFAULT_CONFIG  # noqa: E402
from explorer.tagger.features import DocFields, analyze_fields, fields_of  # noqa: E402
from explorer.tagger.keywords import keyword_matrix  # noqa: E402
from explorer.tagger.neighbours import knn_vote  # noqa: E402
from explorer.tagger.profile import ProfileScorer  # noqa: E402
from explorer.tagger.scoring import frequency_prior, recall_at  # noqa: E402
from explorer.tagger.splits import stratified_folds  # noqa: E402
from explorer.tagger.training_data import (  # noqa: E402
    TrainingData,
    augment,
    name_documents,
    prepare,
)


def conditional(labels: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """``P[u, t]`` = P(topic t | topic u) from the labels, shrunk to t's share by ``alpha``."""
    y = labels.astype(np.float64)
    counts = y.T @ y
    share = y.mean(axis=0) if len(y) else np.zeros(y.shape[1])
    out = (counts + alpha * share[None, :]) / (np.diag(counts)[:, None] + alpha)
    np.fill_diagonal(out, 0.0)
    return out


def top_k_cooc(scores: np.ndarray, cond: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """Per pair: max and sum of P(t | u), and sum of P(t | u) * score(u), over the row's
    ``k`` best topics u other than t."""
    n, n_topics = scores.shape
    order = np.argsort(-scores, axis=1, kind="stable")[:, : k + 1]
    best = np.zeros((n, n_topics))
    total = np.zeros((n, n_topics))
    weighted = np.zeros((n, n_topics))
    for i in range(n):
        for t in range(n_topics):
            others = [u for u in order[i] if u != t][:k]
            p = cond[others, t]
            best[i, t] = p.max() if len(p) else 0.0
            total[i, t] = p.sum()
            weighted[i, t] = p @ scores[i, others]
    return best, total, weighted


def pair_features(z: np.ndarray, knn: np.ndarray, keyword: np.ndarray, prior: np.ndarray,
                  scores: np.ndarray, cond: np.ndarray, residual: int,
                  profile: np.ndarray) -> np.ndarray:
    """(documents * topics) x features, row-major by document; the last column is the
    topic's index (one-hot encoded by the stages that use it, dropped by the others)."""
    n, n_topics = scores.shape
    ranks = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1)
    ordered = -np.sort(-scores, axis=1)
    fifth = ordered[:, min(4, n_topics - 1)][:, None]
    best, total, weighted = top_k_cooc(scores, cond, 3)
    is_residual = np.zeros((n, n_topics))
    if residual >= 0:
        is_residual[:, residual] = 1.0
    columns = [z, knn, keyword, np.broadcast_to(prior, (n, n_topics)), scores,
               1.0 / (1.0 + ranks), scores - ordered[:, :1], scores - fifth,
               best, total, weighted, is_residual, is_residual * scores,
               is_residual / (1.0 + ranks), profile,
               np.broadcast_to(np.arange(n_topics, dtype=float), (n, n_topics))]
    return np.stack([c.ravel() for c in columns], axis=1)


def capture_fit(data: TrainingData, taxonomy, seed: int):
    """The default model on ``data`` and its inner out-of-fold parts and final scores."""
    seen: dict = {}
    original_oof, original_tune = training._out_of_fold, training.tune_thresholds

    def oof(*args, **kwargs):
        seen["oof"] = original_oof(*args, **kwargs)
        return seen["oof"]

    def tune(scores, labels, **kwargs):
        seen["scores"] = scores.copy()
        return original_tune(scores, labels, **kwargs)

    training._out_of_fold, training.tune_thresholds = oof, tune
    try:
        model = training.fit_prepared(data, taxonomy, seed=seed, config=DEFAULT_CONFIG)
    finally:
        training._out_of_fold, training.tune_thresholds = original_oof, original_tune
    return model, seen["oof"], seen["scores"]


def held_parts(model, held: TrainingData) -> tuple[np.ndarray, ...]:
    """z-scored decisions, neighbour vote, name prior, final scores and topic-profile
    similarity (`profile.ProfileScorer`), as served."""
    text = model.space.text_matrix(held.docs)
    x = model.space.transform(held.docs, text)
    decisions = np.asarray(x @ model.topic_coef.T) + model.topic_intercept
    sims = np.asarray((text @ model.doc_matrix.T).todense())
    knn = knn_vote(sims, model.doc_labels.astype(np.float64), model.config.knn_k,
                   model.config.knn_power)
    keyword = keyword_matrix((d.text_terms for d in held.docs), model.keyword_sets)
    scores = model.predict_docs(held.docs, held.dates)["scores"]
    z = decisions * model.ranking[:, 0] + model.ranking[:, 1]
    profile = ProfileScorer.score(text, ProfileScorer.fit(model.doc_matrix, model.doc_labels))
    return z, knn, keyword, scores, profile


def inner_profile(inner: TrainingData, inner_train: np.ndarray,
                  inner_test: np.ndarray) -> np.ndarray:
    """Topic-profile similarity of the inner held-out rows, profiles from the inner rest."""
    space = training._space(inner.subset(inner_train).docs, DEFAULT_CONFIG)
    profiles = ProfileScorer.fit(space.text_matrix(inner.subset(inner_train).docs),
                                 inner.labels[inner_train])
    return ProfileScorer.score(space.text_matrix(inner.subset(inner_test).docs), profiles)


def view_docs(summaries: list, part: str) -> list:
    """Each summary analyzed as one view: its title with the body, or with the implications."""
    out = []
    for summary in summaries:
        fields = fields_of(summary)
        text = summary.body if part == "body" else summary.implications
        out.append(analyze_fields(DocFields(title=fields.title, text=text,
                                            journal=fields.journal)))
    return out


def view_z(docs: list, labels: np.ndarray, train: np.ndarray, test: np.ndarray,
           inner_folds: list, names: list, seed: int) -> np.ndarray:
    """z-scored decisions of a classifier on one view for the held-out rows: fitted on the
    training rows, standardised by its out-of-fold decisions on them (as training does)."""
    config = DEFAULT_CONFIG
    view = TrainingData([docs[i] for i in train], labels[train], np.full(len(train), -1),
                        ["" for _ in train], ["" for _ in train])

    def fit(rows: np.ndarray):
        part = view.subset(rows)
        space = training._space(part.docs, config)
        aug = augment(space, names, part, space.transform(part.docs), config)
        return space, training.fit_topics(aug.x, aug.labels, config, seed, aug.weights)

    oof = np.zeros(labels[train].shape)
    for inner_train, inner_test in inner_folds:
        space, topics = fit(inner_train)
        oof[inner_test] = topics.decisions(space.transform(view.subset(inner_test).docs))
    scale = standardising(oof)
    space, topics = fit(np.arange(len(train)))
    decisions = topics.decisions(space.transform([docs[i] for i in test]))
    return decisions * scale[:, 0] + scale[:, 1]


def precision_at_1(scores: np.ndarray, labels: np.ndarray) -> float:
    rows = np.flatnonzero(labels.sum(axis=1) > 0)
    best = np.argmax(scores[rows], axis=1)
    return float(labels[rows, best].mean())


Stage = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


FEATURES = ("z", "knn", "name prior", "frequency prior", "score", "1/(1+rank)",
            "score - best", "score - fifth", "cooc max", "cooc sum", "cooc x score",
            "is residual", "residual x score", "residual/(1+rank)", "profile")
COEFFICIENTS: list[np.ndarray] = []  # standardised weights of the all-features stage


def logistic(c: float, topic_bias: bool = False, record: bool = False) -> Stage:
    def run(x_train, y_train, x_test, topics_count) -> np.ndarray:
        topic_train, topic_test = x_train[:, -1].astype(int), x_test[:, -1].astype(int)
        x_train, x_test = x_train[:, :-1], x_test[:, :-1]
        mean, sd = x_train.mean(axis=0), x_train.std(axis=0)
        sd[sd == 0] = 1.0
        a, b = (x_train - mean) / sd, (x_test - mean) / sd
        if topic_bias:
            eye = np.eye(int(topics_count[0]))
            a = np.hstack([a, eye[topic_train]])
            b = np.hstack([b, eye[topic_test]])
        model = LogisticRegression(C=c, max_iter=2000).fit(a, y_train)
        if record:
            COEFFICIENTS.append(model.coef_[0][: x_train.shape[1]].copy())
        return model.decision_function(b)
    return run


def boosted(depth: int, rounds: int) -> Stage:
    def run(x_train, y_train, x_test, _topics) -> np.ndarray:
        model = HistGradientBoostingClassifier(max_depth=depth, max_iter=rounds,
                                               learning_rate=0.1, random_state=0)
        return model.fit(x_train[:, :-1], y_train).predict_proba(x_test[:, :-1])[:, 1]
    return run


def pairwise(c: float) -> Stage:
    """A linear ranker on (true minus false) pair differences within each summary."""
    def run(x_train, y_train, x_test, topics_count) -> np.ndarray:
        n_topics = int(topics_count[0])
        x_train, x_test = x_train[:, :-1], x_test[:, :-1]
        mean, sd = x_train.mean(axis=0), x_train.std(axis=0)
        sd[sd == 0] = 1.0
        a, b = (x_train - mean) / sd, (x_test - mean) / sd
        diffs = []
        docs = a.reshape(-1, n_topics, a.shape[1])
        ys = y_train.reshape(-1, n_topics)
        for doc, y in zip(docs, ys, strict=True):
            pos, neg = doc[y == 1], doc[y == 0]
            if len(pos) and len(neg):
                diffs.append((pos[:, None, :] - neg[None, :, :]).reshape(-1, a.shape[1]))
        d = np.vstack(diffs)
        x = np.vstack([d, -d])
        y = np.concatenate([np.ones(len(d)), np.zeros(len(d))])
        model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000).fit(x, y)
        return b @ model.coef_[0]
    return run


def columns(stage: Stage, keep: list[int]) -> Stage:
    def run(x_train, y_train, x_test, topics_count) -> np.ndarray:
        return stage(x_train[:, keep], y_train, x_test[:, keep], topics_count)
    return run


STAGES: dict[str, Stage] = {
    "stack pairwise C=1": pairwise(1.0),
    "stack pairwise C=0.01": pairwise(0.01),
    "stack lr no cooc": columns(logistic(1.0), [0, 1, 2, 3, 4, 5, 6, 7, 11, 15]),
    "stack lr no cooc C=0.1": columns(logistic(0.1), [0, 1, 2, 3, 4, 5, 6, 7, 11, 15]),
    "stack lr no cooc +res": columns(logistic(1.0), [0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 15]),
    "stack lr no cooc +profile": columns(logistic(1.0), [0, 1, 2, 3, 4, 5, 6, 7, 11, 14, 15]),
    "stack lr no cooc/rank": columns(logistic(1.0), [0, 1, 2, 3, 4, 6, 7, 11, 15]),
    "stack lr z knn kw prior": columns(logistic(1.0), [0, 1, 2, 3, 11, 15]),
    "stack lr no cooc +topic": columns(logistic(0.1, topic_bias=True),
                                       [0, 1, 2, 3, 4, 5, 6, 7, 11, 15]),
    "stack lr no score cols": columns(logistic(1.0), [0, 1, 2, 3, 5, 8, 9, 10, 11, 15]),
    "stack lr C=1": logistic(1.0, record=True),
    "stack lr C=0.1": logistic(0.1),
    "stack lr+topic C=0.1": logistic(0.1, topic_bias=True),
    "stack lr+topic C=1": logistic(1.0, topic_bias=True),
    "stack gbt d3 100": boosted(3, 100),
    "stack gbt d2 50": boosted(2, 50),
}
# The same stages re-ranking only each summary's first-stage top 10 (the rest keep their order)
TOP10: dict[str, Stage] = {"stack lr C=1": logistic(1.0),
                           "stack lr no cooc": STAGES["stack lr no cooc"]}
COOC = [(beta, k) for k in (1, 3, 5) for beta in (0.05, 0.1, 0.2)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--views", action="store_true",
                        help="also two text views (title + body, title + implications): "
                             "a classifier each, z-scores averaged; about three times slower")
    args = parser.parse_args()
    result = load_corpus(args.corpus)
    taxonomy = result.taxonomy
    data = prepare(result.summaries, taxonomy)
    residual = next((taxonomy.topics.index(t) for t in taxonomy.residual_topics
                     if t in taxonomy.topics), -1)
    n_topics = len(taxonomy.topics)
    by_id = {s.id: s for s in result.summaries}
    ordered = [by_id[i] for i in data.ids]
    views = {part: view_docs(ordered, part) for part in ("body", "implications")} \
        if args.views else {}
    names = name_documents(taxonomy)
    share = 1.0 - DEFAULT_CONFIG.knn_weight - DEFAULT_CONFIG.keyword_weight
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    table: dict[str, list[str]] = {}
    stage_seconds: dict[str, list[float]] = {}
    for seed in seeds:
        finals: dict[str, np.ndarray] = {}
        for train, test in stratified_folds(data.labels, data.types.tolist(), args.folds, seed):
            inner, held = data.subset(train), data.subset(test)
            started = time.perf_counter()
            model, oof, oof_scores = capture_fit(inner, taxonomy, seed)
            stage_seconds.setdefault("default model", []).append(time.perf_counter() - started)
            prior = frequency_prior(inner.labels)
            z_oof = oof.decisions * model.ranking[:, 0] + model.ranking[:, 1]
            # Inner-fold co-occurrence for the training rows: no row sees its own labels.
            x_oof = np.zeros((len(train) * n_topics, 16))
            for inner_train, inner_test in oof.folds:
                cond = conditional(inner.labels[inner_train])
                rows = pair_features(z_oof[inner_test], oof.knn[inner_test],
                                     oof.keyword[inner_test], prior, oof_scores[inner_test],
                                     cond, residual, inner_profile(inner, inner_train,
                                                                   inner_test))
                index = (inner_test[:, None] * n_topics + np.arange(n_topics)).ravel()
                x_oof[index] = rows
            y_oof = inner.labels.ravel().astype(int)
            z, knn, keyword, scores, profile = held_parts(model, held)
            cond = conditional(inner.labels)
            x_held = pair_features(z, knn, keyword, prior, scores, cond, residual, profile)
            out = {"default": scores}
            for name, stage in STAGES.items():
                started = time.perf_counter()
                ranked = stage(x_oof, y_oof, x_held, np.array([n_topics]))
                stage_seconds.setdefault(name, []).append(time.perf_counter() - started)
                out[name] = ranked.reshape(len(test), n_topics)
                if name in ("stack lr C=1", "stack lr no cooc"):
                    prob = 1 / (1 + np.exp(-out[name]))
                    for w in (0.1, 0.3):
                        out[f"default + {w} {name}"] = scores + w * prob
            for beta, k in COOC:
                _, _, weighted = top_k_cooc(scores, cond, k)
                out[f"cooc top{k} b{beta}"] = scores + beta * weighted
            top_oof = np.argsort(np.argsort(-oof_scores, axis=1, kind="stable"), axis=1) < 10
            top_held = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1) < 10
            for name, stage in TOP10.items():
                keep_oof, keep_held = top_oof.ravel(), top_held.ravel()
                ranked = np.full(len(keep_held), -1e6)
                ranked[keep_held] = stage(x_oof[keep_oof], y_oof[keep_oof], x_held[keep_held],
                                          np.array([n_topics]))
                out[f"top10 {name}"] = ranked.reshape(len(test), n_topics) + \
                    np.where(top_held, 0.0, scores)
            if views:
                keep = np.ones(n_topics)
                if residual >= 0:
                    keep[residual] = 0.0
                main = 1 / (1 + np.exp(-z))
                vz = {}
                for part, docs in views.items():
                    started = time.perf_counter()
                    vz[part] = view_z(docs, data.labels, train, test, oof.folds, names, seed)
                    stage_seconds.setdefault(f"{part} view", []).append(
                        time.perf_counter() - started)
                body, impl = (1 / (1 + np.exp(-vz[p])) for p in ("body", "implications"))
                for label, cls in (("views: main + impl", (main + impl) / 2),
                                   ("views: 3/4 main + 1/4 impl", 0.75 * main + 0.25 * impl),
                                   ("views: body + impl", (body + impl) / 2),
                                   ("views: main + body + impl", (main + body + impl) / 3)):
                    out[label] = scores + share * keep * (cls - main)
            for name, value in out.items():
                finals.setdefault(name, np.zeros(data.labels.shape))[test] = value
        for name, value in finals.items():
            table.setdefault(name, []).append(
                f"{recall_at(value, data.labels):.3f} / {precision_at_1(value, data.labels):.3f}")
        print(f"# seed {seed} done", file=sys.stderr, flush=True)
    print(f"{'variant':<26} " + " ".join(f"{'seed ' + str(s):>15}" for s in seeds)
          + "   (R@5 / P@1)")
    for name, cells in table.items():
        print(f"{name:<26} " + " ".join(f"{c:>15}" for c in cells))
    if COEFFICIENTS:
        weights = np.mean(COEFFICIENTS, axis=0)
        print("# stack lr C=1, mean standardised weights: " + ", ".join(
            f"{n} {w:+.2f}" for n, w in zip(FEATURES, weights, strict=True)))
    for name, values in stage_seconds.items():
        print(f"# {name}: {np.mean(values):.2f} s per outer fold (fit + predict)")


if __name__ == "__main__":
    main()
