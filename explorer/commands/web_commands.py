"""``pprnet serve``: build the index when it is missing or older than the corpus, then serve
the web explorer with waitress (a production WSGI server: threads, no debugger).
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import click

from explorer.commands.options import corpus_option, fail, friendly_errors, index_option
from explorer.corpus import load_corpus
from explorer.search import build_index
from explorer.search.store import IndexMissingError, SearchError, current_dir

MODEL_DIR = "model"


def _newest_mtime(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        try:
            newest = max(newest, path.stat().st_mtime)
        except OSError:
            continue
    return newest


def corpus_mtime(corpus_dir: Path) -> float:
    """When the corpus last changed: its newest summary file, taxonomy or the folder."""
    return _newest_mtime([corpus_dir, *corpus_dir.glob("*.md"), corpus_dir / "taxonomy.yaml"])


def index_staleness(corpus_dir: Path, index_dir: Path) -> str | None:
    """Why the index must be (re)built before serving, or None when it is current."""
    try:
        live = current_dir(index_dir)
    except IndexMissingError:
        return "no search index yet"
    built = _newest_mtime([live, *live.iterdir()])
    if corpus_mtime(corpus_dir) > built:
        return "the corpus changed since the index was built"
    return None


def model_missing(index_dir: Path) -> bool:
    return not (index_dir / MODEL_DIR).exists()


def prepare_index(corpus_dir: Path, index_dir: Path, *, force: bool = False) -> None:
    """Build the search index (and the tagger model) when missing or stale.

    A corpus with errors is not indexed: an existing index is served as it is (with a
    warning), and without one there is nothing to serve.
    """
    reason = "asked to (--rebuild)" if force else index_staleness(corpus_dir, index_dir)
    need_model = model_missing(index_dir)
    if reason is None and not need_model:
        return
    result = load_corpus(corpus_dir)
    for problem in result.errors:
        click.echo(str(problem), err=True)
    if result.errors or not result.summaries:
        why = (
            f"{len(result.errors)} error(s) in {corpus_dir}"
            if result.errors
            else f"no summaries in {corpus_dir}"
        )
        try:
            current_dir(index_dir)
        except IndexMissingError:
            fail(f"{why}: cannot build the index (run `pprnet check`)", code=1)
        click.echo(f"pprnet: warning: {why}: serving the existing index", err=True)
        return
    if reason is not None:
        click.echo(f"Building the search index ({reason})…", err=True)
        try:
            stats = build_index(
                result.summaries, index_dir, progress=True, taxonomy=result.taxonomy
            )
        except SearchError as exc:
            fail(str(exc))
        click.echo(f"indexed {stats['documents']} summaries in {stats['seconds']:.1f} s", err=True)
    if reason is not None or need_model:
        _train_model(result.summaries, result.taxonomy, index_dir)


def _train_model(summaries, taxonomy, index_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Train and save the topic model; the site still works (without suggestions) if not."""
    try:
        from explorer.tagger import save_model, train_model
    except ImportError:
        return
    click.echo("Training the topic model…", err=True)
    try:
        save_model(train_model(summaries, taxonomy), index_dir)
    except (ValueError, OSError) as exc:
        click.echo(f"pprnet: warning: no topic model ({exc}); the editor has no suggestions",
                   err=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Worker threads.")
@click.option("--rebuild", is_flag=True, help="Rebuild the index even when it is current.")
@corpus_option
@index_option
@friendly_errors
def serve(host: str, port: int, threads: int, rebuild: bool, corpus_dir: Path,
          index_dir: Path) -> None:
    """Serve the web explorer (search, topics, editor, JSON API) at http://HOST:PORT/.

    Builds the index first when it is missing or older than the corpus. The editor is on
    when PPRNET_EDITOR_PASSWORD is set; POST /api/suggest also accepts PPRNET_API_TOKEN.
    """
    import waitress

    from explorer.web import create_app

    if not corpus_dir.is_dir():
        fail(f"{corpus_dir}: corpus folder not found")
    prepare_index(corpus_dir, index_dir, force=rebuild)
    app = create_app({"CORPUS_DIR": corpus_dir, "INDEX_DIR": index_dir})
    app.extensions["pprnet"].warm()
    # Everything loaded so far lives as long as the server: keep it out of the garbage
    # collector's full passes, which otherwise stall every thread now and then.
    gc.collect()
    gc.freeze()
    editor = "on" if app.config.get("EDITOR_PASSWORD_HASH") else "off (set PPRNET_EDITOR_PASSWORD)"
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"PPRNet Explorer: http://{shown_host}:{port}/  (editor {editor}; Ctrl+C stops)")
    os.environ.setdefault("FLASK_DEBUG", "0")
    waitress.serve(app, host=host, port=port, threads=threads, ident="pprnet",
                   clear_untrusted_proxy_headers=True, channel_timeout=60)


COMMANDS = [serve]
