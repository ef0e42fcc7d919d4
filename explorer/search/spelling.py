"""'Did you mean': corrections for query words the archive never uses.

A word is known when its index term (textproc's stem) is in the index's lexicon, so the
vocabulary needs no field of its own and follows incremental updates. Candidates are the
words one edit away (deletion, transposition, substitution, insertion: ``allaince`` ->
``alliance``) whose term the index knows; the one found in most documents wins.
Whether the corrected query is worth offering (it must find more) is decided by the
caller, which runs it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from explorer.textproc import STOP_WORDS

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORD_RE = re.compile(r"^[a-z]+$")


def edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + transposes + replaces + inserts)


def correct_word(
    word: str, known: Callable[[str], bool], frequency: Callable[[str], int],
    rare: int = 0,
) -> str | None:
    """A likelier known word for ``word``, or None when it is fine or hopeless.

    ``rare``: a known word found in at most this many documents may be a misspelling
    that happens to occur ("therapst" in one summary) and gets a correction too, if the
    correction is found in more documents."""
    low = word.lower()
    if not 4 <= len(low) <= 30 or not _WORD_RE.match(low) or low in STOP_WORDS:
        return None
    own = frequency(low) if known(low) else 0
    if known(low) and own > rare:
        return None
    candidates = [w for w in edits1(low) if w not in STOP_WORDS and known(w)
                  and frequency(w) > own]
    if not candidates:
        return None
    return max(candidates, key=lambda w: (frequency(w), w))


def correct_query(
    text: str, words: list[str], known: Callable[[str], bool], frequency: Callable[[str], int],
    rare: int = 0,
) -> str | None:
    """``text`` with misspelled ``words`` replaced, or None when nothing changed."""
    corrected = text
    changed = False
    for word in dict.fromkeys(words):
        for part in re.findall(r"[A-Za-z]+", word):
            fix = correct_word(part, known, frequency, rare)
            if fix is None:
                continue
            if part[:1].isupper():
                fix = fix.capitalize()
            corrected = re.sub(rf"(?<![A-Za-z]){re.escape(part)}(?![A-Za-z])", fix, corrected)
            changed = True
    return corrected if changed and corrected != text else None
