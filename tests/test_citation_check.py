"""Reference fields: what counts as a year, a DOI and pages; `pprnet check` names a bad one
with path and line (a warning: the summary stays in the archive), the bundled corpus has none."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.citation_check import citation_problems, doi_problem, pages_problem, year_problem
from explorer.cli import main
from explorer.corpus import load_corpus
from explorer.records import Citation
from tests.test_corpus import GOOD

BUNDLED = Path(__file__).resolve().parent.parent / "corpus"


@pytest.mark.parametrize("year", ["2013", "2015a", "in press", "In press", "n.d.", None, ""])
def test_real_years_pass(year):
    assert year_problem(year) is None


@pytest.mark.parametrize("year", ["abcd", "13", "2013-2014", "20133", "May 2013"])
def test_malformed_years_are_named(year):
    assert f"year {year!r} is not a year" in year_problem(year)


@pytest.mark.parametrize("doi", ["10.1037/a0029564", "10.1371/journal.pone.0033745",
                                 "https://doi.org/10.1080/10503307.2012.673023",
                                 "10.1002/(SICI)1097-4679(199901)55:1<1::AID-JCLP1>3.0.CO;2-R",
                                 "doi:10.1159/000107560", None])
def test_real_dois_pass(doi):
    assert doi_problem(doi) is None


@pytest.mark.parametrize("doi", ["not a doi", "10.1037/a 0029564", "11.1037/x", "10.abc/x",
                                 "10.1037/"])
def test_malformed_dois_are_named(doi):
    assert "is not a DOI" in doi_problem(doi)


@pytest.mark.parametrize("pages", ["123-145", "123–145", "e0123", "1–12", "937–947.e4", "21",
                                   "S12-S19", "xi-xv", "Article e0123", "12-14, 18-20"])
def test_real_pages_pass(pages):
    assert pages_problem(pages) is None


@pytest.mark.parametrize("pages", ["zzz", "12 to 14", "pages", "12--", "?"])
def test_malformed_pages_are_named(pages):
    assert "are not page numbers" in pages_problem(pages)


def test_every_bundled_reference_passes():
    summaries = load_corpus(BUNDLED).summaries
    assert summaries
    assert {s.id: citation_problems(s.citation) for s in summaries
            if citation_problems(s.citation)} == {}


def test_check_reports_bad_fields_with_path_and_line(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    bad = (GOOD.replace("year: 2019", "year: abcd").replace('doi: "10.1037/xyz"',
           'doi: "not a doi"\n  pages: "zzz"'))
    path = corpus / "2020-01-good.md"
    path.write_text(bad, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--quiet", "--corpus", str(corpus)])
    lines = result.output.splitlines()
    assert f"{path}:8: warning: citation year 'abcd' is not a year" in "\n".join(lines)
    assert any(x.startswith(f"{path}:11: warning: citation DOI 'not a doi'") for x in lines)
    assert any(x.startswith(f"{path}:12: warning: citation pages 'zzz'") for x in lines)
    assert "0 error(s), 3 warning(s)" in result.output
    # one bad field does not take the summary out of the archive
    assert [s.id for s in load_corpus(corpus).summaries] == ["2020-01-good"]


def test_a_clean_citation_has_no_problems():
    assert citation_problems(Citation(year="2019", doi="10.1037/xyz", pages="1-2")) == {}
