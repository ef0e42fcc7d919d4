"""Download routes for the export formats: the current result set at ``/export.<fmt>``
(same URL parameters as the search page) and one summary at ``/summary/<id>/export.<fmt>``.

Results are collected page by page through the same search the page uses (so the
export is exactly what the reader saw, in the same order), capped at ``EXPORT_LIMIT``.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from werkzeug.datastructures import MultiDict

from explorer.exports import FORMATS
from explorer.records import Summary
from explorer.web.search_page import request_from_args, result_ids
from explorer.web.state import state
from explorer.web.summary import get_summary_or_404

bp = Blueprint("exports", __name__)


def result_set(args: MultiDict[str, str]) -> list[Summary]:
    """All summaries a search URL matches (up to EXPORT_LIMIT), in result order."""
    limit = int(current_app.config["EXPORT_LIMIT"])
    return state().store.get_many(result_ids(request_from_args(args), limit))


def download(summaries: list[Summary], fmt: str, filename: str) -> Response:
    spec = FORMATS.get(fmt)
    if spec is None:
        abort(404)
    text = spec.render(summaries, base_url=request.host_url)
    response = Response(text, content_type=f"{spec.mimetype}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{spec.extension}"'
    return response


@bp.get("/export.<fmt>")
def export_results(fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    return download(result_set(request.args), fmt, "pprnet-results")


@bp.get("/summary/<summary_id>/export.<fmt>")
def export_one(summary_id: str, fmt: str) -> Response:
    summary = get_summary_or_404(summary_id)
    return download([summary], fmt, summary.id)
