"""The result list of the search page, as markup made in Python.

Each result was some twenty template expressions (escaping, filters, a link, the chips)
run through Jinja's generic machinery for every hit of every page; this module writes the
same markup, byte for byte, with one escape per value (the search template's
``hit_items`` call; `tests/test_web_page_pieces.py` holds it to the template it replaced).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from explorer.search.messages import Hit
from explorer.web.viewhelpers import month_label, result_link, search_chips

_NO_MONTH = {  # what the meta line says of a hit without a posting month, by origin
    "added": '<span class="origin-added">Added to this archive</span>',
}
_UNDATED = '<span class="origin-undated">Blog post, month unknown</span>'


def hit_item(h: Hit, rank: int) -> str:
    """One ``<li class="hit">`` with the whitespace the template loop wrote around it."""
    hid = escape(h.id)
    published = h.published
    if published:
        meta = f'<time datetime="{escape(published)}">{escape(month_label(published))}</time>'
    else:
        meta = _NO_MONTH.get(h.origin, _UNDATED)
    cite = h.citation
    cite = (f'<span class="sep" aria-hidden="true">·</span> <span class="hit-cite">'
            f"{escape(cite)}</span>") if cite else ""
    snippet = h.snippet_html
    snippet = f'<p class="snippet">{snippet}</p>' if snippet else ""
    rtype = h.research_type
    badge = f'<span class="type-badge">{escape(rtype)}</span>' if rtype else ""
    return (
        '\n      <li class="hit">\n        <article>\n'
        f'          <h2 class="hit-title"><a href="{escape(result_link(h.id, rank))}">'
        f"{h.title_html}</a></h2>\n"
        f'          <p class="hit-meta">\n            {meta}\n            {cite}\n'
        f"          </p>\n          {snippet}\n"
        f'          <div class="hit-tags">\n            {badge}\n'
        f"            {search_chips(h.topics)}\n          </div>\n"
        f'          <p class="hit-pick"><input type="checkbox" id="pick-{hid}" name="ids" '
        f'value="{hid}" form="pick" class="list-toggle" data-title="{escape(h.title)}">\n'
        f'            <label for="pick-{hid}">Add to reading list</label></p>\n'
        "        </article>\n      </li>\n      "
    )


def hit_items(hits: Sequence[Hit], before: int) -> Markup:
    """Every result of the page; ``before``: the results on earlier pages (ranks go on
    from there)."""
    return Markup("".join(hit_item(h, before + i) for i, h in enumerate(hits, 1)))
