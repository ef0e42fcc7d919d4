"""The hits of one results page: stored fields, highlighted title and snippet, and the
order that decides which documents make the page.

Stored fields are cached per (segment, document): segments are immutable, a page reads
ten of them, and popular summaries come back again and again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from explorer.cache import BoundedCache
from explorer.search.evaluator import Evaluator
from explorer.search.highlight import expand_terms, find_spans, mark, prefer_exact, snippet
from explorer.search.messages import Hit
from explorer.search.schema import SNIPPET_FIELDS
from explorer.search.snapshot import Snapshot


def build_hits(searcher: Any, snap: Snapshot, ev: Evaluator,
               docnums: list[int], score: np.ndarray | None) -> list[Hit]:
    """The page's hits: stored fields, the title marked, and the snippet of the field
    (body or implications) with the most matches."""
    terms = {field: expand_terms(ev.highlight.get(field, ())) for field in
             ("title", *SNIPPET_FIELDS)}
    held = _held_terms(snap, docnums, terms)
    hits = []
    for j, docnum in enumerate(docnums):
        stored = stored_fields(searcher, snap, docnum)
        title = stored.get("title", "")
        best_text = ""  # the field with the most matches, and where they are
        best_spans: list[tuple[int, int]] = []
        for field in SNIPPET_FIELDS:
            text = stored.get(field, "") or ""
            if not text:
                continue
            field_spans = find_spans(text, held[field][j])
            if best_text and len(field_spans) <= len(best_spans):
                continue  # dropping stem-only matches cannot make this field win
            field_spans = prefer_exact(text, field_spans, ev.exact_forms)
            if not best_text or len(field_spans) > len(best_spans):
                best_text, best_spans = text, field_spans
        best_html = snippet(best_text, best_spans)
        topics = [t for t in (stored.get("topics") or "").split("\n") if t]
        hits.append(Hit(
            id=stored.get("id", ""),
            title=title,
            published=stored.get("published", ""),
            topics=topics,
            research_type=stored.get("research_type") or None,
            citation=stored.get("citation", "") or "",
            score=float(score[docnum]) if score is not None else 0.0,
            snippet_html=best_html,
            title_html=mark(title, prefer_exact(title, find_spans(title, held["title"][j]),
                                                ev.exact_forms)),
            origin=stored.get("origin", "") or "",
        ))
    return hits


def _held_terms(snap: Snapshot, docnums: list[int], terms: dict[str, frozenset[str]]
                ) -> dict[str, list[list[str]]]:
    """Per field, per page document: the highlight terms its postings hold, the only
    ones its text can show (the index and the highlighter analyze words alike). Most
    query terms, synonyms and word-family members are missing from most documents, and
    looking for them in the text costs far more than in the postings, which the query
    has just read."""
    docs = np.asarray(docnums, dtype=np.intp)
    held: dict[str, list[list[str]]] = {}
    for field, wanted in terms.items():
        per_doc: list[list[str]] = [[] for _ in docnums]
        held[field] = per_doc
        if not docnums:
            continue
        for term in sorted(wanted):
            ids = snap.term_scores(field, term)[0]
            if not len(ids):
                continue
            # array methods, not the np.* functions: a page asks a dozen terms in three
            # fields, and the functions' dispatch cost more than the search in the array
            at = ids.searchsorted(docs)
            np.minimum(at, len(ids) - 1, out=at)
            for j in (ids[at] == docs).nonzero()[0].tolist():
                per_doc[j].append(term)
    return held


def page_order(snap: Snapshot, mask: np.ndarray, score: np.ndarray | None, sort: str,
           start: int, stop: int) -> list[int]:
    """Doc numbers ranked ``start:stop`` among ``mask``."""
    docs = np.flatnonzero(mask)
    if start >= len(docs):
        return []
    stop = min(stop, len(docs))
    if sort == "relevance" and score is not None:
        s = score[docs]
        if stop < len(docs):
            # every document scoring at least the stop-th best: ties at the cut included,
            # so which of them make the page is decided by the tie-breaks below
            kth = -np.partition(-s, stop - 1)[stop - 1]
            keep = s >= kth
            docs, s = docs[keep], s[keep]
        # score desc, then newest, then id: the same order from every build of an index
        order = np.lexsort((snap.id_rank[docs], -snap.month[docs], -s))
    else:
        sign = -1 if sort in ("newest", "relevance") else 1
        months = snap.month[docs]
        # summaries with no posting month (added to the archive) come last either way
        order = np.lexsort((snap.id_rank[docs], sign * months, months < 0))
    return [int(d) for d in docs[order][start:stop]]


# Stored fields per (index folder, segment, document): segments are immutable, a page
# reads ten of them, and hot documents come back again and again. The folder is part of
# the key because a segment id is unique only within its index: Whoosh draws it from the
# process's global random numbers, which a seeded caller (a test framework) makes repeat,
# and a copied index keeps its ids while its corpus moves on.
_STORED_CACHE: BoundedCache[tuple[str, str, int], dict] = BoundedCache(5_000, lru=False)


def _segment_of(snap: Snapshot, docnum: int) -> tuple[str, str, int]:
    """(index folder, segment id, local doc number) of a global doc number."""
    for (_leaf, offset), segid in zip(reversed(snap.leaves), reversed(snap.segids), strict=True):
        if docnum >= offset:
            return str(snap.folder), segid, docnum - offset
    raise IndexError(docnum)


def stored_fields(searcher: Any, snap: Snapshot, docnum: int) -> dict:
    key = _segment_of(snap, docnum)
    return _STORED_CACHE.get_or_make(key, lambda: searcher.stored_fields(docnum))
