"""`explorer.integrity` (manifests of derived folders and their checks) and
`explorer.leftovers` (the sweep of what killed builds left)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer import integrity
from explorer.cli import main as pprnet
from explorer.integrity import (
    MANIFEST,
    CorruptError,
    read_manifest,
    refresh_manifest,
    verify,
    write_manifest,
)
from explorer.leftovers import sweep_temporaries
from explorer.search import SearchIndex, SearchRequest
from explorer.search.store import current_dir
from tests.web_helpers import copy_site, make_summaries


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "derived"
    path.mkdir()
    (path / "a.bin").write_bytes(b"alpha" * 100)
    (path / "b.json").write_text('{"b": 1}')
    (path / "MAIN_WRITELOCK").write_bytes(b"")  # lock files are not data
    write_manifest(path, kind="test", format_version=3, fingerprint="f" * 64)
    return path


def test_the_manifest_lists_size_hash_format_and_fingerprint(folder):
    body = json.loads((folder / MANIFEST).read_text())
    assert body["kind"] == "test" and body["format_version"] == 3
    assert body["corpus_fingerprint"] == "f" * 64
    assert set(body["files"]) == {"a.bin", "b.json"}
    assert body["files"]["a.bin"]["size"] == 500
    assert len(body["files"]["a.bin"]["sha256"]) == 64
    assert verify(folder).files == read_manifest(folder).files


@pytest.mark.parametrize("damage, message", [
    (lambda f: (f / "a.bin").write_bytes(b"alpha" * 99), "has 495 bytes"),
    (lambda f: (f / "a.bin").write_bytes(b"alphA" * 100), "does not match its checksum"),
    (lambda f: (f / "b.json").unlink(), "b.json is missing"),
    (lambda f: (f / "c.bin").write_bytes(b"planted"), "c.bin was not written"),
    (lambda f: (f / MANIFEST).unlink(), "MANIFEST.json is missing"),
    (lambda f: (f / MANIFEST).write_text("{"), "MANIFEST.json is unreadable"),
])
def test_any_difference_is_corrupt(folder, damage, message):
    damage(folder)
    with pytest.raises(CorruptError, match=message):
        verify(folder)


def test_sizes_alone_miss_a_garbled_file_and_hashes_catch_it(folder):
    (folder / "a.bin").write_bytes(b"alphA" * 100)
    verify(folder, deep=False)
    with pytest.raises(CorruptError):
        verify(folder, deep=True)


def test_hashes_are_checked_once_per_manifest_and_sizes_every_time(folder, monkeypatch):
    verdicts = integrity._Verdicts()
    verdicts.check(folder)
    calls = []
    monkeypatch.setattr(integrity, "check_hashes", lambda *a: calls.append(a))
    verdicts.check(folder)
    assert calls == []  # hashed already for this manifest
    (folder / "a.bin").write_bytes(b"short")
    with pytest.raises(CorruptError, match="bytes"):
        verdicts.check(folder)  # sizes: every time


def test_a_large_folder_is_hashed_in_the_background(folder):
    (folder / "a.bin").write_bytes(b"alphA" * 100)  # garbled, same size
    verdicts = integrity._Verdicts()
    verdicts.check(folder, background=True)  # returns at once: sizes are fine
    deadline = time.monotonic() + 10
    while verdicts.failure(folder) is None:
        assert time.monotonic() < deadline, "the background check never reported"
        time.sleep(0.01)
    assert "checksum" in verdicts.failure(folder)
    with pytest.raises(CorruptError, match="checksum"):
        verdicts.check(folder)


def test_refresh_lists_new_files_but_never_blesses_a_changed_one(folder):
    (folder / "c.bin").write_bytes(b"a new segment")
    refresh_manifest(folder)
    assert "c.bin" in read_manifest(folder).files
    verify(folder)
    (folder / "a.bin").write_bytes(b"truncated")
    with pytest.raises(CorruptError, match="a.bin"):
        refresh_manifest(folder)
    with pytest.raises(CorruptError):
        verify(folder)


def test_an_index_tolerates_a_writers_uncommitted_files_but_not_an_unlisted_toc(tmp_path):
    site = copy_site(tmp_path)
    live = current_dir(site.index_dir)
    (live / "MAIN_abc.pst").write_bytes(b"a writer at work")
    verify(live)
    (live / "_MAIN_99.toc").write_bytes(b"a table of contents nobody listed")
    with pytest.raises(CorruptError, match="_MAIN_99.toc"):
        verify(live)


def test_editor_saves_keep_the_manifest_true(tmp_path):
    site = copy_site(tmp_path)
    idx = SearchIndex.open(site.index_dir)
    summary = make_summaries(1, seed=99)[0]
    summary.id, summary.title = "2025-01-manifest-check", "Zqmanifestword in a title"
    idx.add_or_replace(summary)
    idx.delete(site.summaries()[3].id)
    verify(current_dir(site.index_dir))  # what a new process checks on opening
    fresh = SearchIndex.open(site.index_dir)
    assert [h.id for h in fresh.search(SearchRequest(q="zqmanifestword")).hits] == [summary.id]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_next_build_removes_what_killed_builds_left(tmp_path):
    site = copy_site(tmp_path)
    index = site.index_dir
    dead, alive = _dead_pid(), os.getppid()
    old = time.time() - 3600
    leftovers = {
        f".model-tmp-{dead}-x1y2": "dir",  # a model save killed mid-write
        ".model-old-0123abcd": "dir",  # a swap killed between its renames
        f"whoosh-20250101-000000-{dead}-0": "dir",  # an index build killed mid-write
        ".whoosh.current.k3j4.tmp": "file",  # an atomic write killed before its rename
    }
    kept = {
        f".model-tmp-{alive}-a1b2": "dir",  # a save still running in a live process
        ".secret_key.new1.tmp": "recent",  # too recent to be called abandoned
    }
    for name, what in {**leftovers, **kept}.items():
        path = index / name
        if what == "dir":
            path.mkdir()
            (path / "part").write_bytes(b"x")
        else:
            path.write_bytes(b"x")
        if what != "recent":
            os.utime(path, (old, old))
    live = current_dir(index).name
    result = CliRunner().invoke(pprnet, ["build", "--quiet", "--no-model", "--corpus",
                                         str(site.corpus_dir), "--index", str(index)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in index.iterdir()}
    assert not names & set(leftovers), names & set(leftovers)
    assert set(kept) <= names
    assert live in names  # the previous index stays for readers still on it


def test_sweep_spares_what_a_build_started_after_it_made(tmp_path):
    started = time.time()
    later = tmp_path / f".model-tmp-{_dead_pid()}-zz"
    later.mkdir()
    os.utime(later, (started + 5, started + 5))
    assert sweep_temporaries(tmp_path, started) == []
    assert later.exists()


def test_only_a_server_hashes_large_folders_in_the_background(folder, monkeypatch):
    monkeypatch.setattr(integrity, "SYNC_HASH_BYTES", 10)  # every folder is "large"
    (folder / "a.bin").write_bytes(b"alphA" * 100)
    command = integrity._Verdicts()  # a one-shot command: checks before answering
    with pytest.raises(CorruptError, match="checksum"):
        command.check(folder)
    server = integrity._Verdicts()
    server.allow_background = True  # as create_app sets it
    server.check(folder)  # sizes pass; the hashes are checked in a thread
    deadline = time.monotonic() + 10
    while server.failure(folder) is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
