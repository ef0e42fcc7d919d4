"""Atom feeds (``/feed.atom``): follow any search or topic in a feed reader.

The feed takes exactly the search page's URL parameters, so "Follow" on a page gives
the same selection, always newest first and at most `FEED_SIZE` entries. Each entry
carries the title, a link to the summary page, its month, the APA reference and the
practice implications: what a researcher needs to decide whether to open it.

Entry ids are tag URIs built from the summary id, not from the host name, so a feed
reader does not show every entry again when the site moves behind another address.
The XML is written with ElementTree, which escapes every text node and attribute.
"""

from __future__ import annotations

import re
from dataclasses import replace
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, request
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from explorer.apa import apa_html, apa_text
from explorer.records import Summary
from explorer.web.search_page import request_from_args, result_ids
from explorer.web.state import cached_page, state
from explorer.web.viewhelpers import paragraphs, search_url

bp = Blueprint("feeds", __name__)
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
# Summaries added to the archive (not blog posts) a feed looks through for the newest
MAX_ADDED_SCANNED = 2000
TAG_AUTHORITY = "tag:pprnet-explorer,2013"
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def entry_date(summary: Summary) -> str:
    """An RFC 3339 timestamp for a summary: the first day of the month it entered the
    archive (the blog's posting month, or the month it was added), else of its study's
    year."""
    for month in (summary.published, summary.added):
        match = _MONTH_RE.match(str(month or ""))
        if match:
            return f"{match.group(1)}-{match.group(2)}-01T00:00:00Z"
    year = str(summary.citation.year or "")
    return f"{year}-01-01T00:00:00Z" if re.fullmatch(r"\d{4}", year) else "1970-01-01T00:00:00Z"


def feed_title(args: MultiDict[str, str]) -> str:
    """'PPRNet Explorer: alliance rupture · topic Empathy' from the URL parameters."""
    parts = []
    q = (args.get("q") or "").strip()
    if q:
        parts.append(f"“{q}”")
    parts += [f"topic {t}" for t in args.getlist("topic") if t.strip()]
    parts += [f"type {t}" for t in args.getlist("type") if t.strip()]
    for key in ("from", "to"):
        value = (args.get(key) or "").strip()
        if value:
            parts.append(f"{key} {value}")
    return "PPRNet Explorer: " + (" · ".join(parts) if parts else "newest summaries")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def entry_content(summary: Summary) -> str:
    """The entry's HTML content: the reference, then the practice implications."""
    parts = [f"<p>{apa_html(summary.citation)}</p>"] if not summary.citation.is_empty() else []
    if summary.implications:
        parts.append(f"<h3>{escape('Practice implications')}</h3>")
        parts.append(str(paragraphs(summary.implications)))
    return "\n".join(parts)


def atom_feed(summaries: list[Summary], *, title: str, self_url: str, page_url: str,
              base_url: str) -> bytes:
    """An Atom 1.0 document for these summaries, in the given order."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "title", title)
    _sub(feed, "id", self_url)
    dates = [entry_date(s) for s in summaries]
    _sub(feed, "updated", max(dates) if dates else "1970-01-01T00:00:00Z")
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    author = _sub(feed, "author")
    _sub(author, "name", "PPRNet Explorer")
    _sub(feed, "generator", "PPRNet Explorer")
    for summary, date in zip(summaries, dates, strict=True):
        entry = _sub(feed, "entry")
        _sub(entry, "title", summary.title)
        _sub(entry, "id", f"{TAG_AUTHORITY}:summary/{summary.id}")
        _sub(entry, "link", rel="alternate", type="text/html",
             href=f"{base_url}/summary/{summary.id}")
        _sub(entry, "published", date)
        _sub(entry, "updated", date)
        if not summary.citation.is_empty():
            _sub(entry, "summary", apa_text(summary.citation), type="text")
        _sub(entry, "content", entry_content(summary), type="html")
        for topic in summary.topics:
            _sub(entry, "category", term=topic)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@bp.get("/feed.atom")
@cached_page
def feed() -> Response:
    summaries = feed_summaries(request.args)
    base = request.host_url.rstrip("/")
    body = atom_feed(
        summaries,
        title=feed_title(request.args),
        self_url=base + search_url(path="/feed.atom"),
        page_url=base + search_url(),
        base_url=base,
    )
    return Response(body, mimetype="application/atom+xml")


def feed_summaries(args: MultiDict[str, str]) -> list[Summary]:
    """The search's `FEED_SIZE` newest summaries by the month each entered the archive.

    The search's "newest first" orders blog posts by posting month and puts summaries
    without one (those added to the archive) last, so a feed made from its first page
    alone would never carry a summary added today: the search's matches among the
    origins that are not blog posts are merged in by the month they were added."""
    st = state()
    req = replace(request_from_args(args, per_page=FEED_SIZE), sort="newest", page=1)
    found = st.store.get_many([hit.id for hit in st.index().search(req).hits])
    unposted = [o.id for o in st.taxonomy.origins if not o.posted
                and (not req.sources or o.id in req.sources)]
    if unposted and not (req.date_from or req.date_to):  # a date range is of posting months
        ids = result_ids(replace(req, sources=unposted), MAX_ADDED_SCANNED)
        seen = {s.id for s in found}
        found += [s for s in st.store.get_many(ids) if s.id not in seen]
    # newest first by that month (a stable sort keeps the search's order among equals)
    return sorted(found, key=entry_date, reverse=True)[:FEED_SIZE]
