"""Build the search index from summaries: into a fresh directory, then swap it in.

A crash, a bad document or Ctrl-C mid-build leaves the live index untouched (the
half-built directory is removed, the pointer never moved), and readers keep using the old
index until they see the new pointer.

Speed: text analysis (textproc) runs in worker processes while this process feeds Whoosh
with the finished tokens, so on two cores the two halves of the work overlap. (Whoosh's
own ``procs=`` pickles whole documents to sub-writers and merges their segments at the
end; measured here it was no faster than one process.) Since the build sees every
document's terms anyway, it also writes them as per-segment NumPy postings
(`explorer.search.postings`) for fast matching.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh import index as whoosh_index

from explorer.corpus import atomic_write_text, load_taxonomy
from explorer.records import Summary, Taxonomy
from explorer.search import analysis
from explorer.search.postings import SUFFIX, PostingsWriter
from explorer.search.schema import ANALYZED_FIELDS, document_for, make_schema
from explorer.search.store import build_lock, new_build_dir, swap_in

TAXONOMY_FILE = "taxonomy.json"
PARALLEL_FROM = 500  # documents; below this, starting workers costs more than it saves

_Analysed = dict[str, list[tuple[str, int, int, int]]]


def taxonomy_to_json(taxonomy: Taxonomy) -> str:
    return json.dumps(
        {
            "topics": taxonomy.topics,
            "research_types": taxonomy.research_types,
            "aliases": taxonomy.aliases,
            "type_aliases": taxonomy.type_aliases,
        },
        ensure_ascii=False,
        indent=1,
    )


def analyse_document(doc: dict[str, object]) -> _Analysed:
    """Positioned tokens of every analysed field of one Whoosh document (worker side)."""
    out: _Analysed = {}
    for field, expand in ANALYZED_FIELDS.items():
        value = doc.get(field)
        if isinstance(value, str) and value:
            out[field] = analysis.positioned_tokens(value, expand_acronyms=expand)
    return out


def _analysed_stream(docs: list[dict[str, object]], workers: int) -> Iterator[_Analysed]:
    if workers <= 1:
        yield from map(analyse_document, docs)
        return
    ctx = multiprocessing.get_context("fork" if "fork" in
                                      multiprocessing.get_all_start_methods() else None)
    with ctx.Pool(workers) as pool:
        yield from pool.imap(analyse_document, docs, chunksize=32)


def build_index(
    summaries: list[Summary], index_dir: Path, *, progress: bool = False,
    taxonomy: Taxonomy | None = None, workers: int | None = None,
) -> dict:
    """Index ``summaries`` into ``index_dir`` atomically; return stats.

    ``taxonomy`` (default: the bundled one) is saved with the index so that searches
    resolve topic and type names the way the corpus did. ``workers``: analysis
    processes (default: one per core beyond the first, none for small corpora).
    """
    index_dir = Path(index_dir)
    started = time.perf_counter()
    taxonomy = taxonomy or load_taxonomy()
    ids = [s.id for s in summaries]
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dupes = sorted({i for i in ids if i in seen or seen.add(i)})[:5]  # type: ignore[func-returns-value]
        raise ValueError(f"duplicate summary ids: {', '.join(dupes)}")
    if workers is None:
        workers = max(1, (os.cpu_count() or 1) - 1) if len(summaries) >= PARALLEL_FROM else 1
    with build_lock(index_dir, timeout=600):
        target = new_build_dir(index_dir)
        try:
            _write(target, summaries, workers, progress)
            atomic_write_text(target / TAXONOMY_FILE, taxonomy_to_json(taxonomy))
            swap_in(index_dir, target)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
    size = sum(f.stat().st_size for f in target.iterdir() if f.is_file())
    return {
        "documents": len(summaries),
        "seconds": round(time.perf_counter() - started, 3),
        "bytes": size,
        "path": str(target),
    }


def _write(target: Path, summaries: list[Summary], workers: int, progress: bool) -> None:
    ix = whoosh_index.create_in(str(target), make_schema())
    writer = ix.writer(limitmb=256)
    sidecar = PostingsWriter(list(ANALYZED_FIELDS))
    docs = [document_for(s) for s in summaries]
    try:
        stream = _analysed_stream(docs, workers)
        for docnum, (doc, analysed) in enumerate(_progress(zip(docs, stream, strict=True),
                                                           len(docs), progress)):
            keys = []
            for field, tokens in analysed.items():
                key = (ANALYZED_FIELDS[field], doc[field])
                analysis.PRECOMPUTED[key] = tokens  # type: ignore[index]
                keys.append(key)
                sidecar.add(docnum, field, [t[0] for t in tokens])
            try:
                writer.add_document(**doc)
            finally:
                for key in keys:
                    analysis.PRECOMPUTED.pop(key, None)  # type: ignore[arg-type]
    except BaseException:
        writer.cancel()
        analysis.PRECOMPUTED.clear()
        raise
    writer.commit()
    with ix.reader() as reader:
        leaves = reader.leaf_readers()
        if len(leaves) == 1 and leaves[0][0].doc_count_all() == len(docs):
            segment_id = leaves[0][0].segment().segment_id()
            sidecar.save(target / f"{segment_id}{SUFFIX}")
    ix.close()


def _progress(items: Iterable, total: int, enabled: bool) -> Iterable:  # type: ignore[type-arg]
    if not enabled or not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc="indexing", unit="summary", file=sys.stderr)
