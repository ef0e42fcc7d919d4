"""Full-text search over the archive: build, query, filter, facet, highlight, suggest.

Used alike by the CLI, the web UI and the JSON API::

    from explorer.search import SearchIndex, SearchRequest, build_index
    build_index(summaries, Path("index"), taxonomy=taxonomy)  # records in, no files read
    idx = SearchIndex.open(Path("index"))
    response = idx.search(SearchRequest(q="alliance rupture", topics=["Alliance"]))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.search.build import build_index
    from explorer.search.index import SearchIndex
    from explorer.search.messages import Hit, SearchRequest, SearchResponse
    from explorer.search.store import IndexLockedError, IndexMissingError, SearchError

# Name -> submodule, imported on first use (PEP 562): importing one light submodule such
# as ``explorer.search.store`` must not load Whoosh and the text pipeline, or every
# ``pprnet`` command pays for them at start-up.
_EXPORTS = {
    "build_index": "build",
    "SearchIndex": "index",
    "Hit": "messages",
    "SearchRequest": "messages",
    "SearchResponse": "messages",
    "IndexLockedError": "store",
    "IndexMissingError": "store",
    "SearchError": "store",
}

__all__ = [
    "Hit",
    "IndexLockedError",
    "IndexMissingError",
    "SearchError",
    "SearchIndex",
    "SearchRequest",
    "SearchResponse",
    "build_index",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
