"""Summary pages (``/summary/<id>``): the full text, the reference, topics, similar ones.

Ids are checked against the corpus id pattern before any lookup, and only the
in-memory store is consulted, so no URL can reach the file system.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from explorer.apa import apa_html, apa_text
from explorer.corpus import ID_RE
from explorer.records import Summary
from explorer.search import IndexMissingError
from explorer.web.resultnav import result_nav
from explorer.web.state import cached_page, state

bp = Blueprint("summary", __name__)


def get_summary_or_404(summary_id: str) -> Summary:
    st = state()
    summary = st.store.get(summary_id)
    if summary is None and ID_RE.match(summary_id):
        # Saved through another server worker a moment ago (the editor's redirect lands
        # here)? Follow the corpus now rather than within the second: three stats when
        # nothing changed.
        st.follower.check()
        summary = st.store.get(summary_id)
    if summary is None:
        abort(404)
    return summary


@bp.get("/summary/<summary_id>")
@cached_page
def summary_page(summary_id: str) -> str:
    st = state()
    summary = get_summary_or_404(summary_id)
    try:
        # Analyzing the summary's text for its similar ones was 60% of this page: kept per
        # corpus version and index (a save or a rebuild makes it anew).
        similar = st.cached(("similar", summary.id, st.index_stamp()),
                            lambda: st.index().more_like_this(summary.id, limit=5))
    except IndexMissingError:
        similar = []
    try:
        nav = result_nav(summary.id, request.args)
    except IndexMissingError:
        nav = None
    return render_template(
        "summary.html",
        summary=summary,
        similar=similar,
        taxonomy=st.taxonomy,
        nav=nav,
        apa_text=apa_text(summary.citation),
        apa_html=apa_html(summary.citation),
    )
