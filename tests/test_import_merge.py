"""`pprnet import` merges: tags survive re-imports, --dry-run writes nothing, folders work."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.corpus import load_corpus
from explorer.importers.html_text import html_to_text
from explorer.importers.merge import plan_import
from explorer.records import Citation, Summary
from tests.conftest import BUNDLED_CORPUS, SEED_PAGE

EMPATHY_ID = "2023-12-is-empathic-accuracy-enough-the-role-of-therapists-interventions-in"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(BUNDLED_CORPUS, target)
    return target


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.md"))}


def test_readme_example_on_bundled_corpus_keeps_tags(corpus_copy):
    before = {s.id: s for s in load_corpus(corpus_copy).summaries}
    res = run("import", str(SEED_PAGE), "--out", str(corpus_copy))
    assert res.exit_code == 0, res.output
    assert "6 updated" in res.output and "0 created" in res.output
    after = {s.id: s for s in load_corpus(corpus_copy).summaries}
    assert set(after) == set(before)
    for summary_id, old in before.items():
        assert after[summary_id].topics == old.topics
        assert after[summary_id].research_type == old.research_type
    empathy = after[EMPATHY_ID]
    assert empathy.topics == ["Empathy"] and empathy.research_type
    assert "congruence" in empathy.body  # the page's text replaced the archived wording
    again = run("import", str(SEED_PAGE), "--out", str(corpus_copy))
    assert again.exit_code == 0 and "6 unchanged" in again.output
    assert load_corpus(corpus_copy).summaries[0].topics  # still tagged after the second run


def test_dry_run_reports_the_same_and_writes_nothing(corpus_copy):
    snapshot = _snapshot(corpus_copy)
    dry = run("import", str(SEED_PAGE), "--out", str(corpus_copy), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing written" in dry.output
    assert _snapshot(corpus_copy) == snapshot
    real = run("import", str(SEED_PAGE), "--out", str(corpus_copy))
    lines = lambda out: [ln for ln in out.splitlines() if ln.startswith(("updated", "created"))]  # noqa: E731
    assert lines(dry.output) == lines(real.output) and len(lines(real.output)) == 6


def test_replace_tags_takes_the_pages_none(corpus_copy):
    res = run("import", str(SEED_PAGE), "--out", str(corpus_copy), "--replace-tags")
    assert res.exit_code == 0, res.output
    assert "tags" in res.output
    empathy = {s.id: s for s in load_corpus(corpus_copy).summaries}[EMPATHY_ID]
    assert empathy.topics == [] and empathy.research_type is None


def test_folder_of_pages_text_and_html(tmp_path, seed_text):
    pages = tmp_path / "pages"
    pages.mkdir()
    lines = seed_text.splitlines()
    cut = lines.index("November 2023")
    (pages / "a.txt").write_text("\n".join(lines[:cut]) + "\n", encoding="utf-8")
    html_body = "".join(f"<p>{line}</p>" for line in lines[cut:])
    (pages / "b.html").write_text(
        f"<!DOCTYPE html><html><head><style>p{{}}</style><script>x()</script></head>"
        f"<body>{html_body}</body></html>", encoding="utf-8")
    (pages / "notes.md").write_text("not a page")
    out = tmp_path / "out"
    res = run("import", str(pages), "--out", str(out))
    assert res.exit_code == 0, res.output
    assert "6 summaries from 2 pages: 6 created" in res.output
    assert len(list(out.glob("*.md"))) == 6
    # The same post in two places is one summary, reported once.
    res = run("import", str(pages), str(SEED_PAGE), "--out", str(out))
    assert res.exit_code == 0 and "6 summaries from 3 pages" in res.output
    assert "6 unchanged" in res.output


def test_empty_folder_and_damaged_target_refused(tmp_path, corpus_copy):
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run("import", str(empty), "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and "no saved pages" in res.output
    victim = corpus_copy / f"{EMPATHY_ID}.md"
    victim.write_text("---\nid: [broken\n---\n")
    snapshot = _snapshot(corpus_copy)
    res = run("import", str(SEED_PAGE), "--out", str(corpus_copy))
    assert res.exit_code == 1 and "fix it first" in res.output
    assert _snapshot(corpus_copy) == snapshot


def _summary(sid: str, title: str, doi: str | None, topics: list[str]) -> Summary:
    return Summary(id=sid, published="2020-01", title=title, body="Text.",
                   implications="Do this.", topics=topics, research_type=None,
                   citation=Citation(authors=["A, B."], year="2020", doi=doi,
                                     title="A study of many things at once", journal="J"))


def test_reworded_heading_updates_the_summary_found_by_doi():
    old = _summary("2020-01-old-heading", "Old heading", "10.1/ABC", ["Empathy"])
    new = _summary("2020-01-new-heading", "New heading", "https://doi.org/10.1/abc", [])
    [plan] = plan_import([new], [old])
    assert plan.status == "updated" and plan.matched_by == "doi"
    assert plan.summary.id == old.id and plan.summary.title == "New heading"
    assert plan.summary.topics == ["Empathy"]
    assert "matched by DOI" in plan.describe()


def test_missing_fields_on_the_page_keep_archived_values():
    old = _summary("2020-01-x", "X heading", "10.1/x", ["Empathy"])
    bare = replace(old, implications="", citation=Citation(), topics=[])
    [plan] = plan_import([bare], [old])
    assert plan.status == "unchanged"
    assert plan.summary.citation.doi == "10.1/x" and plan.summary.implications == "Do this."


def test_html_to_text_keeps_blocks_as_lines():
    text = html_to_text("<div>One &amp; two<br>three</div><ul><li>four</li></ul>"
                        "<script>var x = '<p>';</script>")
    assert text.splitlines() == ["One & two", "three", "- four"]
