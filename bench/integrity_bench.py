"""What checking derived files against their manifests costs, and the corruption matrix.

    .venv/bin/python bench/integrity_bench.py                    # bundled and 3000 summaries
    .venv/bin/python bench/integrity_bench.py --sizes bundled,30000
    .venv/bin/python bench/integrity_bench.py --matrix           # file kind x damage -> behaviour

For each corpus size: the index folder's size, the time to write its manifest at build
time (hashing every file), the checks at start-up and after a swap (sizes only: done on
every opening; sizes and hashes: once per folder, in a background thread above
`SYNC_HASH_BYTES`), what an editor's save adds (hashing its new segment and rewriting the
manifest), and opening the index with and without the checks. For the bundled corpus the
model folder too (its checks run on every load). Medians of ``--repeat`` runs, in ms;
hashing reads files from the page cache, as on a server that just wrote or read them.

``--matrix`` runs every cell of the corruption matrix of `tests/test_faults_corruption.py`
on the web test site and prints what the site answered before and after `pprnet build`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search_bench import base_summaries, corpus_of_size  # noqa: E402
from explorer import integrity  # noqa: E402
from explorer.corpus import load_taxonomy  # noqa: E402
from explorer.integrity import read_manifest, refresh_manifest, verify, write_manifest  # noqa: E402
from explorer.search import SearchIndex, build_index  # noqa: E402
from explorer.search.store import current_dir  # noqa: E402

TAXONOMY = load_taxonomy()


def median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def bench_index(label: str, docs, work: Path, repeat: int) -> dict:  # type: ignore[no-untyped-def]
    index_dir = work / f"index-{label}"
    build_index(docs, index_dir, taxonomy=TAXONOMY)
    live = current_dir(index_dir)
    manifest = read_manifest(live)
    total = manifest.total_bytes

    def rewrite() -> None:
        write_manifest(live, kind=manifest.kind, format_version=manifest.format_version,
                       fingerprint=manifest.fingerprint,
                       unlisted_forbidden=manifest.unlisted_forbidden)

    def open_checked() -> None:
        integrity.VERIFIED._state.clear()  # as a new process, or a swap to a new folder
        SearchIndex.open(index_dir)

    def open_unchecked() -> None:
        integrity.VERIFIED.mark_ok(live)  # hashes known good: sizes only
        SearchIndex.open(index_dir)

    row = {
        "corpus": label,
        "documents": len(docs),
        "files": len(manifest.files),
        "index_mb": round(total / 1e6, 2),
        "manifest_write_ms": median_ms(rewrite, repeat),
        "sizes_ms": median_ms(lambda: verify(live, deep=False), repeat),
        "sizes_and_hashes_ms": median_ms(lambda: verify(live, deep=True), repeat),
        "hashed_in_background": total > integrity.SYNC_HASH_BYTES,
        "open_with_hashes_ms": median_ms(open_checked, repeat),
        "open_sizes_only_ms": median_ms(open_unchecked, repeat),
    }
    row["hash_mb_per_s"] = round(total / 1e6 / (row["sizes_and_hashes_ms"] / 1000), 1)
    idx = SearchIndex.open(index_dir)
    saves = []
    for n in range(repeat):
        doc = docs[n % len(docs)]
        start = time.perf_counter()
        idx.add_or_replace(doc)  # commit + refresh_manifest
        saves.append((time.perf_counter() - start) * 1000)
    refresh = median_ms(lambda: refresh_manifest(live), repeat)
    row["editor_save_ms"] = round(statistics.median(saves), 2)
    row["manifest_refresh_ms"] = refresh
    return row


def bench_model(docs, work: Path, repeat: int) -> dict:  # type: ignore[no-untyped-def]
    from explorer.corpus import load_taxonomy
    from explorer.tagger import load_model, save_model, train_model
    from explorer.tagger.persist import model_dir

    index_dir = work / "model-index"
    save_model(train_model(docs, load_taxonomy()), index_dir)
    folder = model_dir(index_dir)

    def load_checked() -> None:
        integrity.VERIFIED._state.clear()
        load_model(index_dir)

    def load_unchecked() -> None:
        integrity.VERIFIED.mark_ok(folder)
        load_model(index_dir)

    return {
        "model_mb": round(read_manifest(folder).total_bytes / 1e6, 2),
        "model_sizes_and_hashes_ms": median_ms(lambda: verify(folder), repeat),
        "model_load_with_hashes_ms": median_ms(load_checked, repeat),
        "model_load_sizes_only_ms": median_ms(load_unchecked, repeat),
    }


def run_matrix() -> list[dict]:
    """Each cell of the test matrix, with what the site answered (status codes)."""
    from click.testing import CliRunner

    from explorer.cli import main as pprnet
    from tests import test_faults_corruption as m
    from tests.web_helpers import copy_site, make_app

    expected = m.reference()
    rows = []
    for kind, (part, where) in m.KINDS.items():
        for damage, hurt in m.DAMAGES.items():
            work = Path(tempfile.mkdtemp(prefix="pprnet-matrix-"))
            try:
                site = copy_site(work)
                hurt(where(site))
                client = make_app(site, API_TOKEN=m.TOKEN, AUTO_REBUILD=False).test_client()
                before = m._answers(client)
                page = client.get("/", query_string={"q": "alliance"}).status_code
                wrong = [w for w, answer in before.items()
                         if answer[0] == 200 and answer != expected[w]]
                args = ["build", "--quiet", "--corpus", str(site.corpus_dir), "--index",
                        str(site.index_dir), "--no-model" if part == "index" else "--no-index"]
                built = CliRunner().invoke(pprnet, args).exit_code
                restored = m._answers(client) == expected
            finally:
                shutil.rmtree(work, ignore_errors=True)
            statuses = sorted({status for status, _ in before.values()})
            rows.append({"kind": kind, "damage": damage, "page": page,
                         "search": sorted({before[q][0] for q in m.QUERIES}),
                         "suggest": before["suggest"][0], "api_statuses": statuses,
                         "wrong_answers": wrong, "build_exit": built, "restored": restored})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="bundled,3000",
                        help="comma-separated: 'bundled' and/or document counts")
    parser.add_argument("--repeat", type=int, default=7, help="runs per figure (median)")
    parser.add_argument("--matrix", action="store_true", help="run the corruption matrix")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.matrix:
        rows = run_matrix()
        print(json.dumps({"matrix": rows}, indent=1))
        print(f"\n{'file kind':<18}{'damage':<19}{'page':>5}{'search':>12}{'suggest':>8}"
              f"{'wrong':>6}  after pprnet build")
        for r in rows:
            search = "/".join(str(s) for s in r["search"])
            print(f"{r['kind']:<18}{r['damage']:<19}{r['page']:>5}{search:>12}"
                  f"{r['suggest']:>8}{len(r['wrong_answers']):>6}  "
                  f"{'restored' if r['restored'] and r['build_exit'] == 0 else 'NOT restored'}")
        return 0 if all(r["restored"] and not r["wrong_answers"] for r in rows) else 1
    base = base_summaries()
    rows = []
    work = Path(tempfile.mkdtemp(prefix="pprnet-integrity-"))
    try:
        for label in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            docs = corpus_of_size(label, base)
            if docs is None:
                parser.error(f"unknown size {label!r}")
            row = bench_index(label, docs, work, args.repeat)
            if label == "bundled":
                row.update(bench_model(docs, work, args.repeat))
            rows.append(row)
            print(f"done: {label}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"results": rows}, indent=1))
    cols = ["corpus", "documents", "index_mb", "manifest_write_ms", "sizes_ms",
            "sizes_and_hashes_ms", "open_with_hashes_ms", "open_sizes_only_ms",
            "editor_save_ms", "manifest_refresh_ms"]
    print()
    print("  ".join(f"{c:>19}" for c in cols))
    for row in rows:
        print("  ".join(f"{row[c]!s:>19}" for c in cols))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
