"""Where the live Whoosh index is, and the errors of a missing or locked one.

``index_dir`` also holds the tagger model and other files, so the search index lives in
``index_dir/whoosh-<stamp>`` directories and ``index_dir/whoosh.current`` names the live
one. A rebuild writes a new directory and then replaces the pointer file atomically
(temp file + rename): readers see the old index or the new one, never half of either,
and a failed build leaves the pointer as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from explorer.atomicfile import atomic_write_text

POINTER = "whoosh.current"
PREFIX = "whoosh-"
BUILD_LOCK = ".whoosh-build.lock"


class SearchError(Exception):
    """A search-index problem the user can act on; the message is one clear line."""


class IndexMissingError(SearchError):
    """No usable index: never built, removed, or corrupt."""


class IndexLockedError(SearchError):
    """Another writer held the index lock for longer than we were willing to wait."""


class IndexCorruptError(IndexMissingError):
    """The index folder does not match what its build wrote (see `explorer.integrity`)."""


def corrupt(index_dir: Path, why: str) -> IndexCorruptError:
    return IndexCorruptError(
        f"the search index in {index_dir} is damaged ({why}): run `pprnet build` to rebuild it"
    )


def missing(index_dir: Path, why: str) -> IndexMissingError:
    return IndexMissingError(
        f"no usable search index in {index_dir} ({why}): run `pprnet build` to build it"
    )


def current_dir(index_dir: Path) -> Path:
    """The live index directory, or IndexMissingError."""
    pointer = Path(index_dir) / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise missing(index_dir, "not built yet") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise missing(index_dir, f"cannot read {pointer.name}: {exc}") from None
    if not name.startswith(PREFIX) or "/" in name or not (Path(index_dir) / name).is_dir():
        raise missing(index_dir, f"{pointer.name} names no index directory")
    return Path(index_dir) / name


def pointer_stamp(index_dir: Path) -> tuple[int, int] | None:
    """Cheap change detector for the pointer file (inode, mtime)."""
    try:
        st = os.stat(Path(index_dir) / POINTER)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def new_build_dir(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        path = index_dir / f"{PREFIX}{stamp}-{os.getpid()}-{n}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise SearchError(f"cannot create a build directory in {index_dir}")


def swap_in(index_dir: Path, built: Path) -> None:
    """Make ``built`` the live index, then remove all but the previous one.

    The previous index is kept so that readers still holding it keep working until they
    next check the pointer; older ones are removed.
    """
    try:
        previous = current_dir(index_dir).name
    except IndexMissingError:
        previous = None
    atomic_write_text(index_dir / POINTER, built.name + "\n")
    for path in index_dir.glob(PREFIX + "*"):
        if path.name in (built.name, previous) or not path.is_dir():
            continue
        if path.name.endswith(".building"):
            continue
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def build_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """Serialise rebuilds of one index folder (across processes)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / BUILD_LOCK, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexLockedError(
                        f"another `pprnet build` is running on {index_dir}; try again later"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
