"""The spelling corrector's two ways to ask whether candidate words are known.

A query word's ~400 one-edit candidates are checked against the archive's words at once
(`surface_lookups`' second function: a set intersection, then only the spellings a rule
may change, one by one). It must pick exactly the words the one-word check picks, for
plain words, British spellings the archive files under the American one (-our, -ise, the
listed ones), words with capitals, accents or apostrophes, and words whose normal form
is two words.
"""

from __future__ import annotations

import random
import string

from explorer.search.correction import surface_lookups
from explorer.search.spelling import edits1
from explorer.textproc import normalize_spelling

# the archive's words as the exact field holds them: normal (American) spellings, plus
# two that normalise to something else (they must not be taken as known by either check)
SURFACE = frozenset({
    "alliance", "behavior", "color", "realize", "organization", "analysis", "crisis",
    "therapist", "honor", "humor", "client", "posttraumatic", "wellsupervised",
    "emphasize", "mansson", "clients",
})

ODD_CANDIDATES = {
    "behaviour", "colour", "realise", "organisation", "analysis", "crisis", "honour",
    "humour", "Alliance", "Månsson", "client's", "clients'", "posttraumatic",
    "wellsupervised", "emphasise", "therapist", "therapists", "xyz", "",
}


def one_by_one(words: set[str]) -> set[str]:
    known, _ = surface_lookups(SURFACE)
    return {w for w in words if known(w)}


def at_once(words: set[str]) -> set[str]:
    _, known_among = surface_lookups(SURFACE)
    found = known_among(words)
    assert len(found) == len(set(found)), "a word was picked twice"
    return set(found)


def test_the_odd_spellings_are_picked_alike() -> None:
    assert at_once(ODD_CANDIDATES) == one_by_one(ODD_CANDIDATES)
    picked = at_once(ODD_CANDIDATES)
    assert {"behaviour", "colour", "realise", "honour", "Alliance", "Månsson"} <= picked
    # a word whose normal form is two words is unknown to the one-word check: the set
    # intersection must not let it in just because the exact field holds it
    assert normalize_spelling("posttraumatic") != "posttraumatic"
    assert "posttraumatic" not in picked


def test_the_edit_candidates_of_many_words_are_picked_alike() -> None:
    rng = random.Random(5)
    words = [*SURFACE, *ODD_CANDIDATES - {""}]
    words += ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9)))
              for _ in range(40)]
    for word in words:
        candidates = edits1(word.lower())
        assert at_once(candidates) == one_by_one(candidates), word
