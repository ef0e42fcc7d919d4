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


def _folder_option(flag: str, dest: str, env: str, default: str, what: str
                   ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A folder option read at call time (so $PPRNET_* set by a test or a shell applies)."""
    return click.option(
        flag,
        dest,
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: os.environ.get(env, default),
        show_default=f"{default}/ or ${env}",
        help=what,
    )


corpus_option = _folder_option("--corpus", "corpus_dir", "PPRNET_CORPUS", "corpus",
                               "Folder of summary Markdown files.")
index_option = _folder_option("--index", "index_dir", "PPRNET_INDEX", "index",
                              "Folder of the built search index and tagger model.")


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
