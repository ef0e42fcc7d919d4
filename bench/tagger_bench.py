"""Choose the tagger's classifier by cross-validation, reproducibly.

    .venv/bin/python bench/tagger_bench.py                 # bundled corpus, 5 folds, seed 0
    .venv/bin/python bench/tagger_bench.py --only lr,svm   # a subset of the candidates
    .venv/bin/python bench/tagger_bench.py --synthetic 300 # a generated corpus instead
    .venv/bin/python bench/tagger_bench.py --seeds 0,1,2,3,4 --no-chain  # mean of 5 layouts
    .venv/bin/python bench/tagger_bench.py --speed         # training, loading, suggestion times
    .venv/bin/python bench/tagger_bench.py --date-split 2021,2020 --only platt,default

Every candidate is run through `explorer.tagger.evaluate.evaluate` on the same folds
(iterative stratification, fixed seed), so the table compares like with like: one-vs-rest
logistic regression, linear SVM with sigmoid calibration, ridge, each alone and blended
with the nearest-neighbour vote, the topic-name prior ("kw") and the topic names as extra
examples ("nm"), the three averaged ("ensemble", `classifiers/ensemble.py`), blend shares
picked inside each training fold ("tuned blend"), the neighbour vote alone, single knobs
of the default turned (label co-occurrence smoothing "cooc", squared neighbour
similarities "sim^2" among them), and a classifier chain of logistic regressions (ranking
metrics only: it has no per-topic thresholds). With --seeds 0,1,2,3,4 every figure is
the mean over five fold layouts, which shows how much of a difference is noise. The default
`TaggerConfig` in `explorer/tagger/config.py` is the winner of this table (figures logged in
`docs/tagger_benchmarks.md`); rerun it when the corpus grows. Prints one row per candidate
and, with --json, the full figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from explorer.corpus import load_corpus  # noqa: E402
from explorer.tagger.config import DEFAULT_CONFIG, TaggerConfig  # noqa: E402
from explorer.tagger.evaluate import Predictions, topic_metrics  # noqa: E402
from explorer.tagger.evaluate import evaluate as run_evaluation  # noqa: E402
from explorer.tagger.features import FeatureSpace  # noqa: E402
from explorer.tagger.splits import stratified_folds  # noqa: E402
from explorer.tagger.synthetic import synthetic_corpus  # noqa: E402
from explorer.tagger.training_data import prepare  # noqa: E402


def candidates() -> dict[str, TaggerConfig]:
    """The compared configurations; ``default`` is what `pprnet build` trains."""
    d = DEFAULT_CONFIG
    plain = replace(d, knn_weight=0.0, keyword_weight=0.0)
    # The second pass's default (Platt, no prior): third-pass candidates are written from it
    # so that their logged figures rerun unchanged now that the default has moved.
    p2 = replace(d, calibration="platt", prior_weight=0.0)
    zp = replace(p2, calibration="zscore", prior_weight=0.05)  # the third pass's winner
    return {
        "default": d,
        "no residual": replace(d, residual=False),
        "platt": p2,
        "lr": replace(plain, classifier="lr", name_weight=0.0),
        "lr+knn": replace(d, classifier="lr", keyword_weight=0.0, name_weight=0.0),
        "lr+knn+kw": replace(d, classifier="lr", name_weight=0.0),
        "svm": replace(plain, classifier="svm", C=1.0, name_weight=0.0),
        "svm+knn+kw+nm": replace(d, classifier="svm", C=1.0),
        "ridge": replace(plain, classifier="ridge", C=1.0, name_weight=0.0),
        "ridge+knn+kw+nm": replace(d, classifier="ridge", C=1.0),
        "knn": replace(d, knn_weight=1.0, keyword_weight=0.0),
        "names 0": replace(d, name_weight=0.0),
        "names 4": replace(d, name_weight=4.0),
        "kw 0.1": replace(d, keyword_weight=0.1),
        "kw 0.3": replace(d, keyword_weight=0.3),
        "knn 0.5": replace(d, knn_weight=0.5),
        "knn k=5": replace(d, knn_k=5),
        "C=1": replace(d, C=1.0),
        "C=100": replace(d, C=100.0),
        "unweighted": replace(d, class_weight=None),
        "title 0": replace(d, title_weight=0.0),
        "title 1.2": replace(d, title_weight=1.2),
        "journal 0": replace(d, journal_weight=0.0),
        "min_df 1": replace(d, min_df=1),
        "no shrink": replace(d, threshold_shrink=0.0),
        "title copies": replace(d, title_copy_weight=0.6),
        "cue 0": replace(d, cue_weight=0.0),
        "cue 3": replace(d, cue_weight=3.0),
        "type C=1": replace(d, type_C=1.0),
        "cooc 0.1": replace(d, cooc_weight=0.1),
        "cooc 0.3": replace(d, cooc_weight=0.3),
        "cooc auto": replace(d, cooc_weight=-1.0),
        "knn sim^2": replace(d, knn_power=2.0),
        "knn k=20": replace(d, knn_k=20),
        "sim^2+nm4+cooc": replace(d, knn_power=2.0, name_weight=4.0, cooc_weight=-1.0),
        "knn k=20 ^2": replace(d, knn_k=20, knn_power=2.0),
        "profile 0.1": replace(d, profile_weight=0.1),
        "profile 0.2": replace(d, profile_weight=0.2),
        "profile 0.3": replace(d, profile_weight=0.3),
        "profile 0.2 knn 0.2": replace(d, profile_weight=0.2, knn_weight=0.2),
        "ensemble": replace(d, classifier="ensemble"),
        "ens+sim^2+nm4": replace(d, classifier="ensemble", knn_power=2.0, name_weight=4.0),
        "ens C=30": replace(d, classifier="ensemble", C=30.0),
        "knn 0.4": replace(d, knn_weight=0.4),
        "sim^2+nm4": replace(d, knn_power=2.0, name_weight=4.0),
        "tuned blend": replace(d, tune_blend=True),
        "type titles 0": replace(d, type_title_copy_weight=0.0),
        "prior 0.05": replace(p2, prior_weight=0.05),
        "prior 0.1": replace(p2, prior_weight=0.1),
        "prior 0.2": replace(p2, prior_weight=0.2),
        "prior -0.05": replace(p2, prior_weight=-0.05),
        "prior -0.1": replace(p2, prior_weight=-0.1),
        "zscore": replace(p2, calibration="zscore"),
        "raw": replace(p2, calibration="raw"),
        "zscore knn 0.2": replace(p2, calibration="zscore", knn_weight=0.2),
        "zscore knn 0.4": replace(p2, calibration="zscore", knn_weight=0.4),
        "zscore prior 0.05": replace(p2, calibration="zscore", prior_weight=0.05),
        "zscore kw 0.1": replace(p2, calibration="zscore", keyword_weight=0.1),
        "zscore prior 0.025": replace(p2, calibration="zscore", prior_weight=0.025),
        "zscore prior 0.1": replace(p2, calibration="zscore", prior_weight=0.1),
        "zp negatives": replace(zp, calibration="zscore_negatives"),
        "zp mix 0.5": replace(zp, calibration_mix=0.5, residual_on_platt=True),
        "zp residual platt": replace(zp, residual_on_platt=True),
        "zp title 1.2": replace(zp, title_weight=1.2),
        "zp title 0.3": replace(zp, title_weight=0.3),
        "zp journal 0": replace(zp, journal_weight=0.0),
        "zp min_df 3": replace(zp, min_df=3),
        "zp knn 0.4": replace(zp, knn_weight=0.4),
        "zp unweighted": replace(zp, class_weight=None),
    }


def chain_metrics(summaries, taxonomy, folds: int, seed: int) -> dict:
    """Classifier chain of logistic regressions on the same features and folds."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multioutput import ClassifierChain

    data = prepare(summaries, taxonomy)
    n = len(data.docs)
    ranked: list[list[str]] = [[] for _ in range(n)]
    suggested: list[set[str]] = [set() for _ in range(n)]
    seconds = []
    d = DEFAULT_CONFIG
    for train, test in stratified_folds(data.labels, data.types.tolist(), folds, seed):
        started = time.perf_counter()
        tr, te = data.subset(train), data.subset(test)
        space = FeatureSpace.fit(tr.docs, min_df=d.min_df, title_weight=d.title_weight,
                                 journal_weight=d.journal_weight)
        present = np.flatnonzero(tr.labels.sum(axis=0) > 0)
        base = LogisticRegression(C=d.C, class_weight=d.class_weight, solver="liblinear",
                                  random_state=seed)
        chain = ClassifierChain(base, order="random", random_state=seed)
        chain.fit(space.transform(tr.docs), tr.labels[:, present])
        seconds.append(time.perf_counter() - started)
        proba = np.zeros((len(test), len(taxonomy.topics)))
        proba[:, present] = chain.predict_proba(space.transform(te.docs))
        for j, i in enumerate(test):
            order = np.argsort(-proba[j], kind="stable")
            ranked[i] = [taxonomy.topics[t] for t in order]
            suggested[i] = {taxonomy.topics[t] for t in order if proba[j, t] >= 0.5}
    truth = [{taxonomy.topics[t] for t in np.flatnonzero(row)} for row in data.labels]
    out = topic_metrics(Predictions(ranked, suggested, [None] * n), truth, taxonomy.topics)
    out["research_type_accuracy"] = None
    out["fold_train_seconds_mean"] = round(statistics.mean(seconds), 3)
    return out


def _mean(blocks: list[dict]) -> dict:
    """Mean of each numeric figure over runs (per-topic tables dropped, None kept)."""
    out: dict = {}
    for key, value in blocks[0].items():
        values = [b[key] for b in blocks if isinstance(b.get(key), int | float)]
        if values and not isinstance(value, bool):
            out[key] = round(statistics.mean(values), 4)
        elif value is None:
            out[key] = None
    return out


def speed(summaries, taxonomy) -> dict:
    """Wall-clock figures of the default model: train, save, load, suggest (one thread)."""
    import tempfile

    from explorer.tagger import load_model, save_model, train_model
    from explorer.tagger.features import fields_of

    out: dict = {}
    started = time.perf_counter()
    model = train_model(summaries, taxonomy)
    out["train_seconds"] = round(time.perf_counter() - started, 3)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        save_model(model, Path(tmp))
        out["save_seconds"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        load_model(Path(tmp))
        out["load_seconds"] = round(time.perf_counter() - started, 3)

    def timed(call, runs: int) -> list[float]:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        return times

    full, titles = [], []
    for summary in summaries:
        f = fields_of(summary)
        full += timed(lambda f=f: model.suggest(f.title, f.text, journal=f.journal), 1)
        titles += timed(lambda s=summary: model.suggest(title=s.title), 1)
    paste = "\n\n".join(s.body for s in summaries)[:60_000]  # a ~20-page paste
    huge = timed(lambda: model.suggest("A pasted paper", paste), 20)
    for name, values in (("suggest_ms", full), ("title_only_ms", titles), ("paste_60k_ms", huge)):
        values = sorted(values)
        out[name] = {"median": round(statistics.median(values), 2),
                     "p95": round(values[int(0.95 * (len(values) - 1))], 2)}
    return out


def date_splits(summaries, taxonomy, chosen: dict[str, TaggerConfig], years: str) -> None:
    """R@5 / P@1 of each candidate trained on posts before each year, tested on the rest."""
    from explorer.tagger.date_split import evaluate_by_date

    cuts = [int(y) for y in years.split(",") if y.strip()]
    print(f"{'candidate':<20} " + " ".join(f"{y:>15}" for y in cuts) + "   (R@5 / P@1)")
    for name, config in chosen.items():
        cells = []
        for year in cuts:
            block = evaluate_by_date(summaries, taxonomy, year=year, config=config)["model"]
            cells.append(f"{block['recall_at_5']:.3f} / {block['precision_at_1']:.3f}")
        print(f"{name:<20} " + " ".join(f"{c:>15}" for c in cells), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--synthetic", type=int, default=0,
                        help="use a generated corpus of this many summaries")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", default="0", help="comma-separated fold seeds to average")
    parser.add_argument("--only", default="", help="comma-separated candidate names")
    parser.add_argument("--no-chain", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--per-seed", action="store_true",
                        help="also print one row per seed (name/sN) under each mean")
    parser.add_argument("--date-split", default="",
                        help="comma-separated years: train on posts before each, test on the "
                             "rest (as `pprnet evaluate` does for one year); no cross-validation")
    parser.add_argument("--speed", action="store_true",
                        help="time training, saving, loading and suggesting; no comparison")
    args = parser.parse_args()

    if args.synthetic:
        summaries, taxonomy = synthetic_corpus(args.synthetic, seed=0)
        source = f"synthetic corpus of {len(summaries)}"
    else:
        result = load_corpus(args.corpus)
        summaries, taxonomy = result.summaries, result.taxonomy
        source = f"{args.corpus} ({len(summaries)} summaries)"
    if args.speed:
        print(f"# {source}", file=sys.stderr)
        print(json.dumps(speed(summaries, taxonomy), indent=1))
        return
    chosen = candidates()
    if args.only:
        names = [n.strip() for n in args.only.split(",")]
        chosen = {n: chosen[n] for n in names if n in chosen}
    if args.date_split:
        date_splits(summaries, taxonomy, chosen, args.date_split)
        return
    seeds = [int(x) for x in args.seeds.split(",") if x.strip()]
    print(f"# {source}, {args.folds} folds, seeds {seeds}", file=sys.stderr)
    header = f"{'candidate':<14} {'P@1':>6} {'P@3':>6} {'R@5':>6} {'NDCG5':>6} {'microF':>6} " \
             f"{'macroF':>6} {'type':>6} {'fold s':>6}"
    print(header)
    rows: dict[str, dict] = {}

    def show(name: str, block: dict, type_acc, seconds) -> None:
        t = f"{type_acc:6.3f}" if type_acc is not None else f"{'-':>6}"
        print(f"{name:<14} {block['precision_at_1']:6.3f} {block['precision_at_3']:6.3f} "
              f"{block['recall_at_5']:6.3f} {block['ndcg_at_5']:6.3f} {block['micro_f1']:6.3f} "
              f"{block['macro_f1']:6.3f} {t} {seconds:6.2f}", flush=True)

    first = True
    for name, config in chosen.items():
        runs = [run_evaluation(summaries, taxonomy, folds=args.folds, seed=seed, config=config,
                               title_only=False, time_training=False) for seed in seeds]
        if first:
            for base in runs[0]["baselines"]:
                block = _mean([r["baselines"][base] for r in runs])
                show(base, block, block["research_type_accuracy"], 0.0)
                rows[base] = block
            first = False
        block = _mean([r["model"] for r in runs])
        type_acc = statistics.mean(r["research_type_accuracy"] for r in runs)
        seconds = statistics.mean(r["fold_train_seconds_mean"] for r in runs)
        show(name, block, type_acc, seconds)
        if args.per_seed and len(runs) > 1:
            for seed, run in zip(seeds, runs, strict=True):
                show(f"{name}/s{seed}", run["model"], run["research_type_accuracy"],
                     run["fold_train_seconds_mean"])
        rows[name] = {"model": block, "research_type_accuracy": type_acc,
                      "fold_train_seconds_mean": seconds, "config": config.to_dict()}
    if not args.no_chain:
        chained = [chain_metrics(summaries, taxonomy, args.folds, seed) for seed in seeds]
        block = _mean(chained)
        seconds = statistics.mean(c["fold_train_seconds_mean"] for c in chained)
        show("chain(lr)", block, None, seconds)
        rows["chain(lr)"] = block
    if args.json:
        print(json.dumps(rows, indent=1, default=str))


if __name__ == "__main__":
    main()
