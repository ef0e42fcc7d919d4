"""Read a file handed to an importer, within limits: a regular file of UTF-8 text.

Why: an importer reads its whole input into memory and parses it line by line, so
``pprnet import /dev/zero`` used to end in a MemoryError traceback, and a binary file in a
pile of warnings. Every importer reads through `read_import_file`, which refuses devices,
pipes and folders, files over `MAX_IMPORT_BYTES`, and bytes that are not text, each with
one line naming the file. The limit is documented in SECURITY.md.
"""

from __future__ import annotations

import stat
from pathlib import Path

from explorer.corpus import CorpusError

# A blog listing page with every summary of the archive is well under 1 MB.
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def read_import_file(path: Path, limit: int = MAX_IMPORT_BYTES) -> str:
    """The text of ``path``; CorpusError (one line, with the path) when it is not a
    regular file, is larger than ``limit`` bytes, or is not UTF-8 text."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise CorpusError(f"{path}: not a regular file (a device, pipe or folder): "
                          "import a saved text file")
    if info.st_size > limit:
        raise CorpusError(f"{path}: {info.st_size:,} bytes, over the {_mb(limit)} limit "
                          "for a file to import")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)  # the file may have grown since the stat
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > limit:
        raise CorpusError(f"{path}: over the {_mb(limit)} limit for a file to import")
    if b"\x00" in data:
        raise CorpusError(f"{path}: not text (it contains NUL bytes): import a saved text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CorpusError(f"{path}: not UTF-8 text") from None


def _mb(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"
