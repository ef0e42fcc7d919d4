"""Disjunctive facet counts over per-document arrays.

Each facet group is counted over the documents that match the query and every *other*
group's selection, ignoring its own (as Algolia and Meilisearch do): a reader filtering
on one topic still sees how many results each other topic would bring. Counting is a
`bincount` over (document, topic) pairs, types or years over a boolean mask, so it costs
the same whether the query matched ten documents or thirty thousand.
"""

from __future__ import annotations

import numpy as np

from explorer.search.engine import Snapshot


def topic_counts(snap: Snapshot, mask: np.ndarray) -> dict[str, int]:
    picked = snap.pair_topic[mask[snap.pair_doc]]
    counts = np.bincount(picked, minlength=len(snap.topic_names))
    return _sorted({snap.topic_names[i]: int(c) for i, c in enumerate(counts) if c > 0})


def type_counts(snap: Snapshot, mask: np.ndarray) -> dict[str, int]:
    counts = np.bincount(snap.type_idx[mask], minlength=len(snap.type_names) + 1)
    return _sorted({snap.type_names[i]: int(c) for i, c in enumerate(counts[:-1]) if c > 0})


def year_counts(snap: Snapshot, mask: np.ndarray) -> dict[str, int]:
    years = snap.pub_year[mask & (snap.month >= 0)]
    if not len(years):
        return {}
    base = int(years.min())
    counts = np.bincount(years - base)
    return {str(base + i): int(c) for i, c in enumerate(counts) if c > 0}


def facets(
    snap: Snapshot, query: np.ndarray, topic: np.ndarray, rtype: np.ndarray, date: np.ndarray
) -> dict[str, dict[str, int]]:
    """All three groups; each ignores its own filter mask."""
    return {
        "topics": topic_counts(snap, query & rtype & date),
        "research_type": type_counts(snap, query & topic & date),
        "year": year_counts(snap, query & topic & rtype),
    }


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    """Most frequent first, then by name: the order a sidebar shows."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
