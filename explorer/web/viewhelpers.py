"""Small helpers shared by the views and templates: URLs that keep the search state,
month labels, paragraphs of summary text, and the signed-in check.

Every search state lives in the URL, so links that add or remove one filter are built
from the current query string here, in one place, rather than by string pasting in
templates.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Protocol, cast
from urllib.parse import urlencode

from flask import Flask, current_app, g, request, session, url_for
from markupsafe import Markup, escape

from explorer.apa import apa_html
from explorer.exports import FORMATS
from explorer.records import slugify
from explorer.web.security import csrf_token

SEARCH_KEYS = ("q", "topic", "any_topic", "type", "source", "from", "to", "study_from",
               "study_to", "sort", "page", "correct")
_BULLET_RE = re.compile(r"^\s*[-*\u2022]\s+")


@lru_cache(maxsize=4096)
def month_label(published: str | None) -> str:
    """'2023-12' -> 'December 2023' (the input itself when it is not a month)."""
    if not published or not re.match(r"^\d{4}-\d{2}$", published):
        return published or ""
    year, month = published.split("-")
    if not 1 <= int(month) <= 12:
        return published
    return f"{calendar.month_name[int(month)]} {year}"


@lru_cache(maxsize=16_384)
def _pair(key: str, value: str) -> str:
    """``key=value`` exactly as `urlencode` writes it, made once per pair: a search page
    has some forty links that repeat the same few parameters (profiled: a fifth of a
    page's rendering went to re-encoding them)."""
    return urlencode([(key, value)])


def encode(items: Iterable[tuple[str, str]]) -> str:
    """`urlencode` of (key, value) string pairs, from the pairs already encoded."""
    return "&".join([_pair(k, v) for k, v in items])


@lru_cache(maxsize=4096)
def slug(name: str) -> str:
    """`slugify` of a topic or type name, once per name (facet ids, chip links)."""
    return slugify(name)


def search_args() -> list[tuple[str, str]]:
    """The current request's search parameters, in order, empty values dropped."""
    cached = g.get("_search_args")
    if cached is None:
        cached = [
            (k, v) for k, v in request.args.items(multi=True) if k in SEARCH_KEYS and v != ""
        ]
        g._search_args = cached
    return cached


def search_url(
    args: list[tuple[str, str]] | None = None, *, path: str = "/", **changes: object
) -> str:
    """A URL for the current search with some parameters changed.

    ``changes``: ``key=None`` removes the key, a list sets repeated values, a string sets
    one value. Any change other than ``page`` resets the page, as a new result set starts
    at its first page. ``from_`` stands for ``from``.
    """
    if args is None and len(changes) == 1 and "page" in changes:
        # the pagination links, a dozen a page: the search without its page, once a page
        query = _search_base()[1]
        page = changes["page"]
        if page is not None and page != "" and page is not False:
            query = f"{query}&{_pair('page', str(page))}" if query else _pair("page", str(page))
        return f"{path}?{query}" if query else path
    items = list(search_args() if args is None else args)
    changes = {k.rstrip("_"): v for k, v in changes.items()}
    if set(changes) - {"page"}:
        changes.setdefault("page", None)
    for key, value in changes.items():
        items = [(k, v) for k, v in items if k != key]
        if value is None or value == "" or value is False:
            continue
        if isinstance(value, (list, tuple)):
            items.extend((key, str(v)) for v in value)
        else:
            items.append((key, str(value)))
    query = encode(items)
    return f"{path}?{query}" if query else path


def search_url_without(key: str, value: str) -> str:
    """The current search without one value of a repeatable parameter (a removable chip)."""
    items = [(k, v) for k, v in search_args() if not (k == key and v == value) and k != "page"]
    query = encode(items)
    return f"/?{query}" if query else "/"


def search_url_adding(key: str, value: str) -> str:
    """The current search with one more filter value (the topic chips of each result)."""
    present, query = _search_base()
    if (key, value) in present:
        return f"/?{query}"
    extra = _pair(key, value)
    return f"/?{query}&{extra}" if query else f"/?{extra}"


def _search_base() -> tuple[set[tuple[str, str]], str]:
    """The current search's parameters without its page, as a set and encoded; once a
    request."""
    base = g.get("_search_base")
    if base is None:
        items = [(k, v) for k, v in search_args() if k != "page"]
        base = g._search_base = (set(items), encode(items))
    return base


def search_chips(topics: Iterable[str]) -> Markup:
    """A result's topic chips, each adding its topic to the current search (the markup of
    the ``topic_chips`` macro, built in Python: a macro call per result was a tenth of a
    search page's rendering)."""
    made: dict[str, str] | None = g.get("_chips")
    if made is None:
        made = g._chips = {}  # results share topics: each chip is made once a page
    out = []
    for t in topics:
        chip = made.get(t)
        if chip is None:
            chip = made[t] = (f'<li><a class="chip" href="{escape(search_url_adding("topic", t))}" '
                              f'title="Filter by this topic">{escape(t)}</a></li>')
        out.append(chip)
    return Markup(f'<ul class="chips" aria-label="Topics">{"".join(out)}</ul>' if out else "")


def topic_page_chips(topics: Iterable[str]) -> Markup:
    """A summary's topic chips, each linking to its topic page: the markup of the
    ``topic_chips`` macro (``link='topic'``), whitespace and all, built in Python. Importing
    the macro into the summary template cost a comparison of the whole template globals
    per view, and the macro call more than the chips."""
    chips = "".join(
        f'\n  <li><a class="chip" href="{escape(_topic_link(t))}">{escape(t)}</a></li>\n  '
        for t in topics)
    if not chips:
        return Markup("\n\n")
    return Markup(f'\n\n<ul class="chips" aria-label="Topics">\n  {chips}\n</ul>\n\n')


def _topic_link(topic: str) -> str:
    return cached_url_for("topics.topic_page", slug=slug(topic))


@lru_cache(maxsize=4096)
def _facet_pieces(field: str, name: str) -> tuple[str, str, str]:
    """What a facet checkbox's markup holds apart from its tick and count, per name."""
    ident = escape(f"{field}-{slug(name)}")
    head = (f'<li><input type="checkbox" id="{ident}" name="{escape(field)}" '
            f'value="{escape(name)}" form="search" class="auto-submit"')
    middle = (f'>\n  <label for="{ident}"><span class="facet-name">{escape(name)}</span> '
              '<span class="count">')
    return head, middle, "</span></label></li>"


class FacetEntry(Protocol):
    """One value of a facet list as `facet_items` reads it (the search page's FacetValue)."""

    name: str
    count: int
    selected: bool


def facet_items(field: str, values: Iterable[FacetEntry]) -> Markup:
    """The ``<li>`` checkboxes of a facet list (values with name, count, selected), from
    pieces made once per name."""
    out = []
    for v in values:
        head, middle, tail = _facet_pieces(field, v.name)
        out.append(f'{head}{" checked" if v.selected else ""}{middle}{int(v.count)}{tail}')
    return Markup("\n".join(out))


def year_options(years: Iterable[int], selected: str | None) -> Markup:
    """The ``<option>`` of each year of a from/to select, the chosen one selected: the
    same few lists on every search page, so each is made once."""
    return _year_options(tuple(years), selected)


@lru_cache(maxsize=1024)
def _year_options(years: tuple[int, ...], selected: str | None) -> Markup:
    return Markup("".join(
        f'<option value="{escape(y)}"{" selected" if selected == str(y) else ""}>{escape(y)}'
        "</option>" for y in years))


def summary_link(summary_id: str, items: list[tuple[str, str]], rank: int | None) -> str:
    """``/summary/<id>?<search>&pos=<rank>``: a summary opened from a search remembers it."""
    query = [(k, v) for k, v in items if k != "page"] + ([("pos", str(rank))] if rank else [])
    return f"/summary/{summary_id}" + (f"?{encode(query)}" if query else "")


def result_link(summary_id: str, rank: int | None = None) -> str:
    """A result's link to its summary page, carrying the current search and its rank:
    `summary_link` with the search's part encoded once a page, not once a result."""
    kept = g.get("_result_query")
    if kept is None:
        kept = g._result_query = encode([(k, v) for k, v in search_args() if k != "page"])
    pos = _pair("pos", str(rank)) if rank else ""
    query = f"{kept}&{pos}" if kept and pos else kept or pos
    return f"/summary/{summary_id}?{query}" if query else f"/summary/{summary_id}"


def paragraphs(text: str | None) -> Markup:
    """Plain summary text -> escaped ``<p>`` paragraphs (and ``<ul>`` for '- ' lines)."""
    return _paragraphs(text or "")


@lru_cache(maxsize=2048)
def _paragraphs(text: str) -> Markup:
    """`paragraphs`, once per text: a summary page splits and escapes two long texts
    that change only when the summary is edited."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(_BULLET_RE.match(line) for line in lines):
            items = "".join(f"<li>{escape(_BULLET_RE.sub('', line))}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        else:
            out.append(f"<p>{escape(' '.join(line.strip() for line in lines))}</p>")
    return Markup("\n".join(out))


def cached_url_for(endpoint: str, **values: Any) -> str:
    """`url_for` for templates, each distinct link built once: a page has a dozen fixed
    links (header, footer, static files) and a summary page two dozen, and Werkzeug builds
    each from the URL map every time. A link depends only on its arguments and the script
    root; relative (``.name``) endpoints, which also depend on the blueprint, and options
    such as ``_external`` are built each time. The key keeps the arguments in the order
    given (one call site, one order), so no sorting per link."""
    key = (request.script_root, endpoint, *values.items())
    urls: dict[tuple, str] = current_app.extensions["pprnet_urls"]
    try:
        return urls[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable value: build it, do not keep it
        return url_for(endpoint, **values)
    url = url_for(endpoint, **values)
    if endpoint[:1] != "." and not any(k[:1] == "_" for k in values):
        if len(urls) > 20_000:
            urls.clear()
        urls[key] = url
    return url


_SITE_LINKS: dict[str, tuple[str, dict[str, Any]]] = {  # name in base.html -> url_for args
    "css": ("static", {"filename": "site.css"}),
    "icon": ("static", {"filename": "favicon.svg"}),
    "js": ("static", {"filename": "site.js"}),
    "search": ("search.search_page", {}),
    "topics": ("topics.topics_page", {}),
    "list": ("lists.list_page", {}),
    "editor": ("editor.home", {}),
    "openapi": ("api.openapi", {}),
}


def site_links() -> dict[str, str]:
    """The links every page's header and footer carry (static files with their content
    hash), made once per site root rather than with a `url_for` call each, every page."""
    root = request.script_root
    made: dict[str, dict[str, str]] = current_app.extensions["pprnet_site_links"]
    links = made.get(root)
    if links is None:
        versions = cast(dict[str, str], current_app.jinja_env.globals["static_version"])
        links = {}
        for name, (endpoint, values) in _SITE_LINKS.items():
            if endpoint == "static":
                values = {**values, "v": versions.get(values["filename"])}
            links[name] = url_for(endpoint, **values)
        if len(made) > 100:  # roots come from a trusted proxy's headers: few
            made.clear()
        made[root] = links
    return links


def editor_signed_in() -> bool:
    return bool(session.get("editor"))


def register_template_helpers(app: Flask) -> None:
    from explorer.web.hitlist import hit_items
    from explorer.web.provenance import DATES_NOTE, origin_line
    from explorer.web.state import state

    app.extensions["pprnet_urls"] = {}  # see cached_url_for
    app.extensions["pprnet_site_links"] = {}  # see site_links
    app.jinja_env.globals.update(
        url_for=cached_url_for,
        site_links=site_links,
        origin_line=lambda item: origin_line(item, state().taxonomy),
        dates_note=DATES_NOTE,
        csrf_token=csrf_token,
        search_url=search_url,
        search_url_without=search_url_without,
        search_url_adding=search_url_adding,
        search_chips=search_chips,
        topic_page_chips=topic_page_chips,
        hit_items=hit_items,
        facet_items=facet_items,
        year_options=year_options,
        result_link=result_link,
        apa_html=apa_html,
        export_formats=FORMATS,
        editor_signed_in=editor_signed_in,
        topic_slug=slug,
    )
    app.jinja_env.filters["month"] = month_label
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["topic_slug"] = slug
