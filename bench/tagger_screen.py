"""Screen changes to how a trained model ranks topics, without retraining for each.

    .venv/bin/python bench/tagger_screen.py [--seeds 0,1,2]

Trains the default model once per outer fold (5 folds, the layouts of `pprnet evaluate
--seed N`) and scores each held-out summary as `TopicModel.predict_docs` does, then with
one part of the ranking changed at suggestion time only: the name prior counted by
mentions, squared, square-rooted or full names only; the z-score's temperature; the shape
and weight of the frequency prior; a neighbour vote on LSA (truncated SVD) similarities;
a prior from the predicted research type. Thresholds and the residual label's scale are
the default model's (they do not affect recall@5 and precision@1 of the other topics), so
this is a quick screen: a variant that wins here still goes through `tagger_bench.py` as
a config switch. Prints recall@5 / precision@1 per seed for each variant.
"""

from __future__ import annotations

import argparse
import collections
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import explorer.tagger.model as model_module  # noqa: E402
from explorer.corpus import load_corpus  # noqa: E402
from explorer.tagger.neighbours import knn_vote  # noqa: E402
from explorer.tagger.scoring import recall_at  # noqa: E402
from explorer.tagger.splits import stratified_folds  # noqa: E402
from explorer.tagger.training import fit_prepared  # noqa: E402
from explorer.tagger.training_data import TrainingData, prepare  # noqa: E402

KEYWORDS = model_module.keyword_matrix
Fold = tuple[int, np.ndarray, np.ndarray, object]  # seed, train rows, test rows, model


def figures(scores: np.ndarray, labels: np.ndarray) -> str:
    rows = labels.sum(axis=1) > 0
    best = scores[rows].argmax(axis=1)
    p1 = labels[rows][np.arange(int(rows.sum())), best].mean()
    return f"{recall_at(scores[rows], labels[rows]):.3f} / {p1:.3f}"


def predicted(data: TrainingData, folds: list[Fold], seed: int,
              adjust: Callable[[Fold, dict], np.ndarray] | None = None) -> np.ndarray:
    """Out-of-fold scores of one seed; ``adjust`` returns a fold's changed scores."""
    out = np.zeros(data.labels.shape)
    for fold in folds:
        if fold[0] != seed:
            continue
        held = data.subset(fold[2])
        raw = fold[3].predict_docs(held.docs, held.dates)
        out[fold[2]] = adjust(fold, raw) if adjust else raw["scores"]
    return out


def counted(limit: int) -> Callable:
    """Name prior in which each name word counts fully only after ``limit`` mentions."""
    def matrix(docs_terms: Iterable, sets: list) -> np.ndarray:
        rows = []
        for terms in docs_terms:
            count = collections.Counter(terms)
            rows.append([max((sum(min(1.0, count[w] / limit) for w in v) / len(v)
                              for v in variants), default=0.0) for variants in sets])
        return np.array(rows, dtype=float).reshape(-1, len(sets))
    return matrix


def knn_delta(fold: Fold, raw: dict, data: TrainingData, dims: int, mix: float) -> np.ndarray:
    """Scores with ``mix`` of the neighbour vote taken on LSA similarities."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    model = fold[3]
    held = data.subset(fold[2])
    labels = model.doc_labels.astype(float)
    old = knn_vote(raw["sims"], labels, model.config.knn_k)
    svd = TruncatedSVD(dims, random_state=0).fit(model.doc_matrix)
    sims = normalize(svd.transform(model.space.text_matrix(held.docs))) @ \
        normalize(svd.transform(model.doc_matrix)).T
    delta = model.config.knn_weight * mix * (knn_vote(sims, labels, model.config.knn_k) - old)
    if model.residual.active:
        delta[:, model.residual.topic] = 0.0
    return raw["scores"] + delta


def type_delta(fold: Fold, raw: dict, data: TrainingData, weight: float) -> np.ndarray:
    """Scores plus ``weight`` times the topics' shares under the predicted research type."""
    labels, types = data.labels[fold[1]].astype(float), data.types[fold[1]]
    overall = labels.mean(axis=0)
    shares = np.vstack([(labels[types == t].sum(axis=0) + 3 * overall) / ((types == t).sum() + 3)
                        for t in range(raw["types"].shape[1])])
    delta = weight * (raw["types"] @ shares - overall) / overall.max()
    if fold[3].residual.active:
        delta[:, fold[3].residual.topic] = 0.0
    return raw["scores"] + delta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    corpus = load_corpus(args.corpus)
    data = prepare(corpus.summaries, corpus.taxonomy)
    folds: list[Fold] = [
        (seed, train, test, fit_prepared(data.subset(train), corpus.taxonomy, seed=seed))
        for seed in seeds
        for train, test in stratified_folds(data.labels, data.types.tolist(), 5, seed)]

    def show(name: str, adjust: Callable | None = None) -> None:
        cells = [figures(predicted(data, folds, s, adjust), data.labels) for s in seeds]
        print(f"{name:<24} " + "   ".join(cells), flush=True)

    def patched(matrix: Callable) -> None:
        model_module.keyword_matrix = matrix

    print(f"{'variant':<24} " + "   ".join(f"seed {s} R@5 / P@1" for s in seeds))
    show("default")
    for name, matrix in (("names counted 2", counted(2)), ("names counted 3", counted(3)),
                         ("names full only", lambda d, s: (KEYWORDS(d, s) >= 1) * 1.0),
                         ("names squared", lambda d, s: KEYWORDS(d, s) ** 2),
                         ("names sqrt", lambda d, s: np.sqrt(KEYWORDS(d, s)))):
        patched(matrix)
        show(name)
    patched(KEYWORDS)
    saved = [(f[3].ranking.copy(), f[3]._prior.copy(), f[3].config) for f in folds]

    def restore() -> None:
        for f, (ranking, prior, config) in zip(folds, saved, strict=True):
            f[3].ranking, f[3]._prior, f[3].config = ranking, prior, config

    for temperature in (0.5, 0.7, 1.4, 2.0):
        for f, (ranking, _, _) in zip(folds, saved, strict=True):
            f[3].ranking = ranking * temperature
        show(f"z-score x {temperature}")
        restore()
    for power, weight in ((0.5, 0.05), (0.5, 0.03), (2.0, 0.1), (2.0, 0.07), (0.3, 0.03)):
        for f, (_, prior, config) in zip(folds, saved, strict=True):
            f[3]._prior = prior ** power
            f[3].config = replace(config, prior_weight=weight)
        show(f"prior^{power} weight {weight}")
        restore()
    for dims, mix in ((50, 1.0), (100, 1.0), (50, 0.5), (100, 0.5), (20, 0.5)):
        show(f"LSA knn {dims} mix {mix}",
             lambda f, raw, dims=dims, mix=mix: knn_delta(f, raw, data, dims, mix))
    for weight in (0.03, 0.05, 0.1, 0.2):
        show(f"type prior {weight}", lambda f, raw, w=weight: type_delta(f, raw, data, w))


if __name__ == "__main__":
    main()
