"""Leftovers of killed builds in ``index/``: found and removed by the next build.

Why: a build or model save killed midway leaves its temporary folder behind (a
``.model-tmp-*`` folder could pile up forever), and nothing else ever removes it. Each
build, under the build lock, first removes temporary folders and files that are older
than it and whose writer is gone; a process id in the name (`temp_dir`) tells a save
still running in another process from an abandoned one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from explorer.integrity import MANIFEST

# A temporary file without a process id in its name counts as abandoned this long after
# it was last written (atomic writes take milliseconds).
STALE_TEMP_SECONDS = 60.0
log = logging.getLogger(__name__)

def temp_dir(parent: Path, what: str) -> Path:
    """A fresh temporary folder ``.<what>-tmp-<pid>-<random>`` in ``parent``: the process
    id lets a later build tell an abandoned one from one still being written."""
    return Path(tempfile.mkdtemp(prefix=f".{what}-tmp-{os.getpid()}-", dir=parent))


def _pid_in(name: str) -> int | None:
    """The writer's process id in ``.<what>-tmp-<pid>-*`` or ``whoosh-<d>-<t>-<pid>-<n>``."""
    if "-tmp-" in name:
        part = name.split("-tmp-", 1)[1].split("-", 1)[0]
    else:
        parts = name.split("-")
        part = parts[3] if len(parts) > 3 else ""
    return int(part) if part.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_temporaries(index_dir: Path, started: float, keep: set[str] | None = None) -> list[str]:
    """Remove what killed builds left in ``index_dir``: temporary folders and files made
    before ``started`` (a time.time()) whose writer is gone. Call under the build lock.

    Leftovers are ``.<what>-tmp-<pid>-*`` folders, ``.model-old-*`` folders (a swap that
    died between its two renames), atomic-write temporaries (``.<name>.<random>.tmp``),
    and unfinished index folders ``whoosh-<stamp>-<pid>-<n>`` (no manifest yet) other
    than those in ``keep``. A name with a process id is kept while that process runs; one without is
    kept until `STALE_TEMP_SECONDS` after its last change.
    """
    removed: list[str] = []
    keep = keep or set()
    try:
        entries = list(Path(index_dir).iterdir())
    except OSError:
        return removed
    for path in entries:
        name = path.name
        if name in keep:
            continue
        is_temp_dir = "-tmp-" in name and name.startswith(".")
        is_old_dir = name.startswith(".model-old-")
        # an index folder with a manifest was finished: `swap_in` decides when it goes
        is_build_dir = name.startswith("whoosh-") and path.is_dir() and \
            not (path / MANIFEST).exists()
        is_temp_file = name.startswith(".") and name.endswith(".tmp")
        if not (is_temp_dir or is_old_dir or is_build_dir or is_temp_file):
            continue
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        if mtime >= started:
            continue  # made by a build that started after ours
        pid = _pid_in(name) if (is_temp_dir or is_build_dir) else None
        if pid is not None and pid != os.getpid() and _alive(pid):
            continue
        if pid is None and time.time() - mtime < STALE_TEMP_SECONDS:
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
        removed.append(name)
    if removed:
        log.info("removed leftovers of earlier builds: %s", ", ".join(sorted(removed)))
    return removed
