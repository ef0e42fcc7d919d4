"""Options and error handling shared by every ``pprnet`` sub-command."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from explorer.corpus import CorpusError


def corpus_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--corpus",
        "corpus_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: os.environ.get("PPRNET_CORPUS", "corpus"),
        show_default="corpus/ or $PPRNET_CORPUS",
        help="Folder of summary Markdown files.",
    )(func)


def index_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: os.environ.get("PPRNET_INDEX", "index"),
        show_default="index/ or $PPRNET_INDEX",
        help="Folder of the built search index and tagger model.",
    )(func)


def fail(message: str, code: int = 2) -> None:
    """Print one clear line on stderr and exit non-zero."""
    click.echo(f"pprnet: error: {message}", err=True)
    sys.exit(code)


def os_message(exc: OSError, doing: str = "") -> str:
    """'/proc/nope: No such file or directory': the path and the reason, no errno noise."""
    reason = exc.strerror or type(exc).__name__
    where = exc.filename if exc.filename is not None else ""
    lead = f"{doing} {where}".strip()
    return f"{lead}: {reason}" if lead else reason


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected failures (bad corpus, bad file) into one line instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CorpusError as exc:
            fail(str(exc))
        except UnicodeDecodeError as exc:
            fail(f"not UTF-8 text ({exc.reason})")
        except OSError as exc:
            fail(os_message(exc))

    return wrapper
