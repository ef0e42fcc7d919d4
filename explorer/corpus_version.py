"""A version stamp on disk that says "the corpus changed", for every process to check.

Several processes may serve or edit one corpus (web workers, `pprnet import`, `pprnet
tag --apply`, a `git pull`). Process memory cannot tell them of each other's writes, so
writers bump ``index/corpus-version`` (a small file replaced atomically), and readers
compare a few `os.stat` results (that file, the corpus folder, whose mtime moves with
every atomic write or git checkout into it, and the search index pointer) instead of
reading the corpus. Changes made behind the writers' backs in place (an editor saving a
file without renaming) are caught by `corpus_files_mtime`, which a reader runs less often.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from explorer.corpus import atomic_write_text
from explorer.search.store import POINTER as POINTER_FILE

VERSION_FILE = "corpus-version"


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def bump(index_dir: Path | str) -> None:
    """Tell every reader that the corpus changed (best effort: a read-only index folder
    only loses the early notice; the corpus folder's own mtime still moves)."""
    folder = Path(index_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(folder / VERSION_FILE, uuid.uuid4().hex + "\n")
    except OSError:
        pass


def quick_stamp(corpus_dir: Path | str, index_dir: Path | str) -> tuple:
    """Three stats: changes whenever a writer bumped, a file was renamed into the corpus
    folder (every atomic write, git checkouts) or a rebuilt index was swapped in."""
    return (_stat(Path(index_dir) / VERSION_FILE), _stat(Path(corpus_dir)),
            _stat(Path(index_dir) / POINTER_FILE))


def corpus_files_mtime(corpus_dir: Path | str) -> int:
    """Newest mtime (ns) of the corpus's Markdown files and taxonomy: one stat per file."""
    newest = 0
    folder = Path(corpus_dir)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if entry.name.endswith((".md", ".yaml")):
            try:
                newest = max(newest, entry.stat().st_mtime_ns)
            except OSError:
                continue
    return newest
