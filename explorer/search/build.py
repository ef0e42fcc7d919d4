"""Build the search index from summaries: into a fresh directory, then swap it in.

A crash, a bad document or Ctrl-C mid-build leaves the live index untouched (the
half-built directory is removed, the pointer never moved), and readers keep using the old
index until they see the new pointer.

Speed: a large corpus is split into one part per core; each part is indexed by its own
process into its own Whoosh segment (analysis and Whoosh both, so the work of a part
never waits on another), and the segments are then listed in one table of contents, the
way Whoosh's own multi-segment writer finishes. (Whoosh's ``procs=`` pickles documents to
sub-writers from one feeding process; measured here it was no faster than one process.)
Each document is analyzed once, and its analyzed fields' postings (terms, frequencies,
positions) are written only as per-segment NumPy arrays (`explorer.search.postings`),
which the engine reads for matching, phrases, prefixes and vocabularies: Whoosh keeps
their stored text and lengths but writes no postings for them (`bulkwrite.add_document`;
encoding them was most of a large build). Whoosh indexes the keyword fields itself, its
postings grouped per term as they come instead of sorted at the end (`bulkwrite`).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.index import TOC, clean_files

from explorer.atomicfile import atomic_write_text
from explorer.integrity import write_manifest
from explorer.leftovers import sweep_temporaries
from explorer.records import Summary, Taxonomy
from explorer.search import analysis, bulkwrite
from explorer.search.postings import SUFFIX, PostingsWriter
from explorer.search.schema import (
    ANALYZED_FIELDS,
    EXACT_FIELDS,
    EXACT_PARTS,
    document_for,
    make_schema,
)
from explorer.search.store import build_lock, new_build_dir, swap_in

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

TAXONOMY_FILE = "taxonomy.json"
# Of an index folder as a whole, recorded in its manifest; opening refuses another.
# 2: analyzed fields' postings (with positions) only in the arrays, none in Whoosh.
INDEX_FORMAT = 2
PARALLEL_FROM = 500  # documents; below this, starting workers costs more than it saves

_Analyzed = dict[str, list[tuple[str, int, int, int]]]


def taxonomy_to_json(taxonomy: Taxonomy) -> str:
    """The taxonomy as the index keeps it (`SearchIndex` reads it back with
    `Taxonomy.from_dict`)."""
    return json.dumps(taxonomy.to_dict(), ensure_ascii=False, indent=1)


def analyze_document(doc: dict[str, object]) -> _Analyzed:
    """Positioned tokens of every analyzed field of one Whoosh document (worker side).

    The exact fields' terms are an unordered bag (their format keeps frequencies only),
    and the words and compounds of "a\nb" are those of "a" and of "b" (no word or
    compound crosses a line break), so each text is split into words once for its own
    field and for ``exact`` (its parts joined by line breaks) and ``exact_title``."""
    out: _Analyzed = {}
    exact: dict[str, list[str]] = {}
    for field, expand in ANALYZED_FIELDS.items():
        value = doc.get(field)
        if isinstance(value, str) and value:
            if field in EXACT_PARTS:
                out[field], exact[field] = analysis.text_and_exact(value, expand)
            else:
                out[field] = analysis.positioned_tokens(value, expand_acronyms=expand)
    parts = [str(doc[f]) for f in EXACT_PARTS if doc.get(f)]
    for field in EXACT_FIELDS:
        value = doc.get(field)
        if not (isinstance(value, str) and value):
            continue
        if value == "\n".join(parts):
            forms = [w for f in EXACT_PARTS if f in exact for w in exact[f]]
        elif value == doc.get("title") and "title" in exact:
            forms = exact["title"]
        else:  # some other text: analyzed on its own
            forms = analysis.exact_forms(value)
        out[field] = [(w, 0, 0, 0) for w in forms]
    return out


def _build_part(job: tuple[str, int, int]) -> str:
    """Worker: index ``_PARTS_DOCS[lo:hi]`` into its own Whoosh index in ``folder``."""
    folder, lo, hi = job
    _write(Path(folder), _PARTS_DOCS[lo:hi], progress=False, counter=_PARTS_COUNTER)
    return folder


_PARTS_DOCS: list[Summary] = []  # handed to forked workers without pickling
_PARTS_COUNTER = None  # shared count of indexed documents, for the progress bar


def build_index(
    summaries: list[Summary], index_dir: Path, *, taxonomy: Taxonomy,
    progress: bool = False, workers: int | None = None,
    fingerprint: str | None = None,
) -> dict:
    """Index ``summaries`` into ``index_dir`` atomically; return stats.

    ``taxonomy`` (the corpus's, loaded by the caller: search/ takes records, never
    files) is saved with the index so that searches resolve topic and type names the way
    the corpus did. ``workers``: processes, each
    indexing one part into its own segment (default: one per core, up to four, for
    corpora of at least `PARALLEL_FROM` summaries; otherwise one, in this process).
    ``fingerprint``: the corpus's (see `corpus_fingerprint`), recorded in the manifest that
    is written last, before the swap, so that opening can tell a damaged file.
    """
    index_dir = Path(index_dir)
    started = time.perf_counter()
    ids = [s.id for s in summaries]
    if len(set(ids)) != len(ids):
        dupes = sorted(i for i, n in Counter(ids).items() if n > 1)[:5]
        raise ValueError(f"duplicate summary ids: {', '.join(dupes)}")
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(summaries) >= PARALLEL_FROM else 1
    workers = max(1, min(workers, len(summaries)))
    with build_lock(index_dir, timeout=600):
        sweep_temporaries(index_dir, time.time())
        target = new_build_dir(index_dir)
        try:
            if workers > 1:
                _write_parallel(target, summaries, workers, progress)
            else:
                _write(target, summaries, progress)
            atomic_write_text(target / TAXONOMY_FILE, taxonomy_to_json(taxonomy))
            write_manifest(target, kind="search-index", format_version=INDEX_FORMAT,
                           fingerprint=fingerprint, unlisted_forbidden=("*.toc",))
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


def _write(target: Path, summaries: list[Summary], progress: bool,
           counter: Synchronized[int] | None = None) -> None:
    """One process, one segment: analyze each document once; its analyzed fields go to
    the postings arrays only, Whoosh gets their stored text and lengths (and indexes the
    keyword fields itself)."""
    ix = whoosh_index.create_in(str(target), make_schema())
    writer = ix.writer()
    bulkwrite.install(writer)  # postings grouped per term in memory, lengths read once
    sidecar = PostingsWriter([*ANALYZED_FIELDS, *EXACT_FIELDS],
                             positional=frozenset(ANALYZED_FIELDS))
    try:
        for docnum, summary in enumerate(_progress(summaries, len(summaries), progress)):
            doc = document_for(summary)
            lengths: dict[str, int] = {}
            for field, tokens in analyze_document(doc).items():
                sidecar.add(docnum, field, tokens)
                lengths[field] = len(tokens)
            bulkwrite.add_document(writer, doc, lengths)
            if counter is not None and docnum % 50 == 49:
                with counter.get_lock():
                    counter.value += 50
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    if summaries:
        with ix.reader() as reader:
            segments = [(leaf.segment().segment_id(), leaf.doc_count_all())
                        for leaf, _ in reader.leaf_readers()]
        # the arrays hold the only postings of the analyzed fields: one segment, or fail
        if len(segments) != 1 or segments[0][1] != len(summaries):
            raise RuntimeError(f"the build wrote {len(segments)} segments, not one")
        segment_id = segments[0][0]
        sidecar.save(target / f"{segment_id}{SUFFIX}")
    ix.close()


def _write_parallel(target: Path, summaries: list[Summary], workers: int,
                    progress: bool) -> None:
    """Index parts in worker processes, then gather their segments into ``target``."""
    global _PARTS_DOCS, _PARTS_COUNTER
    size = -(-len(summaries) // workers)
    jobs = [(str(target / f"part-{k}"), lo, min(lo + size, len(summaries)))
            for k, lo in enumerate(range(0, len(summaries), size))]
    for folder, _, _ in jobs:
        Path(folder).mkdir()
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    if ctx.get_start_method() == "fork":
        # Import NLTK and make the acronym tables here, once: forked workers inherit
        # them instead of each paying seconds for the same imports.
        analyze_document(document_for(summaries[0]))
    _PARTS_DOCS, _PARTS_COUNTER = summaries, ctx.Value("i", 0)
    bar = _bar(len(summaries)) if progress else None
    try:
        with ctx.Pool(len(jobs)) as pool:
            result = pool.map_async(_build_part, jobs, chunksize=1)
            while not result.ready():
                result.wait(0.25)
                if bar is not None:
                    bar.update(_PARTS_COUNTER.value - bar.n)
            result.get()
        if bar is not None:
            bar.update(len(summaries) - bar.n)
    finally:
        _PARTS_DOCS, _PARTS_COUNTER = [], None
        if bar is not None:
            bar.close()
    ix = whoosh_index.create_in(str(target), make_schema())
    segments = []
    for folder, _, _ in jobs:
        part = whoosh_index.open_dir(folder)
        segments.extend(part._segments())  # in part order: document numbers follow it
        part.close()
        for path in Path(folder).iterdir():
            if not path.name.startswith("_") and "WRITELOCK" not in path.name:
                path.rename(target / path.name)
        shutil.rmtree(folder)
    generation = ix.latest_generation() + 1
    TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, generation, segments)
    ix.close()


def _bar(total: int) -> Any:
    """A progress bar on a terminal (tqdm's, untyped), None otherwise."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="indexing", unit="summary", file=sys.stderr)


def _progress(items: Iterable, total: int, enabled: bool) -> Iterable:
    bar = _bar(total) if enabled else None
    if bar is None:
        return items

    def counted() -> Iterable:
        try:
            for item in items:
                yield item
                bar.update(1)
        finally:
            bar.close()

    return counted()
