"""Facet values for what a user typed: "alliance" for the topic "Alliance", an alias, a
unique prefix. The taxonomy answers first; then the names the index holds, so a topic
only the index knows (an older build) still filters.
"""

from __future__ import annotations

from explorer.records import Taxonomy
from explorer.search.snapshot import Snapshot


def _resolve(canonical: str | None, name: str, index: dict, names: list[str]) -> str | None:
    """A facet value for a user-typed name: the taxonomy's answer (exact, alias, case),
    else the name as indexed, else a unique prefix; None when nothing in the index fits."""
    if canonical is None and name in index:
        canonical = name
    if canonical is None and len(name) >= 3:
        low = name.casefold()
        matches = [t for t in names if t.casefold().startswith(low)]
        if len(matches) == 1:
            canonical = matches[0]
    return canonical if canonical in index else None


def resolve_topic(tax: Taxonomy, snap: Snapshot, name: str) -> str | None:
    """Canonical topic for a user-typed name."""
    return _resolve(tax.canonical_topic(name), name, snap.topic_index, snap.topic_names)


def resolve_type(tax: Taxonomy, snap: Snapshot, name: str) -> str | None:
    """Canonical research type for a user-typed name."""
    return _resolve(tax.canonical_type(name), name, snap.type_index, snap.type_names)
