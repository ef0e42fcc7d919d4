"""Spelling corrections two edits away: ``alience`` finds ``alliance``.

One edit covers most slips; a long word mistyped twice (a letter doubled and one
swapped, "mindfullnes") found nothing and offered nothing. The two-edit search must find
exactly the known words within two edits (checked against a brute-force scan), must not
reach for them when one edit will do, and must leave short words and rare known words
(names) alone.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from explorer.corpus import load_taxonomy
from explorer.records import Citation, Summary
from explorer.search import SearchIndex, SearchRequest, build_index
from explorer.search.spelling import TWO_EDIT_MIN_LENGTH, TwoEdits, correct_word, edit_distance

VOCABULARY = {"alliance", "therapy", "therapist", "therapeutic", "psychotherapy",
              "mindfulness", "countertransference", "patience", "science", "silence",
              "depression", "goldfried", "rupture", "repair", "outcome", "outcomes"}


@pytest.mark.parametrize(("a", "b", "distance"), [
    ("alliance", "alliance", 0), ("alience", "alliance", 2), ("ab", "ba", 1),
    ("kitten", "sitting", 3), ("", "abc", 3), ("theraphy", "therapy", 1),
    ("mindfullnes", "mindfulness", 2), ("ca", "abc", 3),
])
def test_edit_distance_counts_insertions_deletions_substitutions_and_swaps(
        a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_near_words_are_exactly_those_within_two_edits() -> None:
    """Against a scan of every word: no word within two edits is missed (the letter-count
    filter is a lower bound), none further away is kept."""
    rng = random.Random(5)
    words = sorted({"".join(rng.choice("aeilnrst") for _ in range(rng.randint(3, 11)))
                    for _ in range(800)})
    two = TwoEdits(words)
    eligible = [w for w in words if len(w) >= TWO_EDIT_MIN_LENGTH - 2]
    for _ in range(150):
        word = rng.choice(words)
        for _ in range(rng.randint(0, 3)):  # up to three random slips
            i = rng.randrange(len(word) + 1)
            slip = rng.choice(["insert", "delete", "replace", "swap"])
            if slip == "insert":
                word = word[:i] + rng.choice(string.ascii_lowercase) + word[i:]
            elif slip == "delete" and i < len(word):
                word = word[:i] + word[i + 1:]
            elif slip == "replace" and i < len(word):
                word = word[:i] + rng.choice("aeilnrst") + word[i + 1:]
            elif i + 1 < len(word):
                word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if not word:
            continue
        expected = {w for w in eligible if w != word and edit_distance(word, w) <= 2}
        assert two.near(word) == expected, word


def test_near_words_of_an_empty_vocabulary_or_a_non_word() -> None:
    assert TwoEdits([]).near("alliance") == set()
    assert TwoEdits(VOCABULARY).near("alli-ance") == set()
    assert TwoEdits(VOCABULARY).near("alliance") == set()  # itself is not a correction


def corrector(two_edits: TwoEdits | None, word: str) -> str | None:
    frequency = {"alliance": 40, "patience": 2, "science": 3, "silence": 1, "therapy": 90,
                 "therapist": 50, "therapeutic": 41, "mindfulness": 13, "goldfried": 1,
                 "depression": 62, "psychotherapy": 170}
    return correct_word(word, lambda w: w in VOCABULARY, lambda w: frequency.get(w, 1),
                        rare=3, two_edits=None if two_edits is None else lambda: two_edits)


def test_a_long_word_two_edits_away_is_corrected_to_the_commonest() -> None:
    two = TwoEdits(VOCABULARY)
    assert corrector(two, "alience") == "alliance"  # also 2 from patience, science, silence
    assert corrector(two, "mindfullnes") == "mindfulness"
    assert corrector(two, "psycoterapy") == "psychotherapy"
    assert corrector(None, "alience") is None  # without it: one edit only, as before


def test_one_edit_wins_over_two_and_short_or_known_words_stay() -> None:
    two = TwoEdits(VOCABULARY)
    assert corrector(two, "therapyy") == "therapy"  # one edit; "therapist" is two
    assert corrector(two, "thrapi") is None  # 6 letters: two edits change too much of it
    assert corrector(two, "goldfried") is None  # a known name, however rare
    assert corrector(two, "qzxwvkjq") is None  # nothing near


def make(sid: str, title: str, body: str) -> Summary:
    return Summary(id=sid, published="2020-01", title=title, body=body, implications="",
                   citation=Citation(authors=["Smith, A."], year="2019"),
                   topics=[], research_type="Randomized controlled trial")


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    folder: Path = tmp_path_factory.mktemp("two-edits-index")
    docs = [
        make("a", "Alliance and outcome", "The therapeutic alliance predicted outcome."),
        make("b", "Mindfulness for depression", "Mindfulness training eased depression."),
        make("c", "Alliance ruptures", "Repairing ruptures in the alliance with clients."),
    ]
    build_index(docs, folder, taxonomy=load_taxonomy())
    return SearchIndex(folder)


def test_a_search_with_a_word_two_edits_off_searches_the_correction(idx: SearchIndex) -> None:
    res = idx.search(SearchRequest(q="therapeutic alience"))
    assert (res.corrected_from, res.query) == ("therapeutic alience", "therapeutic alliance")
    assert {h.id for h in res.hits} == {"a"}
    res = idx.search(SearchRequest(q="mindfullnes"))
    assert res.query == "mindfulness" and {h.id for h in res.hits} == {"b"}


def test_a_short_word_two_edits_off_is_not_guessed(idx: SearchIndex) -> None:
    res = idx.search(SearchRequest(q="alianc"))  # six letters, two edits from alliance
    assert res.corrected_from is None and res.total == 0
