"""Compounds written open and names typed without their accents.

"drop-out" is in the vocabulary file, so `dropout` finds the summaries that say "drop
out" or "dropped out", though "out" is a stop word that no field keeps; a name typed
without its accent is found and marked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explorer import textproc
from explorer.corpus import load_taxonomy
from explorer.records import Citation, Summary
from explorer.search import SearchIndex, SearchRequest, build_index
from explorer.search.analysis import query_terms
from explorer.search.highlight import find_spans

TAXONOMY = load_taxonomy()


def make(sid: str, title: str, body: str, authors: tuple[str, ...] = ("Smith, A.",)
         ) -> Summary:
    return Summary(id=sid, published="2020-01", title=title, body=body, implications="",
                   citation=Citation(authors=list(authors), year="2019", title=None,
                                     journal="Journal of Tests"),
                   topics=[], research_type="Randomized controlled trial")


DOCS = [
    make("open", "Why some leave early", "Many clients drop out of therapy after one visit."),
    make("inflected", "Leaving treatment", "A third of the patients dropped out before week 4."),
    make("hyphen", "Reducing drop-out", "Fewer left the programme early."),
    make("unrelated", "Blood pressure", "A drop in blood pressure was found. Out of range."),
    make("followup", "Long term", "Patients were followed up for two years."),
    make("accent", "Motivation in Spanish-speaking clients",
         "Muñoz and colleagues adapted the treatment.", authors=("Muñoz, R. F.",)),
]


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    folder: Path = tmp_path_factory.mktemp("compounds-index")
    build_index(DOCS, folder, taxonomy=TAXONOMY)
    return SearchIndex.open(folder)


def ids(idx: SearchIndex, query: str) -> set[str]:
    return {h.id for h in idx.search(SearchRequest(q=query, per_page=50)).hits}


def test_open_compounds_come_from_the_vocabulary_file() -> None:
    pairs = textproc.open_compounds()
    hyphenated = set(re.findall(r"\b([a-z]+)-([a-z]+)\b", textproc.SYNONYMS_FILE.read_text()))
    assert hyphenated, "the vocabulary file has hyphenated words"
    for first, second in hyphenated:
        assert pairs[(textproc.stem(first), second)] == textproc.stem(first + second)
    assert textproc.open_compound("dropped", "out") == textproc.stem("dropout")
    assert textproc.open_compound("drop", "in") is None


def test_dropout_finds_the_open_and_inflected_forms(idx: SearchIndex) -> None:
    assert ids(idx, "dropout") == {"open", "inflected", "hyphen"}
    assert ids(idx, "drop-out") == {"open", "inflected", "hyphen"}
    assert "unrelated" not in ids(idx, "dropout")  # "drop" and "out" apart are not it


def test_follow_up_written_open(idx: SearchIndex) -> None:
    assert "followup" in ids(idx, "follow-up")


def test_open_compound_is_highlighted(idx: SearchIndex) -> None:
    hits = {h.id: h for h in idx.search(SearchRequest(q="dropout")).hits}
    assert "<mark>drop out</mark>" in hits["open"].snippet_html
    assert "<mark>dropped out</mark>" in hits["inflected"].snippet_html
    assert "<mark>drop-out</mark>" in hits["hyphen"].title_html


def test_name_typed_without_its_accent_is_found_and_marked(idx: SearchIndex) -> None:
    res = idx.search(SearchRequest(q="munoz"))
    assert [h.id for h in res.hits] == ["accent"]
    assert "<mark>Muñoz</mark>" in res.hits[0].snippet_html


@pytest.mark.parametrize(("text", "query", "marked"), [
    ("Grawe and Muñoz wrote it.", "munoz", ["Muñoz"]),
    ("Grawe and Muñoz wrote it.", "grawe", ["Grawe"]),
    ("Ångström’s idea", "angstrom", ["Ångström’s"]),
    ("Straße und Ärzte", "arzte", ["Ärzte"]),  # a longer fold (ß) keeps offsets right
])
def test_accents_fold_in_highlights(text: str, query: str, marked: list[str]) -> None:
    spans = find_spans(text, frozenset(query_terms(query)))
    assert [text[s:e] for s, e in spans] == marked
