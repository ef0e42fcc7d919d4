"""Navigation that remembers the search: a summary opened from a result list knows where
it came from.

A result link carries the search's URL parameters plus ``pos``, the result's rank
(1-based, across pages): ``/summary/<id>?q=alliance&topic=Empathy&pos=12``. The summary
page then offers the way back to that search at the right page, and the previous and
next results in the search's own order, by running the same search again (cheap: the
engine caches result orders). Nothing is stored on the server, so links can be shared.
If the corpus changed and the result at ``pos`` is no longer this summary, the way back
stays and previous/next are left out rather than pointing at the wrong neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from flask import current_app
from werkzeug.datastructures import MultiDict

from explorer.search.messages import Hit
from explorer.web.search_page import request_from_args
from explorer.web.state import state
from explorer.web.viewhelpers import SEARCH_KEYS, summary_link

CONTEXT_KEYS = tuple(k for k in SEARCH_KEYS if k != "page")


@dataclass
class Neighbour:
    id: str
    title: str
    url: str


@dataclass
class ResultNav:
    back_url: str  # the search page this summary was opened from
    position: int | None = None
    total: int | None = None
    previous: Neighbour | None = None
    next: Neighbour | None = None


def context_items(args: MultiDict[str, str]) -> list[tuple[str, str]]:
    """The search parameters a summary URL carries (no page, no pos), empty ones dropped."""
    return [(k, v) for k, v in args.items(multi=True) if k in CONTEXT_KEYS and v.strip()]


def _rank(args: MultiDict[str, str]) -> int | None:
    raw = (args.get("pos") or "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 100_000 else None


def result_nav(summary_id: str, args: MultiDict[str, str]) -> ResultNav | None:
    """Back link and neighbours for a summary opened from a search; None if not from one."""
    items = context_items(args)
    rank = _rank(args)
    if not items and rank is None:
        return None
    per_page = int(current_app.config["PER_PAGE"])
    req = request_from_args(MultiDict(items), per_page=per_page)
    page = (rank - 1) // per_page + 1 if rank else 1
    back_items = items + ([("page", str(page))] if page > 1 else [])
    nav = ResultNav(back_url="/" + (f"?{urlencode(back_items)}" if back_items else ""))
    if rank is None:
        return nav
    index = state().index()
    pages: dict[int, list[Hit]] = {}

    def hit_at(r: int) -> Hit | None:
        p, i = (r - 1) // per_page + 1, (r - 1) % per_page
        if p not in pages:
            resp = index.search(replace(req, page=p, notices=[]))
            pages[p] = resp.hits if resp.page == p else []
            nav.total = resp.total
        hits = pages[p]
        return hits[i] if 0 <= i < len(hits) else None

    here = hit_at(rank)
    if here is None or here.id != summary_id:
        return nav
    nav.position = rank
    for attr, r in (("previous", rank - 1), ("next", rank + 1)):
        hit = hit_at(r) if r >= 1 else None
        if hit is not None:
            setattr(nav, attr, Neighbour(hit.id, hit.title, summary_link(hit.id, items, r)))
    return nav


__all__ = ["ResultNav", "context_items", "result_nav"]
