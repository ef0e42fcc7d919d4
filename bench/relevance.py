"""Relevance benchmark: this engine and peer engines on one judged query set, same run.

    .venv/bin/python bench/relevance.py                          # table + JSON, all engines
    .venv/bin/python bench/relevance.py --engines ours,tantivy --json-only
    .venv/bin/python bench/relevance.py --save-run run.json
    .venv/bin/python bench/relevance.py --compare-run bench/data/relevance_baseline.json
    .venv/bin/python bench/relevance.py --root /path/to/other/checkout

The query set (`bench/data/relevance_queries.yaml`) is written the way researchers search:
known-item queries (one target summary, often remembered by its finding, population or
method rather than its title) and topical ones with graded judgments (0-3) made by reading
the summaries. Every engine indexes the same summaries and fields of the corpus
(`relevance_engines`), and the figures per engine and category are top-1, top-3, MRR@10,
nDCG@10 and the zero-result rate (`relevance_metrics`). The peers (tantivy, bm25s,
PyStemmer) come with the optional extra: `.venv/bin/pip install -e ".[bench]"`; a peer not
installed is reported and skipped.

`--save-run` writes, per engine and query, the rank of the first relevant summary (for a
known-item query: of its target) and the top 10 ids; `--compare-run` reads such a file
and lists, for every engine in both, each query that got worse by more than two places
(a query that fell out of the top 10 counts as rank 11).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from relevance_engines import BUILDERS, ENGINES, EngineUnavailable  # noqa: E402
from relevance_metrics import (  # noqa: E402
    K,
    Query,
    QuerySetError,
    aggregate,
    categories,
    category_order,
    load_queries,
    score_query,
    unknown_ids,
)

DEFAULT_QUERIES = BENCH / "data" / "relevance_queries.yaml"
WORSE_BY = 2  # places; see --compare-run
COLUMNS = ("n", "top1", "top3", "mrr", "ndcg", "zero_rate")


def fail(message: str) -> None:
    """One clear line on stderr and exit status 2 (bad option or input)."""
    print(f"relevance.py: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=BENCH.parent,
                        help="checkout whose `explorer` package and corpus/ are used")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES,
                        help="judged query file (YAML)")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help=f"comma-separated subset of {','.join(ENGINES)}")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON")
    parser.add_argument("--save-run", type=Path, metavar="FILE",
                        help="write per-query ranks and top-10 ids of every engine")
    parser.add_argument("--compare-run", type=Path, metavar="FILE",
                        help="list queries that got worse than in a saved run")
    args = parser.parse_args(argv)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    bad = [e for e in args.engines if e not in ENGINES]
    if bad or not args.engines:
        fail(f"unknown engine {', '.join(bad) or '(none)'}; choose from {','.join(ENGINES)}")
    if not (args.root / "explorer").is_dir() or not (args.root / "corpus").is_dir():
        fail(f"--root {args.root}: no explorer/ and corpus/ there")
    if args.compare_run and not args.compare_run.is_file():
        fail(f"--compare-run {args.compare_run}: no such file")
    return args


def load_summaries(root: Path) -> list:
    """The corpus of ``root``, read by that checkout's own `explorer` package."""
    sys.path.insert(0, str(root.resolve()))
    from explorer.corpus import load_corpus

    result = load_corpus(root / "corpus")
    if not result.summaries:
        fail(f"{root / 'corpus'}: no summaries")
    return result.summaries


def run_engines(names: list[str], summaries: list, queries: list[Query],
                work: Path) -> tuple[dict[str, dict[str, list[str]]], dict[str, str]]:
    """Ranked ids per engine and query; and the engines skipped, with why."""
    ranked: dict[str, dict[str, list[str]]] = {}
    skipped: dict[str, str] = {}
    for name in names:
        folder = work / name
        folder.mkdir()
        try:
            search = BUILDERS[name](summaries, folder)
        except EngineUnavailable as exc:
            skipped[name] = str(exc)
            continue
        ranked[name] = {q.id: search(q.q)[:K] for q in queries}
    return ranked, skipped


def evaluate(ranked: dict[str, dict[str, list[str]]], queries: list[Query],
             titles: dict[str, str]) -> tuple[dict, dict]:
    """Aggregates per engine and category, and the per-query rows of every engine."""
    cats = {q.id: categories(q, titles) for q in queries}
    results: dict[str, dict[str, dict]] = {}
    per_query: dict[str, dict[str, dict]] = {}
    for engine, by_query in ranked.items():
        rows = {q.id: score_query(q, by_query[q.id]) for q in queries}
        per_query[engine] = {qid: {"rank": r["rank"], "ndcg": round(r["ndcg"], 4),
                                   "top10": by_query[qid]} for qid, r in rows.items()}
        names = category_order(c for q in queries for c in cats[q.id])
        results[engine] = {c: aggregate([rows[q.id] for q in queries if c in cats[q.id]])
                           for c in names}
    return results, per_query


def compare(per_query: dict, saved: dict, queries: list[Query]) -> list[dict]:
    """Queries whose first relevant rank got worse by more than `WORSE_BY` places."""
    texts = {q.id: q.q for q in queries}
    out = []
    for engine, rows in per_query.items():
        before_rows = (saved.get("per_query") or {}).get(engine)
        if not isinstance(before_rows, dict):
            continue
        for qid, row in rows.items():
            if not isinstance(before_rows.get(qid), dict):
                continue
            before = before_rows[qid].get("rank") or K + 1
            now = row["rank"] or K + 1
            if now - before > WORSE_BY:
                out.append({"engine": engine, "query": qid, "q": texts[qid],
                            "before": before, "now": now})
    return out


def write_json_atomic(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def print_table(results: dict, skipped: dict[str, str]) -> None:
    """One block per category: a row per engine."""
    engines = list(results)
    cats = list(results[engines[0]]) if engines else []
    for cat in cats:
        n = results[engines[0]][cat]["n"]
        print(f"\n{cat} ({n} queries)")
        print(f"  {'engine':<10}" + "".join(f"{c:>10}" for c in COLUMNS[1:]))
        for engine in engines:
            row = results[engine][cat]
            print(f"  {engine:<10}" + "".join(f"{row[c]:>10.3f}" for c in COLUMNS[1:]))
    for engine, why in skipped.items():
        print(f"\nskipped {engine}: {why}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        queries = load_queries(args.queries)
    except QuerySetError as exc:
        fail(str(exc))
    saved = None
    if args.compare_run:
        try:
            saved = json.loads(args.compare_run.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            fail(f"--compare-run {args.compare_run}: {exc}")
        if not isinstance(saved, dict) or not isinstance(saved.get("per_query"), dict):
            fail(f"--compare-run {args.compare_run}: not a run saved by --save-run")
    summaries = load_summaries(args.root)
    titles = {s.id: s.title for s in summaries}
    missing = unknown_ids(queries, set(titles))
    if missing:
        fail(f"judged ids not in the corpus: {', '.join(missing[:5])}")
    work = Path(tempfile.mkdtemp(prefix="pprnet-relbench-"))
    try:
        ranked, skipped = run_engines(args.engines, summaries, queries, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results, per_query = evaluate(ranked, queries, titles)
    report: dict = {"explorer": str(Path(sys.modules["explorer"].__file__).parent),
                    "queries": len(queries), "documents": len(summaries), "k": K,
                    "results": results, "skipped": skipped}
    if saved is not None:
        report["worse"] = compare(per_query, saved, queries)
    if args.save_run:
        write_json_atomic(args.save_run, {"explorer": report["explorer"],
                                          "queries": len(queries), "results": results,
                                          "per_query": per_query})
    print(json.dumps(report, indent=1))
    if not args.json_only:
        print_table(results, skipped)
        for w in report.get("worse", []):
            print(f"worse: {w['engine']} {w['query']} {w['before']} -> {w['now']}: {w['q']}")
        if saved is not None and not report["worse"]:
            print(f"\ncompared with {args.compare_run}: no query worse by more than "
                  f"{WORSE_BY} places")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
