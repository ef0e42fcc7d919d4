"""The web explorer: a Flask application factory and its blueprints.

``create_app(config)`` wires the corpus store, one SearchIndex, the tagger model (lazily),
the security rules (headers, CSRF, sessions, secrets) and the blueprints: search (``/``),
summary pages, the topic explorer, the editor, exports and the JSON API. ``pprnet serve``
runs the result under waitress; tests drive it with Flask's test client.

Configuration keys (``config`` wins over the environment):
``CORPUS_DIR`` (``PPRNET_CORPUS``, default ``corpus``), ``INDEX_DIR`` (``PPRNET_INDEX``,
default ``index``), ``SECRET_KEY`` (``PPRNET_SECRET_KEY``, else generated into
``INDEX_DIR/secret_key``), ``EDITOR_PASSWORD`` (``PPRNET_EDITOR_PASSWORD``: plain, or a
Werkzeug hash; kept only as a hash), ``API_TOKEN`` (``PPRNET_API_TOKEN``),
``LOGIN_LIMIT`` (attempts, seconds), ``LOGIN_LIMIT_FILE`` (count them in this SQLite file,
shared by server workers; default: in memory), ``PER_PAGE``, ``EXPORT_LIMIT``,
``PAGE_CACHE_SIZE`` (rendered pages kept for anonymous visitors; 0 turns the cache off),
``MODEL_RETRAIN_DELAY`` (seconds without saves before the topic model is retrained in the
background; None: never), ``FOLLOW_CORPUS`` (follow outside changes of the corpus and
index each second; default on),
``AUTO_REBUILD`` (``PPRNET_AUTO_REBUILD``, default on: rebuild a damaged or missing index or
model in the background, see `explorer.web.healing`).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, make_response, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException, InternalServerError

from explorer import packaged
from explorer.corpus import CorpusError
from explorer.integrity import VERIFIED
from explorer.search import IndexMissingError
from explorer.web import security
from explorer.web.corpus_store import CorpusStore
from explorer.web.healing import INDEX
from explorer.web.ratelimit import login_limiter
from explorer.web.sessions import CookieSessions
from explorer.web.state import WebState
from explorer.web.viewhelpers import register_template_helpers

TEMPLATE_DIR = packaged.templates_dir()
STATIC_DIR = packaged.static_dir()
log = logging.getLogger("explorer.web")


class JSONProvider(DefaultJSONProvider):
    """JSON as the API documents it: keys in the order the code builds them (a hit reads
    id, title, ... not alphabetically) and non-ASCII text as itself, not ``\\u`` escapes."""

    sort_keys = False
    ensure_ascii = False


class ExplorerFlask(Flask):
    """Flask, asking once per function whether it is a coroutine function: Flask asks
    `inspect` for every hook and view on every request (six times a page view, a tenth
    of Flask's own work for one)."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        known: dict[Callable[..., Any], Callable[..., Any]] = self.__dict__.setdefault(
            "_pprnet_sync", {})
        try:
            return known[func]
        except KeyError:
            made = super().ensure_sync(func)
            if len(known) < 10_000:  # hooks, views and error handlers: a fixed few
                known[func] = made
            return made
        except TypeError:  # not hashable
            return super().ensure_sync(func)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app for one corpus folder and one index folder."""
    config = dict(config or {})
    app = ExplorerFlask(
        __name__,
        template_folder=str(TEMPLATE_DIR),
        static_folder=str(STATIC_DIR),
        static_url_path="/static",
    )
    corpus_dir = Path(config.pop("CORPUS_DIR", None) or os.environ.get("PPRNET_CORPUS", "corpus"))
    index_dir = Path(config.pop("INDEX_DIR", None) or os.environ.get("PPRNET_INDEX", "index"))
    password = config.pop("EDITOR_PASSWORD", os.environ.get("PPRNET_EDITOR_PASSWORD"))
    api_token = config.pop("API_TOKEN", os.environ.get("PPRNET_API_TOKEN"))
    app.config.update(
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
        MAX_CONTENT_LENGTH=1024 * 1024,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        SESSION_COOKIE_NAME="pprnet_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("PPRNET_SECURE_COOKIES", "") in ("1", "true", "yes"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        SEND_FILE_MAX_AGE_DEFAULT=timedelta(days=7),
        LOGIN_LIMIT=(5, 60.0),
        PER_PAGE=10,
        EXPORT_LIMIT=5000,
        PAGE_CACHE_SIZE=256,
        MODEL_RETRAIN_DELAY=2.0,
        FOLLOW_CORPUS=True,
        AUTO_REBUILD=os.environ.get("PPRNET_AUTO_REBUILD", "1").lower() not in ("0", "no",
                                                                                "false"),
    )
    app.config.update(config)
    app.session_interface = CookieSessions()
    app.json = JSONProvider(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = security.load_secret_key(index_dir)
    app.config["EDITOR_PASSWORD_HASH"] = security.hash_password(password)
    app.config["API_TOKEN_DIGEST"] = security.token_digest(api_token)
    app.config["CORPUS_DIR"], app.config["INDEX_DIR"] = corpus_dir, index_dir

    state = WebState(corpus_dir, index_dir, CorpusStore.load(corpus_dir))
    state.pages.size = int(app.config["PAGE_CACHE_SIZE"])
    delay = app.config["MODEL_RETRAIN_DELAY"]
    state.models.delay = None if delay is None else float(delay)
    if app.config["FOLLOW_CORPUS"]:
        state.follower.start()
    state.healer.enabled = bool(app.config["AUTO_REBUILD"])
    VERIFIED.allow_background = True  # a server: hash a large new index off the request path
    app.extensions["pprnet"] = state
    limit, window = app.config["LOGIN_LIMIT"]
    app.extensions["pprnet_login_limiter"] = login_limiter(
        app.config.get("LOGIN_LIMIT_FILE"), int(limit), float(window))
    try:
        state.index()  # open now when it exists; a missing index is reported per request
    except IndexMissingError as exc:
        log.warning("%s", exc)

    app.before_request(_check_query_string)
    app.before_request(lambda: security.check_csrf(app))
    app.after_request(security.add_security_headers)
    app.jinja_env.globals["static_version"] = _static_versions()
    register_template_helpers(app)
    _register_blueprints(app)
    _register_health(app)
    _register_errors(app)
    return app


def _check_query_string() -> None:
    """400 for a query string that is not UTF-8 (Werkzeug would raise on reading it).

    waitress already refuses raw non-ASCII bytes in a URL, but another server in front
    may pass them through; the reader gets a clear 400 rather than a 500.
    """
    try:
        request.query_string.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, description="The address is not valid UTF-8.")


def _register_health(app: Flask) -> None:
    @app.get("/healthz")
    def healthz() -> Response:
        """Liveness for load balancers and the load test: no index or template work."""
        # The process id says which server worker answered (`pprnet serve --workers N`).
        response = jsonify({"status": "ok", "summaries": len(app.extensions["pprnet"].store),
                            "pid": os.getpid()})
        response.headers["Cache-Control"] = "no-store"
        return response


def _static_versions() -> dict[str, str]:
    """Content hashes of the static files, appended to their URLs to bust caches."""
    versions = {}
    for path in STATIC_DIR.glob("*"):
        if path.is_file():
            versions[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return versions


def _register_blueprints(app: Flask) -> None:
    from explorer.web import (
        api,
        crawlers,
        downloads,
        editor,
        feeds,
        lists,
        queue,
        search_page,
        summary,
        topics,
    )

    for module in (search_page, summary, topics, editor, queue, downloads, api, feeds, lists,
                   crawlers):
        app.register_blueprint(module.bp)


# A form (the editor's, say) larger than MAX_CONTENT_LENGTH: the person needs to know that
# nothing was kept and where their text still is.
TOO_LARGE_PAGE = (
    "What you sent is too large (over the 1 MB limit), so it was not saved or read. Nothing of it "
    "is kept on the server: go Back in your browser to return to the form with your text "
    "still in it, then shorten it and send it again."
)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_errors(app: Flask) -> None:
    def render_error(status: int, title: str, message: str) -> Response:
        if wants_json():
            response = jsonify({"error": {"status": status, "message": message}})
        else:
            response = make_response(
                render_template("error.html", status=status, title=title, message=message)
            )
        response.status_code = status
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        messages = {
            404: "There is no page at this address.",
            405: "This address does not accept that kind of request.",
            413: "What was sent is too large (the limit is 1 MB).",
        }
        message = exc.description if status in (400, 401, 403, 429) else None
        if status == 413 and not wants_json():
            message = TOO_LARGE_PAGE
        response = render_error(
            status, exc.name or "Error", message or messages.get(status, exc.description or "")
        )
        retry_after = getattr(exc, "retry_after", None)
        if status == 429 and retry_after:
            response.headers["Retry-After"] = str(retry_after)
        if status == 405:
            response.headers["Allow"] = ", ".join(getattr(exc, "valid_methods", None) or [])
        return response

    @app.errorhandler(IndexMissingError)
    def index_missing(exc: IndexMissingError) -> Response:
        # Damaged or missing: never an empty answer. The details (with paths) go to the
        # log; the visitor gets one calm sentence while a rebuild runs in the background.
        message = app.extensions["pprnet"].heal(INDEX, str(exc))
        response = render_error(503, "Search index unavailable", message)
        response.headers["Retry-After"] = "60"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CorpusError)
    def corpus_error(exc: CorpusError) -> Response:
        return render_error(400, "Corpus problem", str(exc))

    @app.errorhandler(InternalServerError)
    def internal_error(exc: InternalServerError) -> Response:
        # Flask has already logged the traceback; the reader gets one calm sentence.
        return render_error(
            500, "Something went wrong", "The server could not answer this request."
        )
