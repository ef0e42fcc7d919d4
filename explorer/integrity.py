"""Manifests of derived files: what a build wrote (name, size, SHA-256), checked on opening.

Why: the index folder and the model are derived data read by a long-running site, and a
damaged file used to pass unnoticed: a truncated postings file gave empty answers, a
truncated model a traceback, a garbled segment the same hits as before (so stale or wrong
data could be served). Every folder a build makes now gets ``MANIFEST.json``, written
last before the folder goes live, listing each file with its size and hash plus the
folder's format version and the corpus fingerprint it was built from. Opening checks
every listed file's size (a stat each, so always) and hash (at start-up and after a
swap; in a background thread when the folder is large), and refuses files the manifest
does not list. Any difference raises `CorruptError`, which callers turn into "run
`pprnet build`" on the command line, or a 503 and a background rebuild on the site:
never an empty or wrong answer.

Also here: the one atomic-write helper for derived files. Leftovers of killed builds are
swept by `explorer.leftovers`.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from explorer.atomicfile import atomic_write_bytes

MANIFEST = "MANIFEST.json"
MANIFEST_FORMAT = 1
# Files a folder may hold that are not data: lock files (Whoosh's MAIN_WRITELOCK, ours)
# and temporary files of an atomic write in progress.
IGNORED = ("*WRITELOCK", "*.lock", ".*.tmp", "*.tmp.*")
# Above this many bytes a folder's hashes are checked in a background thread, so that
# opening a big index does not keep the first visitor waiting; sizes are still checked.
SYNC_HASH_BYTES = 64 * 1024 * 1024
log = logging.getLogger(__name__)


class CorruptError(Exception):
    """A derived folder does not match its manifest; the message names the first problem."""


@dataclass(frozen=True)
class Manifest:
    kind: str  # "search-index" or "topic-model"
    format_version: int
    fingerprint: str | None  # the corpus it was built from (None: not known)
    files: dict[str, tuple[int, str]]  # name -> (size, sha256 hex)
    # Unlisted files matching these patterns are damage (they would be read); others are
    # tolerated (a Whoosh writer's files before its commit lists them).
    unlisted_forbidden: tuple[str, ...] = ("*",)

    @property
    def total_bytes(self) -> int:
        return sum(size for size, _ in self.files.values())


# --------------------------------------------------------------------------- writing


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _data_files(folder: Path) -> list[Path]:
    """The files a manifest lists: all but itself, lock files and temporaries."""
    return sorted(p for p in folder.iterdir()
                  if p.name != MANIFEST and p.is_file() and not _ignored(p.name))


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in IGNORED)


def write_manifest(folder: Path, *, kind: str, format_version: int,
                   fingerprint: str | None, previous: Manifest | None = None,
                   unlisted_forbidden: tuple[str, ...] = ("*",)) -> Manifest:
    """Hash every data file of ``folder`` and write its manifest atomically.

    ``previous``: the manifest before an incremental update. Its files are immutable
    (Whoosh writes new segment and table-of-contents files, never rewrites one), so their
    entries are kept and only new files are read; one whose size changed is damage, and
    raises CorruptError rather than being blessed. ``unlisted_forbidden``: see `Manifest`
    (for an index folder, a table of contents that no build or commit listed).
    """
    folder = Path(folder)
    files: dict[str, tuple[int, str]] = {}
    for path in _data_files(folder):
        size = path.stat().st_size
        old = previous.files.get(path.name) if previous else None
        if old is not None and old[0] != size:
            raise CorruptError(f"{path.name} has {size} bytes, the build wrote {old[0]}")
        files[path.name] = old if old is not None else (size, file_hash(path))
    manifest = Manifest(kind, format_version, fingerprint, files, tuple(unlisted_forbidden))
    body = {
        "manifest_format": MANIFEST_FORMAT,
        "kind": kind,
        "format_version": format_version,
        "corpus_fingerprint": fingerprint,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "unlisted_forbidden": list(unlisted_forbidden),
        "files": {name: {"size": size, "sha256": digest}
                  for name, (size, digest) in files.items()},
    }
    atomic_write_bytes(folder / MANIFEST, json.dumps(body, indent=1).encode("utf-8"))
    VERIFIED.mark_ok(folder)
    return manifest


def refresh_manifest(folder: Path) -> Manifest:
    """Rewrite the manifest after an incremental update (an editor's save committed new
    segment files): unchanged files keep their entries, new files are hashed."""
    old = read_manifest(folder)
    return write_manifest(folder, kind=old.kind, format_version=old.format_version,
                          fingerprint=old.fingerprint, previous=old,
                          unlisted_forbidden=old.unlisted_forbidden)


# --------------------------------------------------------------------------- checking


def read_manifest(folder: Path) -> Manifest:
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_bytes())
        files = {str(name): (int(entry["size"]), str(entry["sha256"]))
                 for name, entry in data["files"].items()}
        if data.get("manifest_format") != MANIFEST_FORMAT:
            raise CorruptError(f"{MANIFEST} has format {data.get('manifest_format')!r}")
        return Manifest(str(data["kind"]), int(data["format_version"]),
                        data.get("corpus_fingerprint"), files,
                        tuple(str(p) for p in data.get("unlisted_forbidden", ["*"])))
    except FileNotFoundError:
        raise CorruptError(f"{MANIFEST} is missing") from None
    except CorruptError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorruptError(f"{MANIFEST} is unreadable ({type(exc).__name__})") from None


def check_sizes(folder: Path, manifest: Manifest) -> None:
    """Every listed file present at its size, and no unlisted file that would be read
    (a stat each, and one listing of the folder)."""
    folder = Path(folder)
    for name, (size, _) in manifest.files.items():
        try:
            actual = (folder / name).stat().st_size
        except FileNotFoundError:
            raise CorruptError(f"{name} is missing") from None
        if actual != size:
            raise CorruptError(f"{name} has {actual} bytes, the build wrote {size}")
    extra = [p.name for p in _data_files(folder) if p.name not in manifest.files and
             any(fnmatch.fnmatchcase(p.name, pat) for pat in manifest.unlisted_forbidden)]
    if extra:
        raise CorruptError(f"{extra[0]} was not written by the build")


def check_hashes(folder: Path, manifest: Manifest) -> None:
    for name, (_, digest) in manifest.files.items():
        try:
            actual = file_hash(Path(folder) / name)
        except FileNotFoundError:
            raise CorruptError(f"{name} is missing") from None
        if actual != digest:
            raise CorruptError(f"{name} does not match its checksum")


def manifest_stamp(folder: Path) -> tuple[int, int, int] | None:
    """(inode, mtime, size) of a folder's manifest: changes when a build or swap replaces
    the folder's contents, so it tells when to check (or load) again."""
    try:
        st = (Path(folder) / MANIFEST).stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class _Verdicts:
    """What this process has learnt about each folder's hashes, per manifest version.

    Hashing is the expensive part, so it is done once per folder and manifest: at the
    first opening (start-up) and when a swap brings a new folder or manifest.
    """

    def __init__(self) -> None:
        # Only a long-running server hashes in the background (`create_app` turns it on);
        # a command that opens the index once must not answer before the check is done.
        self.allow_background = False
        self._lock = threading.Lock()
        # folder -> (manifest stamp, "ok" | "pending" | error message)
        self._state: dict[str, tuple[tuple[int, int, int] | None, str]] = {}

    def mark_ok(self, folder: Path) -> None:
        with self._lock:
            self._state[str(folder)] = (manifest_stamp(folder), "ok")

    def failure(self, folder: Path) -> str | None:
        """A hash failure already found for ``folder`` (a dict lookup: no I/O)."""
        entry = self._state.get(str(folder))
        if entry is None or entry[1] in ("ok", "pending"):
            return None
        return entry[1]

    def check(self, folder: Path, *, background: bool | None = None) -> None:
        """Sizes now; hashes unless already checked for this manifest (in a background
        thread when ``background`` says so, or by default when background checks are
        allowed and the folder is large). A failure is remembered until the manifest
        changes (a rebuild or a swap replaces it)."""
        folder = Path(folder)
        key = str(folder)
        known = self._state.get(key)
        if known is not None and known[1] not in ("ok", "pending") and \
                known[0] == manifest_stamp(folder):
            raise CorruptError(known[1])
        try:
            manifest = _read_settled(folder)
        except CorruptError as exc:
            with self._lock:
                self._state[key] = (manifest_stamp(folder), str(exc))
            raise
        stamp = manifest_stamp(folder)
        with self._lock:
            known = self._state.get(key)
            if known is not None and known[0] == stamp:
                return  # hashed (or being hashed) already: sizes were enough
            if background is None:
                background = self.allow_background and manifest.total_bytes > SYNC_HASH_BYTES
            self._state[key] = (stamp, "pending")
        if background:
            threading.Thread(target=self._hash, args=(folder, manifest, stamp, True),
                             daemon=True, name="pprnet-verify").start()
        else:
            self._hash(folder, manifest, stamp, False)
            failure = self.failure(folder)
            if failure:
                raise CorruptError(failure)

    def _hash(self, folder: Path, manifest: Manifest, stamp: tuple[int, int, int] | None,
              background: bool) -> None:
        try:
            check_hashes(folder, manifest)
            verdict = "ok"
        except (CorruptError, OSError) as exc:
            verdict = str(exc)
            if background:  # nobody is waiting to report it: the next opening raises it
                log.error("%s: %s", folder, verdict)
        with self._lock:
            if self._state.get(str(folder), (None, ""))[0] == stamp:
                self._state[str(folder)] = (stamp, verdict)


def _read_settled(folder: Path, attempts: int = 4) -> Manifest:
    """The manifest, with sizes checked. A failure is looked at again while the manifest
    keeps changing: an editor's save in another process commits its files first and
    rewrites the manifest a moment later."""
    for attempt in range(attempts):
        before = manifest_stamp(folder)
        try:
            manifest = read_manifest(folder)
            check_sizes(folder, manifest)
            return manifest
        except CorruptError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
            if attempt >= 1 and manifest_stamp(folder) == before:
                raise
    raise AssertionError("unreachable")


VERIFIED = _Verdicts()


def verify(folder: Path, *, deep: bool = True) -> Manifest:
    """Check ``folder`` against its manifest now (hashes too unless ``deep`` is False)."""
    manifest = _read_settled(Path(folder))
    if deep:
        check_hashes(folder, manifest)
    return manifest
