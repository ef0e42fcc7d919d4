"""The importer registry: `pprnet import` finds importers by name (--format) or suffix,
so a new format is one module and one registry entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.corpus import load_corpus
from explorer.importers import blog_page, registry
from explorer.importers.base import ImportedSummary, Importer, ImportResult
from explorer.records import Summary
from tests.conftest import SEED_PAGE


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_blog_pages_are_found_by_name_and_by_suffix():
    assert registry.by_name("blog-page") is blog_page.IMPORTER
    for name in ("a.txt", "b.HTML", "c.htm"):
        assert registry.for_path(Path(name)) is blog_page.IMPORTER
    assert set(registry.suffixes()) >= {".txt", ".html", ".htm"}


def test_a_file_no_importer_claims_goes_to_the_default():
    assert registry.for_path(Path("page.saved")).name == registry.DEFAULT == "blog-page"


def test_unknown_name_is_one_clear_error():
    with pytest.raises(ValueError, match=r"unknown import format 'ris' \(known: blog-page\)"):
        registry.by_name("ris")


def test_the_blog_importer_reads_html_as_its_text(seed_text):
    as_text = blog_page.IMPORTER.read(seed_text)
    html = "<html><body>" + "".join(f"<p>{ln}</p>" for ln in seed_text.splitlines()) + "</body></html>"
    as_html = blog_page.IMPORTER.read(html)
    assert [i.summary.id for i in as_html.summaries] == [i.summary.id for i in as_text.summaries]
    assert len(as_text.summaries) == 6


def _one_line_importer() -> Importer:
    """A toy format: each line 'id|title|body' is one summary."""

    def read(text: str) -> ImportResult:
        result = ImportResult()
        for n, line in enumerate(text.splitlines(), start=1):
            summary_id, title, body = line.split("|")
            summary = Summary(id=summary_id, published="2024-01", title=title, body=body,
                              implications="Use it.")
            result.summaries.append(ImportedSummary(summary, n))
        return result

    return Importer("pipes", (".pipes",), read, "id|title|body lines")


def test_a_registered_importer_is_used_by_suffix_in_folders_and_by_format(tmp_path, monkeypatch):
    monkeypatch.setitem(registry.IMPORTERS, "pipes", _one_line_importer())
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.pipes").write_text("2024-01-one|One|First body text.\n", encoding="utf-8")
    out = tmp_path / "out"
    res = run("import", str(pages), "--out", str(out))
    assert res.exit_code == 0, res.output
    assert [s.id for s in load_corpus(out).summaries] == ["2024-01-one"]
    # by name, whatever the file is called; --format narrows a folder to its suffixes
    (pages / "b.txt").write_text("2024-01-two|Two|Second body text.\n", encoding="utf-8")
    only = run("import", str(pages / "b.txt"), "--out", str(out), "--format", "pipes")
    assert only.exit_code == 0, only.output
    assert {s.id for s in load_corpus(out).summaries} == {"2024-01-one", "2024-01-two"}


def test_an_unknown_format_exits_2(tmp_path):
    res = run("import", str(SEED_PAGE), "--out", str(tmp_path), "--format", "nope")
    assert res.exit_code == 2 and "'nope'" in res.output
