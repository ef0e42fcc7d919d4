"""Benchmark the search engine against SQLite FTS5 on the same documents.

    .venv/bin/python bench/search_bench.py                      # bundled, 3000, 30000
    .venv/bin/python bench/search_bench.py --sizes bundled,3000 # a quick run
    .venv/bin/python bench/search_bench.py --json-only

For each corpus size: build time and index size, then the median and p95 of a full
search page (query + total + topic, type and year facets + top-10 highlighted
snippets) over at least 200 realistic 1-3 word queries, and the same page done by SQLite
FTS5 (standard library) in the same run, as a ratio; the same figures in CPU time
(``cpu_*``: this thread's, hardly changed by other work on a shared machine).
Synthetic corpora are made from the bundled corpus by recombining sentences of different
summaries and replacing a share of their words with other words of the corpus, so they
are not copies; if the corpus has fewer than 20 summaries, a small built-in generator
supplies the text.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from explorer.corpus import load_corpus, load_taxonomy  # noqa: E402
from explorer.records import Citation, Summary  # noqa: E402
from explorer.search import SearchIndex, SearchRequest, build_index  # noqa: E402
from explorer.textproc import STOP_WORDS  # noqa: E402

TAXONOMY = load_taxonomy()

TARGETS = {  # size label -> (p95 ms, ratio to FTS5)
    "bundled": (3.0, 1.5),
    "30000": (40.0, 3.0),
}
_SENT_RE = re.compile(r"(?<=[.!?])\s+")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]+")

_FALLBACK_TEXT = (
    "The therapeutic alliance predicted outcome in cognitive behavioural therapy for "
    "depression. Therapists who received feedback on progress reduced deterioration. "
    "Empathy and genuineness were associated with better outcomes across studies. "
    "Patients with borderline personality disorder benefited from dialectical behaviour "
    "therapy. Dropout was higher when clients' preferences were ignored. Group "
    "psychotherapy was as efficacious as individual treatment for anxiety disorders. "
    "Routine outcome monitoring helped clinicians identify patients at risk. Attachment "
    "security moderated the effect of psychodynamic therapy on symptoms."
)


# ----------------------------------------------------------------------------- corpora


def base_summaries() -> list[Summary]:
    result = load_corpus(ROOT / "corpus")
    if len(result.summaries) >= 20:
        return result.summaries
    tax = load_taxonomy()
    rng = random.Random(7)
    sentences = _SENT_RE.split(_FALLBACK_TEXT)
    out = []
    for i in range(60):
        body = " ".join(rng.sample(sentences, 5))
        out.append(Summary(
            id=f"gen-{i}", published=f"{2013 + i % 11}-{1 + i % 12:02d}",
            title=" ".join(rng.sample(_WORD_RE.findall(_FALLBACK_TEXT), 6)).capitalize(),
            body=body, implications=" ".join(rng.sample(sentences, 2)),
            citation=Citation(authors=[f"Author{i}, A."], year=str(2010 + i % 13),
                              journal="Journal of Things"),
            topics=rng.sample(tax.topics, 2), research_type=rng.choice(tax.research_types),
        ))
    return out



def corpus_of_size(label: str, base: list[Summary]) -> list[Summary] | None:
    """The summaries a ``--sizes`` label names: "bundled" (the corpus itself) or a count
    (synthetic summaries grown from it); None for any other label. Shared by the benches
    that take ``--sizes``."""
    if label == "bundled":
        return base
    if label.isdigit():
        return synthetic(base, int(label))
    return None

def synthetic(base: list[Summary], n: int, seed: int = 1) -> list[Summary]:
    """``n`` new summaries: sentences of three base summaries, 15% of words swapped."""
    rng = random.Random(seed)
    vocab = sorted({w for s in base for w in _WORD_RE.findall(s.body) if len(w) > 3})
    sentences = [_SENT_RE.split(s.body) for s in base]
    out = []
    for i in range(n):
        picks = rng.sample(range(len(base)), 3)
        main = base[picks[0]]
        sents = [x for p in picks for x in rng.sample(sentences[p], min(3, len(sentences[p])))]
        rng.shuffle(sents)

        def vary(text: str) -> str:
            words = text.split(" ")
            for k in range(len(words)):
                if rng.random() < 0.15 and _WORD_RE.fullmatch(words[k] or ""):
                    words[k] = rng.choice(vocab)
            return " ".join(words)

        body = vary(" ".join(sents))
        year = 2013 + rng.randrange(12)
        out.append(Summary(
            id=f"syn-{i}",
            published=f"{year}-{rng.randrange(1, 13):02d}",
            title=vary(main.title),
            body=body,
            implications=vary(main.implications or ""),
            citation=Citation(authors=list(base[picks[1]].citation.authors),
                              year=str(year - rng.randrange(3)),
                              journal=main.citation.journal),
            topics=list(dict.fromkeys(main.topics + base[picks[1]].topics[:1])),
            research_type=main.research_type,
        ))
    return out


def make_queries(docs: list[Summary], count: int, seed: int = 3) -> list[str]:
    """Realistic 1-3 word queries: content words that sit together in titles and texts."""
    rng = random.Random(seed)
    queries = []
    while len(queries) < count:
        doc = rng.choice(docs)
        source = doc.title if rng.random() < 0.5 else rng.choice(_SENT_RE.split(doc.body))
        words = [w for w in _WORD_RE.findall(source)
                 if w.lower() not in STOP_WORDS and len(w) > 3]
        if not words:
            continue
        k = rng.choice((1, 1, 2, 2, 2, 3))
        start = rng.randrange(max(1, len(words) - k + 1))
        queries.append(" ".join(words[start:start + k]).lower())
    return queries


# ----------------------------------------------------------------------------- FTS5


def fts_build(docs: list[Summary], path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(str(path), check_same_thread=False)
    con.executescript(
        """
        CREATE VIRTUAL TABLE fts USING fts5(title, body, implications, authors, journal,
                                            tokenize='porter unicode61');
        CREATE TABLE meta(rowid INTEGER PRIMARY KEY, id TEXT, published TEXT, year TEXT,
                          research_type TEXT);
        CREATE TABLE topics(rowid INTEGER, topic TEXT);
        CREATE INDEX topics_rowid ON topics(rowid);
        """
    )
    with con:
        for i, s in enumerate(docs, start=1):
            con.execute("INSERT INTO fts(rowid, title, body, implications, authors, journal) "
                        "VALUES (?,?,?,?,?,?)",
                        (i, s.title, s.body, s.implications, "; ".join(s.citation.authors),
                         s.citation.journal or ""))
            con.execute("INSERT INTO meta VALUES (?,?,?,?,?)",
                        (i, s.id, s.published, s.published[:4], s.research_type))
            con.executemany("INSERT INTO topics VALUES (?,?)", [(i, t) for t in s.topics])
    return con


def fts_page(con: sqlite3.Connection, query: str) -> int:
    """Total, three facet groups and top-10 snippets, the way FTS5 does them best."""
    words = [w for w in re.findall(r"\w+", query) if w.lower() not in STOP_WORDS]
    if not words:
        return 0
    match = " ".join(f'"{w}"' for w in words)
    cur = con.cursor()
    cur.execute("DROP TABLE IF EXISTS temp.m")
    cur.execute("CREATE TEMP TABLE m AS SELECT rowid FROM fts WHERE fts MATCH ?", (match,))
    total = cur.execute("SELECT count(*) FROM m").fetchone()[0]
    cur.execute("SELECT topic, count(*) FROM topics JOIN m USING(rowid) GROUP BY topic").fetchall()
    cur.execute("SELECT research_type, count(*) FROM meta JOIN m USING(rowid) "
                "GROUP BY research_type").fetchall()
    cur.execute("SELECT year, count(*) FROM meta JOIN m USING(rowid) GROUP BY year").fetchall()
    cur.execute(
        "SELECT meta.id, highlight(fts, 0, '<mark>', '</mark>'), "
        "snippet(fts, 1, '<mark>', '</mark>', '…', 32) "
        "FROM fts JOIN meta ON meta.rowid = fts.rowid WHERE fts MATCH ? "
        "ORDER BY bm25(fts, 2.5, 1.0, 1.0, 1.5, 0.8) LIMIT 10", (match,)
    ).fetchall()
    return total


# ----------------------------------------------------------------------------- run


def timings(fn, queries: list[str]) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Wall and CPU milliseconds of each query. CPU time (this thread's) is what a
    busy shared machine barely changes, so before/after comparisons use it."""
    wall, cpu = [], []
    for query in queries:
        c0 = time.thread_time()
        t0 = time.perf_counter()
        fn(query)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    return wall, cpu


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the build's workers):
    unlike wall time, hardly changed by other work on a shared machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_size(label: str, docs: list[Summary], nqueries: int, work: Path,
               build_only: bool = False) -> dict:
    folder = work / f"ix-{label}"
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    stats = build_index(docs, folder, taxonomy=TAXONOMY)
    build_s = time.perf_counter() - t0
    build_cpu_s = cpu_seconds() - cpu0
    if build_only:
        return {"corpus": label, "documents": len(docs), "build_s": round(build_s, 2),
                "build_cpu_s": round(build_cpu_s, 2), "index_mb": round(stats["bytes"] / 1e6, 2),
                "load_avg_1min": round(os.getloadavg()[0], 2)}
    idx = SearchIndex.open(folder)
    queries = make_queries(docs, nqueries)
    t1 = time.perf_counter()
    con = fts_build(docs, work / f"fts-{label}.db")
    fts_build_s = time.perf_counter() - t1

    def whoosh_page(query: str) -> int:
        return idx.search(SearchRequest(q=query)).total

    # warm-up: open files, per-document arrays (both engines get the same chance)
    for query in queries[:20]:
        whoosh_page(query)
        fts_page(con, query)
    w, w_cpu = timings(whoosh_page, queries)
    f, f_cpu = timings(lambda qq: fts_page(con, qq), queries)
    con.close()
    row = {
        "corpus": label,
        "documents": len(docs),
        "queries": len(queries),
        "build_s": round(build_s, 2),
        "build_cpu_s": round(build_cpu_s, 2),  # this process and its build workers
        "index_mb": round(stats["bytes"] / 1e6, 2),
        "fts5_build_s": round(fts_build_s, 2),
        "median_ms": round(statistics.median(w), 3),
        "p95_ms": round(pct(w, 95), 3),
        "fts5_median_ms": round(statistics.median(f), 3),
        "fts5_p95_ms": round(pct(f, 95), 3),
        "cpu_median_ms": round(statistics.median(w_cpu), 3),
        "cpu_p95_ms": round(pct(w_cpu, 95), 3),
        "fts5_cpu_p95_ms": round(pct(f_cpu, 95), 3),
    }
    # Other work on the machine skews every figure: record how busy it was.
    row["load_avg_1min"] = round(os.getloadavg()[0], 2)
    row["ratio_median"] = round(row["median_ms"] / max(row["fts5_median_ms"], 1e-9), 2)
    row["ratio_p95"] = round(row["p95_ms"] / max(row["fts5_p95_ms"], 1e-9), 2)
    row["cpu_ratio_p95"] = round(row["cpu_p95_ms"] / max(row["fts5_cpu_p95_ms"], 1e-9), 2)
    target = TARGETS.get(label)
    if target:
        row["target_p95_ms"], row["target_ratio"] = target
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="bundled,3000,30000",
                        help="comma-separated: 'bundled' and/or document counts")
    parser.add_argument("--queries", type=int, default=200, help="queries per size (>= 200)")
    parser.add_argument("--json-only", action="store_true")
    parser.add_argument("--build-only", action="store_true",
                        help="only build each size: wall and CPU seconds, index size")
    args = parser.parse_args(argv)
    base = base_summaries()
    rows = []
    work = Path(tempfile.mkdtemp(prefix="pprnet-bench-"))
    try:
        for label in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            docs = corpus_of_size(label, base)
            if docs is None:
                parser.error(f"unknown size {label!r}")
            rows.append(bench_size(label, docs, max(args.queries, 1), work, args.build_only))
            if not args.json_only:
                print(f"done: {label}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"results": rows}, indent=1))
    if not args.json_only:
        cols = ["corpus", "documents", "build_s", "build_cpu_s", "index_mb", "median_ms", "p95_ms",
                "fts5_median_ms", "fts5_p95_ms", "ratio_median", "ratio_p95", "cpu_p95_ms",
                "fts5_cpu_p95_ms", "cpu_ratio_p95"]
        if args.build_only:
            cols = ["corpus", "documents", "build_s", "build_cpu_s", "index_mb", "load_avg_1min"]
        print()
        print("  ".join(f"{c:>14}" for c in cols))
        for row in rows:
            print("  ".join(f"{row[c]!s:>14}" for c in cols))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
