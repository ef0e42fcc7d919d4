"""A DOI or a reference pasted into the search box finds the summary of that article, and
only what the pasted text names (not every summary sharing a word of the reference)."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.records import Citation, Summary
from explorer.search import SearchIndex, SearchRequest, SearchResponse, build_index


def make(sid: str, title: str, cited: str, doi: str | None) -> Summary:
    return Summary(id=sid, published="2020-01", title=title,
                   body=f"On {cited.lower()}.",
                   implications="Consider it.",
                   citation=Citation(authors=["Doe, J."], year="2019", title=cited,
                                     journal="Journal of Tests", doi=doi),
                   topics=[], research_type=None)


DOCS = [
    make("protocols", "Manuals in practice", "Imperfect protocols in pragmatic guidelines",
         "10.1037/abc0000123"),
    make("ruptures", "Repairing ruptures", "Rupture repair in brief therapy",
         "10.1080/10503307.2020.1"),
    make("guidelines", "What guidelines say", "Stepped care for clinicians in schools", None),
    make("journal", "Journal clubs", "Reading journal articles with trainees", None),
]


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    folder: Path = tmp_path_factory.mktemp("pasted")
    build_index(DOCS, folder)
    return SearchIndex.open(folder)


def run(idx: SearchIndex, text: str) -> SearchResponse:
    return idx.search(SearchRequest(q=text, per_page=50))


def ids(res: SearchResponse) -> list[str]:
    return [h.id for h in res.hits]


@pytest.mark.parametrize("text", ["10.1037/abc0000123", "doi:10.1037/ABC0000123",
                                  "https://doi.org/10.1037/abc0000123",
                                  "see 10.1037/abc0000123."])
def test_a_doi_finds_only_its_summary(idx: SearchIndex, text: str) -> None:
    assert ids(run(idx, text)) == ["protocols"]


def test_an_unknown_doi_finds_nothing(idx: SearchIndex) -> None:
    assert ids(run(idx, "10.9999/none.1")) == []


def test_a_reference_finds_the_article_by_doi_and_by_title(idx: SearchIndex) -> None:
    # the DOI names one summary; the title's words name another whose citation lacks a DOI
    ref = ("Doe, J. (2019). Stepped care for clinicians in schools. Journal of Tests, 1(2), 3-4. "
           "https://doi.org/10.1080/10503307.2020.1")
    assert set(ids(run(idx, ref))) == {"ruptures", "guidelines"}


def test_a_reference_without_a_doi_is_searched_by_its_title_words(idx: SearchIndex) -> None:
    ref = "Doe, J. (2019). Imperfect protocols in pragmatic guidelines. Journal of Tests, 1, 3."
    res = run(idx, ref)
    # all title words: not "guidelines", which has only some of them, nor "journal" (a
    # word of the journal's name, not of the title)
    assert ids(res) == ["protocols"]
    assert res.query == ref and res.corrected_from is None and res.did_you_mean is None


def test_a_reference_with_a_misspelt_title_is_not_corrected(idx: SearchIndex) -> None:
    ref = "Doe, J. (2019). Imperfekt protocols in pragmatik guidelines. Journal of Tests, 1, 3."
    res = run(idx, ref)
    assert ids(res) == ["protocols"]  # most of the title's words are enough
    assert res.corrected_from is None and res.did_you_mean is None
