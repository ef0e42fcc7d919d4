"""The JSON API: ``/api/search``, ``/api/summaries/<id>``, ``/api/topics``,
``POST /api/suggest`` and its OpenAPI description at ``/api/openapi.json``.

``/api/search`` answers exactly what ``pprnet search --json`` prints, for the same
parameters as the search page. ``/api/suggest`` is for the signed-in editor (session
cookie plus the CSRF token in ``X-CSRF-Token``) or a client holding ``PPRNET_API_TOKEN``
(``Authorization: Bearer …``). Every error is JSON ``{"error": {"status", "message"}}``.
"""

from __future__ import annotations

import copy
import functools
from typing import Any
from urllib.parse import quote

import yaml
from flask import Blueprint, Response, abort, current_app, jsonify, request, session
from werkzeug.datastructures import MultiDict

from explorer import __version__, packaged
from explorer.records import Summary, slugify
from explorer.tagger.suggest_input import SuggestInputError, read_input
from explorer.tagger.trust import suggest_with_trust
from explorer.web import security
from explorer.web.search_page import request_from_args
from explorer.web.state import cached_page, state
from explorer.web.summary import get_summary_or_404
from explorer.web.topics import topic_or_404

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_SUGGEST_LIMIT = 36
MAX_API_PER_PAGE = 100
OPENAPI_FILE = ("data", "openapi.yaml")


def summary_json(summary: Summary) -> dict[str, Any]:
    data = summary.to_dict()
    data.pop("path", None)  # a server path is nobody's business
    data["reference"] = summary.citation.formatted()
    data["doi_url"] = summary.citation.doi_url
    data["url"] = f"{request.host_url.rstrip('/')}/summary/{summary.id}"
    return data


def api_per_page(args: MultiDict[str, str]) -> int | None:
    """``per_page`` for the JSON API: 1..MAX_API_PER_PAGE, else a 400 that says so."""
    raw = (args.get("per_page") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_API_PER_PAGE:
        abort(400, description=f"'per_page' must be a whole number from 1 to {MAX_API_PER_PAGE}.")
    return int(raw)


@bp.get("/search")
@cached_page
def api_search() -> Response:
    req = request_from_args(request.args, per_page=api_per_page(request.args))
    resp = state().index().search(req)
    data = resp.to_json()
    notices = list(dict.fromkeys([*req.notices, *resp.notices]))
    response = jsonify(data)
    if notices:
        # The body is exactly the CLI's JSON; corrections travel in a header.
        response.headers["X-Search-Notices"] = " | ".join(n.replace("\n", " ") for n in notices)[
            :1000
        ].encode("ascii", "replace").decode("ascii")
    return response


@bp.get("/summaries/<summary_id>")
@cached_page
def api_summary(summary_id: str) -> Response:
    return jsonify(summary_json(get_summary_or_404(summary_id)))


@bp.get("/topics")
@cached_page
def api_topics() -> Response:
    st = state()
    stats = st.store.stats()
    base = request.host_url.rstrip("/")
    return jsonify(
        {
            "total": stats.total,
            "topics": [
                {
                    "name": t,
                    "slug": slugify(t),
                    "count": stats.topic_counts.get(t, 0),
                    "url": f"{base}/topics/{slugify(t)}",
                }
                for t in st.taxonomy.topics
            ],
            "research_types": [
                {"name": t, "count": stats.type_counts.get(t, 0)}
                for t in st.taxonomy.research_types
            ],
        }
    )


@bp.get("/topics/<slug>")
@cached_page
def api_topic(slug: str) -> Response:
    """One topic: its count per year, the topics it is filed with, and its summaries."""
    topic = topic_or_404(slug)
    stats = state().store.stats()
    base = request.host_url.rstrip("/")
    return jsonify(
        {
            "name": topic,
            "slug": slug,
            "count": stats.topic_counts.get(topic, 0),
            "url": f"{base}/topics/{slug}",
            "feed": f"{base}/feed.atom?topic={quote(topic)}",
            "per_year": {str(y): n for y, n in sorted(stats.topic_years.get(topic, {}).items())},
            "often_with": [{"name": t, "count": n} for t, n in stats.co_topics(topic)],
            "summaries": [
                {"id": s.id, "title": s.title, "published": s.published,
                 "url": f"{base}/summary/{s.id}"}
                for s in stats.by_topic.get(topic, [])
            ],
        }
    )


@bp.post("/suggest")
@security.csrf_exempt
def api_suggest() -> Response:
    token_ok = security.token_matches(
        current_app.config.get("API_TOKEN_DIGEST"), security.bearer_token()
    )
    if not token_ok:
        if not session.get("editor"):
            abort(401, description="Sign in as the editor, or send the API token as "
                  "'Authorization: Bearer <PPRNET_API_TOKEN>'.")
        if not security.csrf_valid():
            abort(403, description="Send the session's CSRF token in the X-CSRF-Token header.")
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400, description='Send a JSON object: {"title": "...", "text": "..."}.')
    title, text, journal = payload.get("title", ""), payload.get("text", ""), payload.get("journal")
    limit = payload.get("limit", 8)
    try:
        fields = read_input(title, text, journal)
    except SuggestInputError as exc:
        abort(400, description=f"{exc}.")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_SUGGEST_LIMIT:
        abort(400, description=f"'limit' must be a whole number from 1 to {MAX_SUGGEST_LIMIT}.")
    model, why = state().model()
    if model is None:
        abort(503, description=why or "No topic model: run `pprnet build`.")
    try:
        result = suggest_with_trust(model, fields, limit=limit)
    except ValueError as exc:
        abort(400, description=str(exc))
    st = state()
    result["trained_on"] = st.models.trained_on(st.store.all(), st.store.version)
    return jsonify(result)


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


# --------------------------------------------------------------------------- OpenAPI


@functools.lru_cache(maxsize=1)
def _openapi_data() -> dict[str, Any]:
    """The description as shipped in the package (``explorer/data/openapi.yaml``), parsed
    once: a data file, so editing it needs no Python and a test can check it alone."""
    return yaml.safe_load(packaged.resource(*OPENAPI_FILE).read_text(encoding="utf-8"))


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document with this version filled in (a fresh copy: callers may edit)."""
    doc = copy.deepcopy(_openapi_data())
    doc["info"]["version"] = __version__
    return doc
