"""The result list of the search page, as markup made in Python.

Each result was some twenty template expressions (escaping, filters, a link, the chips)
run through Jinja's generic machinery for every hit of every page; this module writes the
same markup, byte for byte, with one escape per value (the search template's
``hit_items`` call; `tests/test_web_page_pieces.py` holds it to the template it replaced).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from explorer.search.messages import Hit
from explorer.web.viewhelpers import month_label, result_link, search_chips

_NO_MONTH = {  # what the meta line says of a hit without a posting month, by origin
    "added": '<span class="origin-added">Added to this archive</span>',
}
_UNDATED = '<span class="origin-undated">Blog post, month unknown</span>'


def hit_item(h: Hit, rank: int) -> str:
    """One ``<li class="hit">`` with the whitespace the template loop wrote around it."""
    meta, badge, pick = _document_parts(h.id, h.published, h.origin, h.citation,
                                        h.research_type, h.title)
    snippet = h.snippet_html
    snippet = f'<p class="snippet">{snippet}</p>' if snippet else ""
    return (
        '\n      <li class="hit">\n        <article>\n'
        f'          <h2 class="hit-title"><a href="{escape(result_link(h.id, rank))}">'
        f"{h.title_html}</a></h2>\n"
        f"{meta}          {snippet}\n"
        f'          <div class="hit-tags">\n            {badge}\n'
        f"            {search_chips(h.topics)}\n          </div>\n"
        f"{pick}"
    )


@lru_cache(maxsize=8192)
def _document_parts(hid: str, published: str, origin: str, citation: str,
                    research_type: str | None, title: str) -> tuple[str, str, str]:
    """The parts of a result that depend only on its summary (the meta line, the type
    badge, the reading-list tick), made once per summary version: they hold most of a
    result's escaping, the same for every search that shows the summary."""
    if published:
        when = f'<time datetime="{escape(published)}">{escape(month_label(published))}</time>'
    else:
        when = _NO_MONTH.get(origin, _UNDATED)
    cite = (f'<span class="sep" aria-hidden="true">·</span> <span class="hit-cite">'
            f"{escape(citation)}</span>") if citation else ""
    meta = (f'          <p class="hit-meta">\n            {when}\n            {cite}\n'
            "          </p>\n")
    badge = f'<span class="type-badge">{escape(research_type)}</span>' if research_type else ""
    hid_html = escape(hid)
    pick = (f'          <p class="hit-pick"><input type="checkbox" id="pick-{hid_html}" '
            f'name="ids" value="{hid_html}" form="pick" class="list-toggle" '
            f'data-title="{escape(title)}">\n'
            f'            <label for="pick-{hid_html}">Add to reading list</label></p>\n'
            "        </article>\n      </li>\n      ")
    return meta, badge, pick


def hit_items(hits: Sequence[Hit], before: int) -> Markup:
    """Every result of the page; ``before``: the results on earlier pages (ranks go on
    from there)."""
    return Markup("".join(hit_item(h, before + i) for i, h in enumerate(hits, 1)))
