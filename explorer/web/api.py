"""The JSON API: ``/api/search``, ``/api/summaries/<id>``, ``/api/topics``,
``POST /api/suggest`` and its OpenAPI description at ``/api/openapi.json``.

``/api/search`` answers exactly what ``pprnet search --json`` prints, for the same
parameters as the search page. ``/api/suggest`` is for the signed-in editor (session
cookie plus the CSRF token in ``X-CSRF-Token``) or a client holding ``PPRNET_API_TOKEN``
(``Authorization: Bearer …``). Every error is JSON ``{"error": {"status", "message"}}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, jsonify, request, session

from explorer import __version__
from explorer.records import slugify
from explorer.tagger.suggest_input import SuggestInputError, read_input
from explorer.tagger.trust import suggest_with_trust
from explorer.web import security
from explorer.web.search import request_from_args
from explorer.web.state import cached_page, state
from explorer.web.summary import get_summary_or_404

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_SUGGEST_LIMIT = 36
MAX_API_PER_PAGE = 100
ORIGIN_SCHEMA = {"type": "string", "description": "'blog-post': a post of the PPRNet blog; "
                 "'added': added to this archive, not a blog post"}
PUBLISHED_SCHEMA = {"type": ["string", "null"], "description": "YYYY-MM the blog posted it; "
                    "null for summaries that are not blog posts (or whose month is unknown)"}


def summary_json(summary) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    data = summary.to_dict()
    data.pop("path", None)  # a server path is nobody's business
    data["reference"] = summary.citation.formatted()
    data["doi_url"] = summary.citation.doi_url
    data["url"] = f"{request.host_url.rstrip('/')}/summary/{summary.id}"
    return data


def api_per_page(args) -> int | None:  # type: ignore[no-untyped-def]
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
    st = state()
    topic = st.taxonomy.topic_from_slug(slug)
    if topic is None:
        abort(404)
    stats = st.store.stats()
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


def _param(name: str, description: str, schema: dict, *, repeat: bool = False) -> dict:
    if repeat:
        schema = {"type": "array", "items": schema}
    param = {"name": name, "in": "query", "required": False, "description": description,
             "schema": schema}
    if repeat:
        param.update(style="form", explode=True)
    return param


def openapi_document() -> dict[str, Any]:
    error = {"$ref": "#/components/responses/Error"}
    search_params = [
        _param("q", "Query: words (all must match), \"phrases\", OR/AND/NOT, -word, "
               "title: author: journal: topic: type: year:2015 or year:2015-2020, prefix*. "
               "Empty browses newest first.", {"type": "string", "maxLength": 10000}),
        _param("topic", "Topic filter (all of them, unless any_topic).", {"type": "string"},
               repeat=True),
        _param("any_topic", "Match any of the topics instead of all.",
               {"type": "string", "enum": ["1", "0"]}),
        _param("type", "Research type filter (any of them).", {"type": "string"}, repeat=True),
        _param("source", "Where summaries come from (any of them): 'blog-post' (a post of "
               "the PPRNet blog) or 'added' (added to this archive, never a blog post).",
               {"type": "string"}, repeat=True),
        _param("from", "Posted (the blog month) from (YYYY or YYYY-MM).", {"type": "string"}),
        _param("to", "Posted (the blog month) until (YYYY or YYYY-MM).", {"type": "string"}),
        _param("study_from", "Study year (the cited article's year) from (YYYY).",
               {"type": "string"}),
        _param("study_to", "Study year (the cited article's year) until (YYYY).",
               {"type": "string"}),
        _param("sort", "Order (default: relevance with words, newest without).",
               {"type": "string", "enum": ["relevance", "newest", "oldest"]}),
        _param("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
        _param("per_page", "Results per page (default 10).",
               {"type": "integer", "minimum": 1, "maximum": MAX_API_PER_PAGE}),
    ]
    hit = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "origin": ORIGIN_SCHEMA,
            "published": PUBLISHED_SCHEMA,
            "topics": {"type": "array", "items": {"type": "string"}},
            "research_type": {"type": ["string", "null"]},
            "citation": {"type": "string"},
            "score": {"type": "number"},
            "snippet_html": {"type": "string", "description": "escaped HTML, matches in <mark>"},
        },
    }
    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    citation = {
        "type": "object",
        "properties": {
            "authors": {"type": "array", "items": {"type": "string"}},
            "year": {"type": ["integer", "string", "null"]},
            **{k: {"type": ["string", "null"]}
               for k in ("title", "journal", "volume", "issue", "pages", "doi")},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "PPRNet Explorer API",
            "version": __version__,
            "description": "Search and browse the PPRNet archive of psychotherapy research "
            "summaries, and get topic suggestions for a new summary.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search summaries (the JSON of `pprnet search --json`)",
                    "parameters": search_params,
                    "responses": {
                        "200": {
                            "description": "One page of results with facet counts. "
                            "Corrections of the input are listed in the X-Search-Notices header.",
                            "content": {"application/json": {"schema": {
                                "$ref": "#/components/schemas/SearchResponse"}}},
                        },
                        "503": error,
                    },
                }
            },
            "/api/summaries/{id}": {
                "get": {
                    "summary": "One summary, all fields",
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "string",
                                               "pattern": "^[a-z0-9][a-z0-9-]{0,119}$"}}],
                    "responses": {
                        "200": {"description": "The summary", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Summary"}}}},
                        "404": error,
                    },
                }
            },
            "/api/topics": {
                "get": {
                    "summary": "All topics and research types with their counts",
                    "responses": {"200": {"description": "Topics", "content": {
                        "application/json": {"schema": {
                            "$ref": "#/components/schemas/Topics"}}}}},
                }
            },
            "/api/topics/{slug}": {
                "get": {
                    "summary": "One topic: count per year, topics filed with it, its summaries",
                    "parameters": [{"name": "slug", "in": "path", "required": True,
                                    "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "The topic"}, "404": error},
                }
            },
            "/api/list": {
                "get": {
                    "summary": "A reading list: the summaries named by `ids`, in that order",
                    "parameters": [_param("ids", "Summary ids, comma-separated or repeated.",
                                          {"type": "string"}, repeat=True)],
                    "responses": {"200": {"description": "The summaries, and ids not found"}},
                }
            },
            "/api/suggest": {
                "post": {
                    "summary": "Suggest topics and a research type for a draft summary",
                    "security": [{"bearerToken": []}, {"editorSession": [], "csrfToken": []}],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/SuggestRequest"}}}},
                    "responses": {
                        "200": {"description": "Ranked suggestions", "content": {
                            "application/json": {"schema": {
                                "$ref": "#/components/schemas/Suggestions"}}}},
                        "400": error, "401": error, "403": error, "413": error, "503": error,
                    },
                }
            },
            "/api/openapi.json": {
                "get": {"summary": "This description",
                        "responses": {"200": {"description": "OpenAPI 3.1 document"}}}
            },
        },
        "components": {
            "schemas": {
                "Hit": hit,
                "SearchResponse": {
                    "type": "object",
                    "required": ["query", "total", "page", "pages", "hits", "facets",
                                 "did_you_mean", "fallback", "corrected_from"],
                    "properties": {
                        "query": {"type": "string"},
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                        "facets": {"type": "object", "properties": {
                            "topics": counts, "research_type": counts, "source": counts,
                            "year": {**counts, "description": "blog posts per year posted; "
                                     "added summaries have no posting month"}}},
                        "did_you_mean": {"type": ["string", "null"]},
                        "fallback": {"type": "boolean",
                                     "description": "always false (kept for compatibility)"},
                        "corrected_from": {"type": ["string", "null"],
                                           "description": "the typed query, when it found "
                                           "nothing and its spelling correction was searched"},
                    },
                },
                "Summary": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "origin": ORIGIN_SCHEMA,
                        "published": PUBLISHED_SCHEMA,
                        "added": {"type": ["string", "null"],
                                  "description": "YYYY-MM the summary was added to the archive"},
                        "title": {"type": "string"},
                        "citation": citation,
                        "topics": {"type": "array", "items": {"type": "string"}},
                        "research_type": {"type": ["string", "null"]},
                        "body": {"type": "string"},
                        "implications": {"type": "string"},
                        "reference": {"type": "string"},
                        "doi_url": {"type": ["string", "null"]},
                        "url": {"type": "string"},
                    },
                },
                "Topics": {
                    "type": "object",
                    "properties": {
                        "total": {"type": "integer"},
                        "topics": {"type": "array", "items": {"type": "object", "properties": {
                            "name": {"type": "string"}, "slug": {"type": "string"},
                            "count": {"type": "integer"}, "url": {"type": "string"}}}},
                        "research_types": {"type": "array", "items": {
                            "type": "object", "properties": {
                                "name": {"type": "string"}, "count": {"type": "integer"}}}},
                    },
                },
                "SuggestRequest": {
                    "type": "object",
                    "properties": {
                        "title": {"type": "string"},
                        "text": {"type": "string", "description": "summary and implications"},
                        "journal": {"type": ["string", "null"]},
                        "limit": {"type": "integer", "minimum": 1,
                                  "maximum": MAX_SUGGEST_LIMIT, "default": 8},
                    },
                },
                "Suggestions": {
                    "type": "object",
                    "properties": {
                        "topics": {"type": "array", "items": {"type": "object", "properties": {
                            "topic": {"type": "string"}, "score": {"type": "number"},
                            "suggested": {"type": "boolean"},
                            "because": {"type": "array", "items": {"type": "string"}}}}},
                        "research_type": {"type": "array", "items": {
                            "type": "object", "properties": {
                                "type": {"type": "string"}, "score": {"type": "number"}}}},
                        "similar": {"type": "array", "items": {"type": "object", "properties": {
                            "id": {"type": "string"}, "title": {"type": "string"},
                            "score": {"type": "number"}}}},
                        "notice": {"type": ["string", "null"], "description":
                                   "Why nothing is suggested (too little text, unknown words)"},
                        "trained_on": {"type": ["object", "null"], "properties": {
                            "summaries": {"type": "integer"}, "date": {"type": "string"},
                            "current": {"type": ["boolean", "null"]},
                            "corpus_summaries": {"type": ["integer", "null"]}}},
                    },
                },
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "object", "properties": {
                        "status": {"type": "integer"}, "message": {"type": "string"}}}},
                },
            },
            "responses": {
                "Error": {"description": "An error, as JSON", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
            },
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer",
                                "description": "The value of PPRNET_API_TOKEN"},
                "editorSession": {"type": "apiKey", "in": "cookie", "name": "pprnet_session"},
                "csrfToken": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
        },
    }
