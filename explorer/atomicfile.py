"""Durable, atomic file writes: the one place the project writes a file readers may see.

Why one module: corpus files, the index pointer, manifests, the model and the secret key
all need the same dance (temp file in the same folder, fsync, rename, fsync the folder),
and a copy that forgets one step loses data on a crash. Standard library only, so every
layer may use it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: Path | str, data: bytes) -> None:
    """Write ``path`` so readers see the old file or the new one, never half of either."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: Path | str, text: str) -> None:
    """`atomic_write_bytes` of UTF-8 text (newlines written as given)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def fsync_dir(path: Path | str) -> None:
    """Make a rename or a new file in ``path`` durable (best effort: not every FS can)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
