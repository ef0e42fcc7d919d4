"""More like this, as a reader of one summary sees it: which summaries are offered as
similar, in which order, and how many.

The corpus is invented so that each case turns on one rule: a summary is linked to others
by its 25 most distinctive terms, where a term weighs more the more often the summary uses
it and the fewer summaries share it; terms only this summary uses (or that every summary
uses) link to nothing. Words are made up (``balkerix``...) so the text pipeline keeps each
one whole and no real word links summaries by accident.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from explorer.corpus import load_taxonomy
from explorer.records import Citation, Summary
from explorer.search import SearchIndex, build_index

TAXONOMY = load_taxonomy()

_SYLLABLES = ["bal", "ker", "mun", "dop", "sif", "tez", "vor", "gam"]
WORDS = [a + b + "ix" for a, b in itertools.product(_SYLLABLES, _SYLLABLES) if a != b]
COUNT = WORDS[:25]  # linked by count
RARE = WORDS[25:50]  # linked by rarity
MORE = [a + b + "ox" for a, b in itertools.product(_SYLLABLES, _SYLLABLES) if a != b]


def make(sid: str, body: str, *, title: str = "", implications: str = "",
         published: str = "2020-01") -> Summary:
    return Summary(id=sid, published=published, title=title or f"Note {sid}", body=body,
                   implications=implications or f"Notes for {sid}.",
                   citation=Citation(authors=["Doe, J."], year="2020", title=title),
                   topics=[], research_type=None)


CORPUS = [
    # count: 25 terms used twice link to twin; a 26th used once (and first) would link to
    # once-only
    make("count", WORDS[50] + " " + " ".join(w + " " + w for w in COUNT)),
    make("count-twin", " ".join(COUNT)),
    make("count-once-only", WORDS[50]),
    # rarity: 25 terms shared with one summary beat a 26th shared with three
    make("rare", " ".join(RARE) + " " + WORDS[51]),
    make("rare-twin", " ".join(RARE)),
    *[make(f"rare-common-{n}", WORDS[51]) for n in range(3)],
    # words of the title and the implications link too, to words anywhere in the others
    make("fields", "nothing here", title=f"On {WORDS[52]}", implications=f"Mind {WORDS[53]}."),
    make("fields-body", f"{WORDS[52]} and {WORDS[53]}"),
    make("fields-implications", "unrelated", implications=f"{WORDS[52]}."),
    make("fields-body-2", WORDS[52]),
    make("fields-implications-word", WORDS[53]),  # linked by the implications only
    # relevance: three shared words beat one, whatever the dates and ids say
    make("rank", f"{MORE[0]} {MORE[1]} {MORE[2]}"),
    make("rank-z-many", f"{MORE[0]} {MORE[1]} {MORE[2]}", published="2024-01"),
    make("rank-a-one", MORE[0], published="2015-01"),
    make("rank-b-one", MORE[0], published="2015-02"),
    # a crowd of 55 sharing one word: the list stops at 50
    *[make(f"crowd-{n:02d}", WORDS[54]) for n in range(55)],
    # a word of the body links to a summary that has it only in its title
    make("titled", MORE[54]),
    make("titled-body", MORE[54]),
    make("titled-title", MORE[55], title=f"On {MORE[54]}"),
]
LONE_SUMMARY = make("lone", " ".join(w + " " + w + " " + w for w in COUNT) + " "
                    + WORDS[55])
LONE_FRIEND = make("lone-friend", WORDS[55])


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    folder: Path = tmp_path_factory.mktemp("similar")
    build_index(CORPUS, folder, taxonomy=TAXONOMY)
    return SearchIndex.open(folder)


def similar(idx: SearchIndex, sid: str, limit: int = 5) -> list[str]:
    return [h.id for h in idx.more_like_this(sid, limit=limit)]


def test_terms_a_summary_uses_more_often_count_more(idx: SearchIndex) -> None:
    # the 25 terms used twice fill the 25 places; the one used once is left out
    assert similar(idx, "count") == ["count-twin"]


def test_rarer_shared_terms_count_more(idx: SearchIndex) -> None:
    # the 25 terms shared by two summaries outweigh the one shared by four
    assert similar(idx, "rare") == ["rare-twin"]


def test_the_summary_itself_is_never_offered(idx: SearchIndex) -> None:
    assert similar(idx, "count-twin") == ["count"]
    assert "rare-twin" not in similar(idx, "rare-twin")


def test_title_and_implications_link_to_any_field_of_the_others(idx: SearchIndex) -> None:
    found = similar(idx, "fields", limit=10)
    assert set(found) == {"fields-body", "fields-implications", "fields-body-2",
                          "fields-implications-word"}


def test_a_distinctive_word_finds_summaries_that_have_it_only_in_their_title(
        idx: SearchIndex) -> None:
    assert set(similar(idx, "titled")) == {"titled-body", "titled-title"}


def test_the_most_similar_come_first(idx: SearchIndex) -> None:
    hits = idx.more_like_this("rank")
    assert [h.id for h in hits] == ["rank-z-many", "rank-b-one", "rank-a-one"]  # ties: newest
    assert hits[0].score > hits[1].score == hits[2].score > 0


def test_the_list_is_as_long_as_asked_between_one_and_fifty(idx: SearchIndex) -> None:
    assert len(similar(idx, "crowd-00", limit=3)) == 3
    assert len(similar(idx, "crowd-00", limit=0)) == 1
    assert len(similar(idx, "crowd-00", limit=-4)) == 1
    assert len(similar(idx, "crowd-00", limit=50)) == 50
    assert len(similar(idx, "crowd-00", limit=1000)) == 50
    assert len(idx.more_like_this("crowd-00")) == 5  # the default


def test_equally_similar_summaries_come_in_a_stable_order(idx: SearchIndex) -> None:
    # every crowd member shares the one word with crowd-00: ties in id order
    assert similar(idx, "crowd-00", limit=4) == ["crowd-01", "crowd-02", "crowd-03", "crowd-04"]


def test_an_unknown_summary_has_no_similar_ones(idx: SearchIndex) -> None:
    assert idx.more_like_this("no-such-summary") == []


def test_terms_no_other_summary_uses_link_to_nothing(tmp_path: Path) -> None:
    # 25 words used three times but only here (its own index, without the "count" summaries)
    # would crowd out the one shared word
    build_index([LONE_SUMMARY, LONE_FRIEND, *CORPUS[3:9]], tmp_path / "ix", taxonomy=TAXONOMY)
    lone_idx = SearchIndex.open(tmp_path / "ix")
    assert similar(lone_idx, "lone") == ["lone-friend"]


def test_a_summary_sharing_only_words_every_summary_uses_has_no_similar_ones(
        tmp_path: Path) -> None:
    shared = "Therapists and clients met weekly."
    docs = [make(f"plain-{n}", f"{shared} {WORDS[n]}", implications=shared) for n in range(4)]
    build_index(docs, tmp_path / "ix", taxonomy=TAXONOMY)
    assert similar(SearchIndex.open(tmp_path / "ix"), "plain-0") == []


def _weighing(n_common: int) -> list[Summary]:
    """A summary using 25 words twice, each also in `n_common` others, and one word once,
    shared with one other summary; padded to 30 summaries."""
    twice, once = MORE[3:28], MORE[28]
    docs = [make("source", " ".join(w + " " + w for w in twice) + " " + once),
            make("once-friend", once),
            *[make(f"twice-friend-{n}", " ".join(twice)) for n in range(n_common)]]
    return docs + [make(f"pad-{n}", MORE[29 + n]) for n in range(30 - len(docs))]


@pytest.mark.parametrize(("n_common", "once_wins"), [(4, False), (6, True)])
def test_a_word_used_once_beats_words_used_twice_only_when_rare_enough(
        tmp_path: Path, n_common: int, once_wins: bool) -> None:
    # weight = (1 + ln uses) * ln(30 / summaries with the word): the word used once is in 2,
    # so it weighs ln 15 = 2.71; a word used twice weighs 1.69 * ln(30 / 5) = 3.03 when in 5
    # summaries (it fills the 25 places), 1.69 * ln(30 / 7) = 2.46 when in 7 (it gives one up)
    build_index(_weighing(n_common), tmp_path / "ix", taxonomy=TAXONOMY)
    found = similar(SearchIndex.open(tmp_path / "ix"), "source", limit=50)
    assert set(found) - {"once-friend"} == {f"twice-friend-{n}" for n in range(n_common)}
    assert ("once-friend" in found) is once_wins
