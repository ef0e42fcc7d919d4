"""The search page (``/``): query box, results, facet sidebar, year range, pagination.

Every state lives in the URL (``q``, ``topic``…, ``any_topic``, ``type``…, ``from``,
``to``, ``sort``, ``page``), so a search can be bookmarked and the back button works.
`request_from_args` is shared with the exports and the JSON API so the three always
agree on what a URL means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from flask import Blueprint, current_app, redirect, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from explorer.search import SearchRequest, SearchResponse
from explorer.search.messages import MAX_PER_PAGE
from explorer.web.charts import year_histogram
from explorer.web.state import cached_page, state
from explorer.web.viewhelpers import SEARCH_KEYS, encode, search_args

bp = Blueprint("search", __name__)


def request_from_args(args: MultiDict[str, str], *, per_page: int | None = None) -> SearchRequest:
    """A SearchRequest from raw URL parameters (SearchRequest cleans and reports oddities)."""
    q = (args.get("q") or "").strip()
    # No sort given (the form's default option is empty): relevance for words, newest for
    # browsing, so a query typed on the browse page is never sorted by date by accident.
    sort = args.get("sort") or ("relevance" if q else "newest")
    return SearchRequest.from_raw(
        q=q,
        topics=[t for t in args.getlist("topic") if t.strip()],
        any_topic=args.get("any_topic", ""),
        types=[t for t in args.getlist("type") if t.strip()],
        date_from=args.get("from") or None,
        date_to=args.get("to") or None,
        study_from=args.get("study_from") or None,
        study_to=args.get("study_to") or None,
        correct=args.get("correct", "") != "0",
        sort=sort,
        page=args.get("page") or 1,
        per_page=per_page or current_app.config["PER_PAGE"],
        sources=[t for t in args.getlist("source") if t.strip()],
    )


def result_ids(req: SearchRequest, limit: int) -> list[str]:
    """The ids of the first ``limit`` results of ``req``, in its order, read page by page
    through the search (what the exports and the feeds list)."""
    base = replace(req, per_page=MAX_PER_PAGE, notices=[])
    ids: list[str] = []
    page = 1
    while len(ids) < limit:
        resp = state().index().search(replace(base, page=page))
        ids.extend(hit.id for hit in resp.hits)
        if page >= resp.pages or not resp.hits:
            break
        page += 1
    return ids[:limit]


@dataclass
class FacetValue:
    name: str
    count: int
    selected: bool


def facet_values(counts: dict[str, int], names: list[str], selected: list[str]) -> list[FacetValue]:
    """Values worth showing: every one with matches, and every selected one (even at 0)."""
    values = [
        FacetValue(name, counts.get(name, 0), name in selected)
        for name in names
        if counts.get(name, 0) > 0 or name in selected
    ]
    values += [FacetValue(s, counts.get(s, 0), True) for s in selected if s not in names]
    return values


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """[1, None, 4, 5, 6, 7, 8, None, 20]: None marks a gap."""
    wanted = {1, pages, *range(page - around, page + around + 1)}
    out: list[int | None] = []
    for n in sorted(p for p in wanted if 1 <= p <= pages):
        if out and out[-1] is not None and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


def year_link() -> Callable[[int], str]:
    """``search_url(from_=y, to=y)`` for the histogram's bars, with the rest of the query
    encoded once rather than once per bar."""
    kept = encode([(k, v) for k, v in search_args() if k not in ("from", "to", "page")])
    head = f"/?{kept}&" if kept else "/?"
    return lambda y: f"{head}from={y}&to={y}"


def _year(value: str | None) -> int | None:
    return int(value[:4]) if value and value[:4].isdigit() else None


def _notices(req: SearchRequest, resp: SearchResponse) -> list[str]:
    return list(dict.fromkeys([*req.notices, *resp.notices]))


def without_empty_params() -> Response | None:
    """A redirect to the same search without empty parameters (``?q=dropout&from=&to=``).

    A plain HTML form sends every field, chosen or not; the canonical URL keeps only what
    means something, so bookmarks, shared links and the page cache see one URL per search.
    """
    items = request.args.items(multi=True)
    if not any(k in SEARCH_KEYS and not v.strip() for k, v in items):
        return None
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in SEARCH_KEYS or v.strip()]
    return redirect(request.path + (f"?{urlencode(kept)}" if kept else ""), code=302)


@bp.get("/")
@cached_page
def search_page() -> str | Response:
    canonical = without_empty_params()
    if canonical is not None:
        return canonical
    st = state()
    req = request_from_args(request.args)
    resp = st.index().search(req)
    taxonomy = st.taxonomy
    stats = st.store.stats()
    years = stats.years
    year_counts = {int(y): n for y, n in resp.facets.get("year", {}).items() if str(y).isdigit()}
    if year_counts:
        years = sorted(set(years) | set(year_counts))
        years = list(range(years[0], years[-1] + 1))
    lo, hi = _year(resp.date_from), _year(resp.date_to)
    histogram = "" if not any(year_counts.values()) else year_histogram(
        year_counts,
        years,
        chart_id="year-histogram",
        selected=(lo, hi),
        href=year_link(),
    )
    topics = facet_values(resp.facets.get("topics", {}), taxonomy.topics, resp.topics)
    topics.sort(key=lambda v: (not v.selected, -v.count, v.name))
    types = facet_values(
        resp.facets.get("research_type", {}), taxonomy.research_types, resp.types
    )
    sources = [FacetValue(o.id, resp.facets.get("source", {}).get(o.id, 0), o.id in resp.sources)
               for o in taxonomy.origins]
    return render_template(
        "search.html",
        sources=sources,
        origin_names={o.id: o.name for o in taxonomy.origins},
        req=req,
        resp=resp,
        notices=_notices(req, resp),
        topics=topics,
        types=types,
        years=years,
        histogram=histogram,
        pages=page_numbers(resp.page, resp.pages),
        browsing=not req.q.strip(),
        corpus_total=len(st.store),
    )

