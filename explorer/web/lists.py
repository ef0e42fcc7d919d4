"""Reading lists (``/list?ids=a,b,c``): a hand-picked set of summaries, kept in the URL.

An educator ticks results, shares the list as a link, exports just those citations or
prints a handout. The list lives only in the URL (and, with JavaScript, in the browser's
storage as a convenience), so it needs no account, no server state and no JavaScript:
a plain GET form of ticked results lands here too (``?ids=a&ids=b``).

Ids are checked against the corpus id pattern and looked up in the in-memory store only;
unknown ids are named on the page rather than silently dropped, and the list is capped
at `MAX_LIST` so a crafted URL cannot ask for the whole archive many times over.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, Response, abort, jsonify, render_template, request
from werkzeug.datastructures import MultiDict

from explorer.exports import FORMATS
from explorer.records import Summary
from explorer.web.api import summary_json
from explorer.web.downloads import download
from explorer.web.state import cached_page, state

bp = Blueprint("lists", __name__)
MAX_LIST = 200
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,150}$")


def list_ids(args: MultiDict[str, str]) -> list[str]:
    """The ids of ``?ids=a,b&ids=c`` in order, without repeats or blanks (at most MAX_LIST)."""
    ids: list[str] = []
    for value in args.getlist("ids"):
        for part in value.split(","):
            part = part.strip()
            if part and part not in ids:
                ids.append(part)
    return ids[:MAX_LIST]


def resolve(ids: list[str]) -> tuple[list[Summary], list[str]]:
    """(summaries found, in list order; ids that name no summary)."""
    store = state().store
    found, missing = [], []
    for summary_id in ids:
        summary = store.get(summary_id) if _ID_RE.match(summary_id) else None
        if summary is None:
            missing.append(summary_id)
        else:
            found.append(summary)
    return found, missing


def list_url(ids: list[str], path: str = "/list") -> str:
    """``/list?ids=a,b`` (commas kept readable), or the bare path for an empty list."""
    return f"{path}?ids={quote(','.join(ids), safe=',')}" if ids else path


@bp.get("/list")
@cached_page
def list_page() -> str:
    ids = list_ids(request.args)
    summaries, missing = resolve(ids)
    kept = [s.id for s in summaries]
    return render_template(
        "list.html",
        summaries=summaries,
        missing=missing,
        ids=kept,
        list_url=list_url,
        formats=FORMATS,
        too_long=len(list_ids(request.args)) >= MAX_LIST,
    )


@bp.get("/list/export.<fmt>")
def list_export(fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    summaries, _ = resolve(list_ids(request.args))
    return download(summaries, fmt, "pprnet-reading-list")


@bp.get("/api/list")
@cached_page
def api_list() -> Response:
    summaries, missing = resolve(list_ids(request.args))
    return jsonify({
        "total": len(summaries),
        "missing": missing,
        "summaries": [summary_json(s) for s in summaries],
    })
