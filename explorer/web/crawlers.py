"""What a search engine's crawler may fetch (``/robots.txt``) and every page worth
indexing (``/sitemap.xml``).

Every combination of words, topics, types, years, sort order and page is its own URL,
so a crawler that follows the search page's links renders page after page of the same
summaries in other orders, each a first visit that the page cache cannot help with. A
polite crawler reads ``robots.txt`` first: it is kept off every URL with a query string
(searches, facet links, a summary opened from a search, which carries the search) and
off downloads, feeds, the JSON API, reading lists and the editor. It is told where the
sitemap is, which names each summary page and each topic page once. Summary pages name
their own address without the search (``<link rel="canonical">``) for a crawler that
arrives by a link with one anyway.

Paths are given under the site root (a site served below ``/explorer`` writes
``Disallow: /explorer/*?``); a crawler asks for ``robots.txt`` at the host's root, so
such a site's front server must pass that path on.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from flask import Blueprint, Response, abort, request

from explorer.records import slugify
from explorer.web.state import cached_page, state

bp = Blueprint("crawlers", __name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The sitemap protocol's limit of addresses in one file; a larger archive gets a sitemap
# index that points to numbered parts of this size.
SITEMAP_LIMIT = 50_000

# Paths under the site root a crawler is kept off ("*" any characters, RFC 9309)
DISALLOWED = ("/*?", "/export.", "/summary/*/export.", "/api/", "/list", "/editor",
              "/feed.atom")
# ...and those it may fetch anyway: the style sheet, script and icon, whose links carry a
# version (``?v=``), so that a search engine sees the pages as a reader does. The longer
# rule wins, so this one beats "/*?".
ALLOWED = ("/static/",)


@bp.get("/robots.txt")
def robots_txt() -> Response:
    root = request.script_root
    lines = ["# PPRNet Explorer: summary and topic pages are for indexing; searches,",
             "# filters and downloads are not (each combination is its own URL).",
             "User-agent: *"]
    lines += [f"Allow: {root}{path}" for path in ALLOWED]
    lines += [f"Disallow: {root}{path}" for path in DISALLOWED]
    lines += ["", f"Sitemap: {_site()}/sitemap.xml", ""]
    response = Response("\n".join(lines), mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/sitemap.xml")
@cached_page
def sitemap() -> Response:
    """Every page worth indexing, or, past `SITEMAP_LIMIT` of them, an index of parts."""
    pages = _pages()
    if len(pages) <= SITEMAP_LIMIT:
        return _xml("urlset", [_site() + path for path in pages])
    parts = range(1, (len(pages) - 1) // SITEMAP_LIMIT + 2)
    return _xml("sitemapindex", [f"{_site()}/sitemap-{n}.xml" for n in parts])


@bp.get("/sitemap-<int:part>.xml")
@cached_page
def sitemap_part(part: int) -> Response:
    """The ``part``-th `SITEMAP_LIMIT` pages (numbered from 1), when there are more than
    one file holds."""
    pages = _pages()
    chunk = pages[(part - 1) * SITEMAP_LIMIT:part * SITEMAP_LIMIT]
    if part < 1 or len(pages) <= SITEMAP_LIMIT or not chunk:
        abort(404)
    return _xml("urlset", [_site() + path for path in chunk])


def _pages() -> list[str]:
    """The search page, the topic list, each topic page and each summary page, as paths
    under the site root: the home page first, summaries oldest first (a part of a large
    sitemap stays the same as summaries are added)."""
    st = state()
    summaries = sorted(st.store.all(), key=lambda s: (s.published or "9999", s.id))
    return ["/", "/topics",
            *(f"/topics/{slugify(t)}" for t in st.taxonomy.topics),
            *(f"/summary/{s.id}" for s in summaries)]


def _site() -> str:
    """The site's absolute address (scheme, host, root): what the front server says it is
    when it is a trusted proxy (see `pprnet serve --trusted-proxy`)."""
    return request.host_url.rstrip("/") + request.script_root


def _xml(kind: str, locations: list[str]) -> Response:
    """A ``<urlset>`` of ``<url>`` or a ``<sitemapindex>`` of ``<sitemap>`` entries."""
    ET.register_namespace("", SITEMAP_NS)
    top = ET.Element(f"{{{SITEMAP_NS}}}{kind}")
    child = "url" if kind == "urlset" else "sitemap"
    for location in locations:
        ET.SubElement(ET.SubElement(top, f"{{{SITEMAP_NS}}}{child}"),
                      f"{{{SITEMAP_NS}}}loc").text = location
    body = ET.tostring(top, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/xml")
