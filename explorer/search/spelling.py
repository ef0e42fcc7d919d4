"""'Did you mean': corrections for query words the archive never uses.

A word is known when its index term (textproc's stem) is in the index's lexicon, so the
vocabulary needs no field of its own and follows incremental updates. Candidates are the
words one edit away (deletion, transposition, substitution, insertion: ``allaince`` ->
``alliance``) whose term the index knows; the one found in most documents wins. A long
word with no known word one edit away may be two away (``alience`` -> ``alliance``): the
caller can pass `TwoEdits`, which finds those by their letter counts.
Whether the corrected query is worth offering (it must find more) is decided by the
caller, which runs it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np

from explorer.textproc import STOP_WORDS

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORD_RE = re.compile(r"^[a-z]+$")
# Two edits change too much of a short word ("tape" -> "type", "rape"): only words this
# long get a correction two edits away, and only when none is one edit away.
TWO_EDIT_MIN_LENGTH = 7


def edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + transposes + replaces + inserts)


def edit_distance(a: str, b: str) -> int:
    """Edits (insertion, deletion, substitution, swap of neighbours) from ``a`` to ``b``:
    the optimal string alignment distance."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


class TwoEdits:
    """The known words two edits from a word, found without making its ~100 000 two-edit
    variants or filing every word under each of its deletions (SymSpell's way: ten
    dictionary keys a word, which a large archive's vocabulary turns into millions).

    Each known word is kept as its letter counts: one row of 26 small integers. An edit
    changes a word's letter counts by at most one letter each way (a swap of neighbours
    not at all), so a word two edits away has at most two letters more and two fewer:
    one pass over the array keeps those few, and `edit_distance` checks them. Made once
    per index generation, from words long enough to be offered (`TWO_EDIT_MIN_LENGTH`
    less two letters).
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._words = sorted(w for w in vocabulary
                             if len(w) >= TWO_EDIT_MIN_LENGTH - 2 and _WORD_RE.match(w))
        self._lengths = np.fromiter(map(len, self._words), dtype=np.int16,
                                    count=len(self._words))
        self._counts = _letter_counts(self._words, self._lengths)

    def near(self, word: str) -> set[str]:
        """Known words at most two edits from ``word`` (``word`` itself aside)."""
        if not self._words or not _WORD_RE.match(word):
            return set()
        rows = np.flatnonzero(np.abs(self._lengths - len(word)) <= 2)
        mine = _letter_counts([word], np.array([len(word)], dtype=np.int16))[0]
        diff = self._counts[rows] - mine
        more = np.where(diff > 0, diff, 0).sum(axis=1)
        fewer = np.where(diff < 0, -diff, 0).sum(axis=1)
        kept = rows[np.maximum(more, fewer) <= 2].tolist()
        return {w for w in (self._words[i] for i in kept)
                if w != word and edit_distance(word, w) <= 2}


def _letter_counts(words: list[str], lengths: np.ndarray) -> np.ndarray:
    """How often each of a-z occurs in each word: one row per word."""
    if not words:
        return np.zeros((0, 26), dtype=np.int16)
    letters = np.frombuffer("".join(words).encode("ascii"), dtype=np.uint8).astype(np.intp)
    rows = np.repeat(np.arange(len(words)), lengths)
    flat = np.bincount(rows * 26 + letters - ord("a"), minlength=len(words) * 26)
    return flat.reshape(len(words), 26).astype(np.int16)


def correct_word(
    word: str, known: Callable[[str], bool], frequency: Callable[[str], int],
    rare: int = 0, two_edits: Callable[[], TwoEdits] | None = None,
    known_among: Callable[[set[str]], Iterable[str]] | None = None,
) -> str | None:
    """A likelier known word for ``word``, or None when it is fine or hopeless.

    ``rare``: a known word found in at most this many documents may be a misspelling
    that happens to occur ("therapst" in one summary) and gets a correction too, if the
    correction is found in more documents. ``two_edits``: where an unknown word of at
    least `TWO_EDIT_MIN_LENGTH` letters has no known word one edit away, look two away
    (not for a rare known word: a name used once is likelier than a two-letter slip);
    called only then, so the words it files are made only for a query that needs them.
    ``known_among``: the known words of a set, as ``known`` would pick them, for a caller
    that can test the ~400 candidates of a word at once (a set intersection) rather than
    one call each."""
    low = word.lower()
    if not 4 <= len(low) <= 30 or not _WORD_RE.match(low) or low in STOP_WORDS:
        return None
    own = frequency(low) if known(low) else 0
    if known(low) and own > rare:
        return None
    def likelier(words: set[str]) -> list[str]:
        found = known_among(words) if known_among else (w for w in words if known(w))
        return [w for w in found if w not in STOP_WORDS and frequency(w) > own]

    candidates = likelier(edits1(low))
    if (not candidates and two_edits is not None and not own
            and len(low) >= TWO_EDIT_MIN_LENGTH):
        candidates = likelier(two_edits().near(low))
    if not candidates:
        return None
    return max(candidates, key=lambda w: (frequency(w), w))


def correct_query(
    text: str, words: list[str], known: Callable[[str], bool], frequency: Callable[[str], int],
    rare: int = 0, two_edits: Callable[[], TwoEdits] | None = None,
    known_among: Callable[[set[str]], Iterable[str]] | None = None,
) -> str | None:
    """``text`` with misspelled ``words`` replaced, or None when nothing changed."""
    corrected = text
    changed = False
    for word in dict.fromkeys(words):
        for part in re.findall(r"[A-Za-z]+", word):
            fix = correct_word(part, known, frequency, rare, two_edits, known_among)
            if fix is None:
                continue
            if part[:1].isupper():
                fix = fix.capitalize()
            corrected = re.sub(rf"(?<![A-Za-z]){re.escape(part)}(?![A-Za-z])", fix, corrected)
            changed = True
    return corrected if changed and corrected != text else None
