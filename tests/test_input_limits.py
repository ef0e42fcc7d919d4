"""Limits on input files: a summary over 200 KB, and import files that are too large or
not text, are refused with one line naming the file (issue #16). SECURITY.md states them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.corpus import MAX_SUMMARY_BYTES, CorpusError, load_corpus, write_summary
from explorer.importers.source import MAX_IMPORT_BYTES, read_import_file
from tests.test_corpus import GOOD
from tests.web_helpers import make_summaries

REPO = Path(__file__).resolve().parent.parent


def _big_summary(folder: Path, size: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2020-01-good.md").write_text(GOOD)
    filler = "Therapists and clients talked about the working alliance. "
    body = GOOD.replace("The body text.", filler * (size // len(filler) + 1))
    path = folder / "2020-02-huge.md"
    path.write_text(body.replace("2020-01-good", "2020-02-huge"))
    return path


def test_a_summary_over_the_limit_is_a_check_error_with_path_and_size(tmp_path):
    path = _big_summary(tmp_path / "corpus", MAX_SUMMARY_BYTES + 10)
    size = path.stat().st_size
    result = CliRunner().invoke(main, ["check", "--quiet", "--corpus", str(tmp_path / "corpus")])
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if "huge" in x)
    assert line.startswith(f"{path}:1: ")
    assert f"{size:,} bytes" in line and "200 KB" in line
    assert [s.id for s in load_corpus(tmp_path / "corpus").summaries] == ["2020-01-good"]
    build = CliRunner().invoke(main, ["build", "--quiet", "--corpus", str(tmp_path / "corpus"),
                                      "--index", str(tmp_path / "index")])
    assert build.exit_code == 1 and "huge" in build.output  # a build is refused too


def test_a_summary_just_under_the_limit_is_fine(tmp_path):
    path = _big_summary(tmp_path / "corpus", MAX_SUMMARY_BYTES - 2000)
    assert path.stat().st_size <= MAX_SUMMARY_BYTES
    assert len(load_corpus(tmp_path / "corpus").summaries) == 2


def test_the_editor_cannot_save_what_the_loader_would_refuse(tmp_path):
    summary = make_summaries(1)[0]
    summary.body = "A long paste. " * (MAX_SUMMARY_BYTES // 14 + 1)
    with pytest.raises(CorpusError, match="200 KB"):
        write_summary(summary, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("make, message", [
    (lambda tmp: Path("/dev/zero"), "not a regular file"),
    (lambda tmp: tmp, "not a regular file"),
    (lambda tmp: _write(tmp / "nul.txt", b"June 2020\n\x00\x00binary"), "not text"),
    (lambda tmp: _write(tmp / "latin1.txt", "Caf\xe9".encode("latin-1")), "not UTF-8 text"),
    (lambda tmp: _write(tmp / "big.txt", b"a" * (MAX_IMPORT_BYTES + 1)), "over the 5 MB limit"),
])
def test_import_refuses_with_one_line(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(CorpusError, match=message) as info:
        read_import_file(path)
    assert str(info.value).startswith(f"{path}: ") and "\n" not in str(info.value)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_pprnet_import_dev_zero_is_one_line_not_a_memory_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "explorer.cli", "import", "/dev/zero", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=60, cwd=REPO, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "pprnet: error: /dev/zero: not a regular file (a device, pipe or folder): "
        "import a saved text file"]
    assert list(tmp_path.iterdir()) == []


def test_the_seed_page_still_imports(tmp_path, seed_text):
    page = tmp_path / "page.txt"
    page.write_text(seed_text)
    assert read_import_file(page) == seed_text
