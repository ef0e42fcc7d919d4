"""The "Source" facet: where each indexed summary comes from (blog post or added).

Kept apart from the engine's topic and type arrays so that the facet is an addition, not a
change, to the search core: the per-document origin array is read once per index generation
from the ``origin`` keyword field's postings (like research types) and cached by the
snapshot's key. A filter on origins is one more boolean mask beside topic, type and date,
and its counts, like every facet group, ignore its own selection.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from explorer.cache import BoundedCache
from explorer.search.messages import SearchRequest
from explorer.search.snapshot import Snapshot

FIELD = "origin"
_CACHE: BoundedCache[object, tuple[list[str], np.ndarray]] = BoundedCache(8, lru=False)


def origin_array(snap: Snapshot) -> tuple[list[str], np.ndarray]:
    """(origin ids, per-document index into them; ``len(ids)`` = none recorded)."""
    key = (str(snap.folder), snap.key)  # generations are numbered per index folder
    hit = _CACHE.get(key)
    if hit is not None and len(hit[1]) == snap.n:
        return hit
    names = list(snap.taxonomy.origin_ids())
    try:
        known = snap._lexicon(FIELD)
    except Exception:  # noqa: BLE001 - an index built before origins existed has no field
        known = []
    names += [name for name in known if name not in names]
    idx = np.full(snap.n, len(names), dtype=np.int32)
    for i, name in enumerate(names):
        if name in known:
            idx[snap._global_ids(FIELD, name)] = i
    _CACHE.put(key, (names, idx))
    return names, idx


def resolve_origin(snap: Snapshot, raw: str) -> str | None:
    """The origin id for what a reader typed: an id or a name, case forgiven."""
    names, _ = origin_array(snap)
    origin = snap.taxonomy.origin(raw)
    if origin is not None and origin.id in names:
        return origin.id
    folded = {name.casefold(): name for name in names}
    return folded.get(" ".join(raw.split()).casefold())


def suggest_origin(snap: Snapshot) -> Callable[[str], str | None]:
    """A 'did you mean' for an unknown source: the only other choices are few, so list one."""
    names, _ = origin_array(snap)
    return lambda raw: next((n for n in names if n[:1].casefold() == raw[:1].casefold()), None)


def source_filter(
    snap: Snapshot, req: SearchRequest, notices: list[str],
    known_names: Callable[..., list[str]],
) -> tuple[np.ndarray, list[str]]:
    """(mask of the documents of the chosen origins, the origin ids applied)."""
    names = known_names(req.sources, lambda raw: resolve_origin(snap, raw),
                        suggest_origin(snap), "source", notices)
    if not names:
        return np.ones(snap.n, dtype=bool), names
    all_names, idx = origin_array(snap)
    wanted = np.array([all_names.index(n) for n in names])
    return np.isin(idx, wanted), names


def source_counts(snap: Snapshot, mask: np.ndarray) -> dict[str, int]:
    """Matching documents per origin id, in the taxonomy's order."""
    names, idx = origin_array(snap)
    counts = np.bincount(idx[mask], minlength=len(names) + 1)
    return {names[i]: int(c) for i, c in enumerate(counts[:-1]) if c > 0}
