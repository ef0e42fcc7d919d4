"""Full-text search over the archive: build, query, filter, facet, highlight, suggest.

Used alike by the CLI, the web UI and the JSON API::

    from explorer.search import SearchIndex, SearchRequest, build_index
    build_index(summaries, Path("index"))
    idx = SearchIndex.open(Path("index"))
    response = idx.search(SearchRequest(q="alliance rupture", topics=["Alliance"]))
"""

from explorer.search.build import build_index
from explorer.search.index import SearchIndex
from explorer.search.models import Hit, SearchRequest, SearchResponse
from explorer.search.store import IndexLockedError, IndexMissingError, SearchError

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
