"""The blog-page importer on the real seed page, and `pprnet import/check/dump` end to end."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from explorer.cli import main
from explorer.importers.blog_page import import_blog_page
from tests.conftest import SEED_PAGE

EXPECTED = [  # (month, DOI or None, first author, year, journal)
    (
        "2023-12",
        "10.1037/cou0000708",
        "Stolowicz-Melman, D.",
        "2023",
        "Journal of Counseling Psychology",
    ),
    ("2023-11", "10.1037/pst0000503", "Alfonsson, S.", "2023", "Psychotherapy"),
    (
        "2023-11",
        "10.1037/ccp0000853",
        "Finsrud, I.",
        "2023",
        "Journal of Consulting and Clinical Psychology",
    ),
    ("2023-06", "10.1186/s12888-021-03588-2", "McQuaid, A.", "2021", "BMC Psychiatry"),
    ("2023-01", None, None, None, None),
    ("2022-10", None, "Lin, T.", "2021", "Psychotherapy"),
]


def test_seed_gives_exactly_six_summaries(seed_text):
    result = import_blog_page(seed_text)
    got = [
        (
            i.summary.published,
            i.summary.citation.doi,
            (i.summary.citation.authors or [None])[0],
            i.summary.citation.year,
            i.summary.citation.journal,
        )
        for i in result.summaries
    ]
    assert got == EXPECTED


def test_seed_titles_bodies_and_implications(seed_text):
    items = [i.summary for i in import_blog_page(seed_text).summaries]
    assert items[1].title == "Therapist Qualities That Lead to Treatment Failure or Termination"
    assert items[0].title.startswith("Is empathic accuracy enough?")
    assert not items[0].title.endswith(".")
    for s in items:
        assert len(s.body.split()) > 100 and len(s.implications.split()) > 40
        assert "Practice Implications" not in s.body
        assert s.topics == [] and s.research_type is None
        assert re.fullmatch(r"[a-z0-9-]+", s.id) and s.id.startswith(s.published)
    # The topic sidebar and the intro are boilerplate, never part of a summary.
    assert all("Adherance" not in s.body for s in items)
    assert len({s.id for s in items}) == 6


def test_missing_citation_is_a_warning(seed_text):
    result = import_blog_page(seed_text)
    assert any("no citation line" in w and "Microaggressions" in w for w in result.warnings)
    jan = [i.summary for i in result.summaries if i.summary.published == "2023-01"][0]
    assert jan.citation.is_empty()


def test_page_without_months_gives_nothing():
    result = import_blog_page("Blog\nSome intro.\n")
    assert result.summaries == [] and result.warnings


def test_two_summaries_without_citations_split_on_short_heading():
    page = "\n".join(
        [
            "March 2019",
            "First Heading",
            "Body of the first summary, which is long enough to be a paragraph of prose text here.",
            "Practice Implications",
            "Implications of the first summary, also a full paragraph of words for clinicians to read.",
            "Second Heading",
            "Body of the second summary, again a paragraph of prose that goes on for a while.",
            "Practice Implications",
            "Implications of the second.",
        ]
    )
    items = [i.summary for i in import_blog_page(page).summaries]
    assert [s.title for s in items] == ["First Heading", "Second Heading"]
    assert items[0].implications.startswith("Implications of the first")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_import_is_idempotent_and_updates_edited_text(tmp_path):
    out = tmp_path / "x"
    first = run("import", str(SEED_PAGE), "--out", str(out))
    assert first.exit_code == 0, first.output
    assert "6 created" in first.output
    files = sorted(p.name for p in out.glob("*.md"))
    snapshot = {p: (out / p).read_bytes() for p in files}
    second = run("import", str(SEED_PAGE), "--out", str(out))
    assert second.exit_code == 0 and "6 unchanged" in second.output
    assert {p: (out / p).read_bytes() for p in files} == snapshot
    # A file whose text was changed since: the page's text wins, reported as updated.
    victim = out / files[0]
    victim.write_text(
        victim.read_text().replace("Practice Implications\n", "Practice Implications\nEdited. ")
    )
    third = run("import", str(SEED_PAGE), "--out", str(out))
    assert third.exit_code == 0 and "1 updated" in third.output
    assert f"updated   {files[0][:-3]} (implications)" in third.output
    assert victim.read_bytes() == snapshot[files[0]]


def test_cli_dump_and_check_on_imported_seed(tmp_path):
    out = tmp_path / "x"
    run("import", str(SEED_PAGE), "--out", str(out))
    dumped = run("dump", "--corpus", str(out))
    assert dumped.exit_code == 0
    rows = [json.loads(line) for line in dumped.output.splitlines()]
    assert len(rows) == 6
    assert set(rows[0]) >= {
        "id",
        "published",
        "title",
        "citation",
        "topics",
        "research_type",
        "body",
        "implications",
        "path",
    }
    by_month = {r["published"]: r for r in rows}
    assert by_month["2022-10"]["citation"]["authors"][0] == "Lin, T."
    check = run("check", "--corpus", str(out))
    assert check.exit_code == 0
    assert "6 summaries" in check.output and "untagged" in check.output


def test_cli_check_lists_all_errors_and_exits_1(tmp_path):
    (tmp_path / "a.md").write_text(
        "---\nid: a\npublished: 2020-1\ntitle: x\ntopics: [Nope]\n---\nBody\n"
    )
    (tmp_path / "b.md").write_text("no front matter\n")
    result = run("check", "--corpus", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'a.md'}:3:" in result.output and f"{tmp_path / 'a.md'}:5:" in result.output
    assert f"{tmp_path / 'b.md'}:1:" in result.output


def test_cli_bad_input_is_one_line_nonzero(tmp_path):
    missing = run("check", "--corpus", str(tmp_path / "nope"))
    assert missing.exit_code != 0 and "not found" in missing.output
    assert "Traceback" not in missing.output
    bad = run("import", str(tmp_path))
    assert bad.exit_code != 0
    binary = tmp_path / "page.txt"
    binary.write_bytes(b"\xff\xfe\xfa")
    res = run("import", str(binary), "--out", str(tmp_path / "o"))
    assert res.exit_code != 0 and "UTF-8" in res.output


def test_console_script_help_runs():
    proc = subprocess.run(
        [sys.executable, "-m", "explorer.cli", "--help"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        check=False,
    )
    assert proc.returncode == 0 and "import" in proc.stdout
