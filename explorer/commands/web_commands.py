"""``pprnet serve``: build the index when it is missing or older than the corpus, then serve
the web explorer with granian (several processes) or waitress (one), see
`explorer.web.server`.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from explorer.commands.options import corpus_option, fail, friendly_errors, index_option
from explorer.search.store import IndexMissingError, SearchError, current_dir

if TYPE_CHECKING:  # Flask is imported by `serve` only
    from flask import Flask


def prepare_index(corpus_dir: Path, index_dir: Path, *, force: bool = False) -> None:
    """Build the search index (and the tagger model) when missing or stale.

    A corpus with errors is not indexed: an existing index is served as it is (with a
    warning), and without one there is nothing to serve. A damaged index or model (see
    `explorer.integrity`) is left to the site: it starts at once, answers 503 for what
    is damaged and rebuilds it in the background (`explorer.web.healing`).
    """
    # Imported here: the builder loads Whoosh and scikit-learn, which `pprnet --help` skips.
    from explorer.builder import BuildRefused, build_all, damage, index_staleness, model_unusable

    reason = "asked to (--rebuild)" if force else index_staleness(corpus_dir, index_dir)
    if reason is None:
        damaged = damage(index_dir)
        for line in damaged:
            click.echo(f"pprnet: warning: {line}: the site answers 503 for it until it is "
                       "rebuilt (in the background, unless PPRNET_AUTO_REBUILD=0)", err=True)
        if damaged:
            return
    model_reason = model_unusable(index_dir) if reason is None else None
    if reason is None and model_reason is None:
        return
    if reason is not None:
        click.echo(f"Building the search index ({reason})…", err=True)
    try:
        report = build_all(
            corpus_dir, index_dir, progress=True, with_index=reason is not None,
            say=lambda msg: click.echo(msg, err=True),
        )
    except BuildRefused as exc:
        click.echo(str(exc), err=True)
        try:
            current_dir(index_dir)
        except IndexMissingError:
            fail(f"cannot build the index from {corpus_dir} (run `pprnet check`)", code=1)
        click.echo("pprnet: warning: serving the existing index", err=True)
        return
    except SearchError as exc:
        fail(str(exc))
    if report.model_error:
        click.echo(f"pprnet: warning: no topic model ({report.model_error}); "
                   "the editor has no suggestions", err=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port; the address is printed).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Server processes (default: the number of cores); granian on Linux, "
              "elsewhere waitress in one process.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Threads per server process.")
@click.option("--rebuild", is_flag=True, help="Rebuild the index even when it is current.")
@click.option("--trusted-proxy", metavar="ADDR",
              default=lambda: os.environ.get("PPRNET_TRUSTED_PROXY") or None,
              help="Address of the reverse proxy in front (e.g. 127.0.0.1; default "
              "$PPRNET_TRUSTED_PROXY): trust its X-Forwarded-For/-Proto/-Host headers, so "
              "the sign-in limit counts each visitor and links say https.")
@corpus_option
@index_option
@friendly_errors
def serve(host: str, port: int, workers: int | None, threads: int, rebuild: bool,
          trusted_proxy: str | None, corpus_dir: Path, index_dir: Path) -> None:
    """Serve the web explorer (search, topics, editor, JSON API) at http://HOST:PORT/.

    Builds the index first when it is missing or older than the corpus. The editor is on
    when PPRNET_EDITOR_PASSWORD is set; POST /api/suggest also accepts PPRNET_API_TOKEN.
    """
    from explorer.web import create_app, server
    from explorer.web.ratelimit import FILE_NAME as LIMIT_FILE
    from explorer.web.security import load_secret_key

    if not corpus_dir.is_dir():
        fail(f"{corpus_dir}: corpus folder not found")
    prepare_index(corpus_dir, index_dir, force=rebuild)
    workers = workers or server.default_workers()
    # Made now, before any worker starts: workers racing to create it would each sign
    # sessions with their own key.
    load_secret_key(index_dir)
    os.environ.setdefault("FLASK_DEBUG", "0")

    def make_app() -> Flask:
        # Every worker counts sign-in attempts in the same file.
        return create_app({"CORPUS_DIR": corpus_dir, "INDEX_DIR": index_dir,
                           "LOGIN_LIMIT_FILE": index_dir / LIMIT_FILE})

    hint = " (is another server on that port? try --port)" if port else ""
    if server.server_name() == "granian":
        try:  # a taken port is one clear error, and port 0 becomes a free port to print
            port = server.claim_port(host, port)
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}")
        editor = ("on" if os.environ.get("PPRNET_EDITOR_PASSWORD")
                  else "off (set PPRNET_EDITOR_PASSWORD)")
        line = (f"PPRNet Explorer is ready: {site_url(host, port)}  (editor {editor}; granian, "
                f"{workers} worker{'s' if workers > 1 else ''} × {threads} threads; Ctrl+C stops)")
        stop = threading.Event()
        server.when_answering(host, port, lambda: click.echo(line), stop)
        try:
            server.run_granian(lambda: server.worker_app(make_app, trusted_proxy),
                               server.granian_server(host=host, port=port, workers=workers,
                                                     threads=threads))
        finally:
            stop.set()
        return
    app = server.ready(make_app())
    editor = "on" if app.config.get("EDITOR_PASSWORD_HASH") else "off (set PPRNET_EDITOR_PASSWORD)"
    try:  # bind first, so the address is printed only once the site answers there
        httpd = server.waitress_server(app, host=host, port=port, threads=threads,
                                       trusted_proxy=trusted_proxy)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}")
    click.echo(f"PPRNet Explorer is ready: {site_url(host, httpd.effective_port)}  "
               f"(editor {editor}; waitress, 1 process × {threads} threads; Ctrl+C stops)")
    httpd.run()


def site_url(host: str, port: int) -> str:
    """The URL to open: a wildcard address is reachable as localhost on this machine."""
    shown = {"0.0.0.0": "localhost", "::": "localhost", "": "localhost"}.get(host, host)
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/"

COMMANDS = [serve]
