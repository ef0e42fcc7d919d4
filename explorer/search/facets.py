"""Disjunctive facet counts over per-document arrays.

Research type (one per summary) and year are counted over the documents that match the
query and every *other* group's selection, ignoring their own (as Algolia and Meilisearch
do). Topics follow the topic mode (see `facets`), so every count is what ticking that
topic would show. Counting is a
`bincount` over (document, topic) pairs, types or years over a boolean mask, so it costs
the same whether the query matched ten documents or thirty thousand.
"""

from __future__ import annotations

import numpy as np

from explorer.search.snapshot import Snapshot


def topic_counts(snap: Snapshot, mask: np.ndarray) -> dict[str, int]:
    picked = snap.pair_topic[mask[snap.pair_doc]]
    counts = np.bincount(picked, minlength=len(snap.topic_names))
    names = snap.topic_names  # .tolist(): Python ints, not one NumPy scalar per topic
    return _sorted({names[i]: c for i, c in enumerate(counts.tolist()) if c > 0})


def type_counts(snap: Snapshot, mask: np.ndarray) -> dict[str, int]:
    counts = np.bincount(snap.type_idx[mask], minlength=len(snap.type_names) + 1)
    names = snap.type_names
    return _sorted({names[i]: c for i, c in enumerate(counts[:-1].tolist()) if c > 0})


def year_counts(snap: Snapshot, mask: np.ndarray) -> dict[str, int]:
    years = snap.pub_year[mask & (snap.month >= 0)]
    if not len(years):
        return {}
    base = int(years.min())
    counts = np.bincount(years - base)
    return {str(base + i): c for i, c in enumerate(counts.tolist()) if c > 0}


def facets(
    snap: Snapshot, query: np.ndarray, topic: np.ndarray, rtype: np.ndarray, date: np.ndarray,
    *, topics_all_of: bool = True,
) -> dict[str, dict[str, int]]:
    """All three groups. Research type and year ignore their own filter (disjunctive).
    Topics follow the topic mode: with all-of, ticking one more topic narrows the
    results, so each count is taken within the current results (what ticking it would
    give); with any-of, ticking widens them, so the topic filter is ignored."""
    topic_base = query & rtype & date
    if topics_all_of:
        topic_base &= topic
    return {
        "topics": topic_counts(snap, topic_base),
        "research_type": type_counts(snap, query & topic & date),
        "year": year_counts(snap, query & topic & rtype),
    }


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    """Most frequent first, then by name: the order a sidebar shows."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
