"""The editor's "To tag" queue: summaries without topics or research type, one after another.

An imported archive arrives untagged. The queue lists what still lacks tags; each opens in
the editor with the model's suggestions ticked, and "Save and next" saves it and opens the
next one, so a backlog is tagged in one sitting. The queue is the live store's view, so a
summary tagged elsewhere (another editor, `pprnet tag --apply`) drops out of it at once.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from explorer.records import Summary
from explorer.web.editor import editor_required, follow_the_corpus
from explorer.web.state import state

bp = Blueprint("queue", __name__, url_prefix="/editor/queue")
bp.before_request(follow_the_corpus)  # what to tag next counts saves made a moment ago


def untagged() -> list[Summary]:
    """Summaries lacking topics or a research type, newest first (then by id)."""
    waiting = [s for s in state().store.all() if not s.topics or not s.research_type]
    return sorted(waiting, key=lambda s: (s.published, s.id), reverse=True)


def next_after(summary_id: str | None) -> Summary | None:
    """The queue's next summary after ``summary_id`` (wrapping round), never that one."""
    waiting = untagged()
    others = [s for s in waiting if s.id != summary_id]
    if not others:
        return None
    ids = [s.id for s in waiting]
    if summary_id in ids:
        position = ids.index(summary_id)
        if position + 1 < len(waiting):
            return waiting[position + 1]
    return others[0]


@bp.get("")
@editor_required
def queue_page() -> str:
    waiting = untagged()
    return render_template("queue.html", waiting=waiting, total=len(state().store))


@bp.get("/next")
@editor_required
def queue_next() -> Response:
    """Open the next summary to tag (after ``after``), or the queue page when it is empty."""
    following = next_after(request.args.get("after") or None)
    if following is None:
        flash("The queue is empty: every summary has topics and a research type.")
        return redirect(url_for("queue.queue_page"))
    return redirect(url_for("editor.edit", summary_id=following.id, queue=1))
