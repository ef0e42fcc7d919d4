"""The per-generation memory of evaluated words, and the spelling corrector's shortcut.

A word's evaluation is kept and shared between searches, so a search must get its own
copy (combining results in place must not change the next search) and still note the
word's highlight terms every time.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explorer import textproc
from explorer.corpus import load_taxonomy
from explorer.records import Citation, Summary
from explorer.search import SearchIndex, SearchRequest, build_index
from explorer.search.spelling import edits1
from explorer.search.words import match_word

TAXONOMY = load_taxonomy()


def make(sid: str, title: str, body: str) -> Summary:
    return Summary(id=sid, published="2020-01", title=title, body=body, implications="",
                   citation=Citation(authors=["Smith, A."], year="2019"),
                   topics=[], research_type="Randomized controlled trial")


DOCS = [
    make("a", "Alliance and outcome", "The alliance predicted outcome for clients."),
    make("b", "Patients and empathy", "Empathy helped patients in therapy."),
    make("c", "Group work", "Group therapy for anxiety; the alliance mattered less."),
]


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    folder: Path = tmp_path_factory.mktemp("words-index")
    build_index(DOCS, folder, taxonomy=TAXONOMY)
    return SearchIndex.open(folder)


def page(idx: SearchIndex, query: str) -> list[tuple[str, str, str]]:
    res = idx.search(SearchRequest(q=query))
    return [(h.id, h.title_html, h.snippet_html) for h in res.hits]


def test_a_remembered_word_answers_like_the_first_time(idx: SearchIndex) -> None:
    first = page(idx, "alliance")
    assert [h[0] for h in first] == ["a", "c"]
    assert "<mark>Alliance</mark>" in first[0][1]
    for _ in range(3):  # from the memory now, mixed with other words
        assert page(idx, "alliance") == first
        assert {h[0] for h in page(idx, "alliance -group")} == {"a"}
    # a synonym's document is found through the remembered word too, and marked
    clients = page(idx, "clients")
    assert {h[0] for h in clients} == {"a", "b"}
    assert any("<mark>patients</mark>" in h[2] for h in clients)


def test_callers_get_copies_of_the_remembered_result(idx: SearchIndex) -> None:
    snap = idx._snapshot(idx._searcher())
    one = match_word(snap, "alliance", None, False)
    assert one.result is not None
    kept = one.result.mask.copy()
    mine = one.result.copy()
    mine.mask[:] = False
    assert (match_word(snap, "alliance", None, False).result.mask == kept).all()
    assert match_word(snap, "alliance", None, False) is one  # remembered


def test_spelling_shortcut_never_skips_a_word_that_normalises() -> None:
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    words: set[str] = set()
    for path in sorted(corpus.glob("*.md"))[:60]:
        words |= set(re.findall(r"[a-z]+", path.read_text(encoding="utf-8").lower()))
    words |= set(textproc.SPELLINGS) | {"behaviour", "organise", "colour", "paediatric"}
    candidates = set(words)
    for word in sorted(words)[:200]:
        candidates |= edits1(word)
    missed = [w for w in candidates if w.isalpha() and w.isascii()
              and textproc.normalize_spelling(w) != w and not textproc.spelling_may_differ(w)]
    assert missed == []
