"""Highlighted snippets and titles, HTML-safe by construction.

Every piece of document text goes through `html.escape`, and the only markup added is
``<mark>``/``</mark>`` around matched spans, so a summary containing ``<script>`` comes
out as inert text.

Spans are found by scanning the stored text of the page's hits, not by reading the
postings' character offsets: on a 30 000-summary index, decoding the postings blocks
that hold ten documents' offsets cost ~30 ms a page (a block holds 128 postings with all
their offsets), while the scan below costs well under a millisecond per hit whatever the
index size. A regular expression of term prefixes finds candidate words at C speed; each
candidate is confirmed by running it through textproc (cached per word), so stemming,
British spellings and acronyms highlight exactly what they matched: a search for CBT
marks "cognitive behavioural therapy", and one for "cognitive behavioral therapy" marks
"CBT".
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache

from explorer import textproc

SNIPPET_CHARS = 240
_SENTENCE_START = re.compile(r"(?<=[.!?])\s+")


@lru_cache(maxsize=200_000)
def word_terms(word: str) -> frozenset[str]:
    """Index terms of one surface word, acronym expansions included ("CBT" -> cbt,
    cognit, behavior, therapi)."""
    return frozenset(t.term for t in textproc.tokens(word))


@lru_cache(maxsize=1)
def _acronym_long_terms() -> dict[str, frozenset[str]]:
    return {a.short.lower(): frozenset(textproc.analyze(a.long_forms[0])) - {a.short.lower()}
            for a in textproc.ACRONYMS}


@lru_cache(maxsize=1)
def _british_by_term() -> dict[str, tuple[str, ...]]:
    """Index term -> British spellings whose start differs ("pediatr" -> "paediatric")."""
    out: dict[str, list[str]] = {}
    for british, american in textproc.SPELLINGS.items():
        first = american.split()[0]
        out.setdefault(textproc.stem(first), []).append(british)
    return {k: tuple(v) for k, v in out.items()}


def expand_terms(terms: Iterable[str]) -> frozenset[str]:
    """Query terms plus the words of any acronym among them, and the acronym of any
    long form they spell out."""
    given = set(terms)
    out = set(given)
    for key, long_terms in _acronym_long_terms().items():
        if key in given:
            out |= long_terms
        elif long_terms <= given:
            out.add(key)
    return frozenset(out)


@lru_cache(maxsize=4096)
def _prefixes(terms: frozenset[str]) -> tuple[str, ...]:
    """Lowercase starts of the words that may carry ``terms`` (British forms included)."""
    out = set()
    for term in terms:
        out.add(term[:4])
        for british in _british_by_term().get(term, ()):
            out.add(british[:4])
    out.discard("")
    return tuple(sorted(out))


_WORD_AT = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def find_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` whose index terms meet ``terms``.

    Candidates are found with `str.find` on the lowercased text (a C loop per prefix,
    much faster than a regular expression alternation), kept only at word starts, and
    confirmed through textproc.
    """
    if not text or not terms:
        return []
    low = text.lower()
    if len(low) != len(text):  # a few characters change length when lowercased
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    spans: set[tuple[int, int]] = set()
    for prefix in _prefixes(terms):
        i = low.find(prefix)
        while i >= 0:
            if i == 0 or not (low[i - 1].isalnum()):
                m = _WORD_AT.match(text, i)
                if m and word_terms(m.group()) & terms:
                    spans.add(m.span())
            i = low.find(prefix, i + 1)
    return sorted(spans)


def prefer_exact(text: str, spans: list[tuple[int, int]],
                 exact: dict[str, set[str]]) -> list[tuple[int, int]]:
    """Drop the spans of words that only share a typed word's stem ("effectiveness" for
    "effects") when ``text`` also holds the typed form itself: those are what matched.

    ``exact``: stem of each typed word -> its unstemmed forms (inflections)."""
    if not exact or not spans:
        return spans
    words = {span: textproc.normalize_spelling(text[span[0]:span[1]]) for span in spans}
    present = set(words.values())
    keep = []
    for span in spans:
        word = words[span]
        loose = [forms for term, forms in exact.items()
                 if word not in forms and term in word_terms(text[span[0]:span[1]])]
        if any(forms & present for forms in loose):
            continue  # a stem-only match beside the typed form itself
        keep.append(span)
    return keep


def merge_spans(spans: Iterable[tuple[int, int]], length: int,
                text: str | None = None) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans clipped to the text; with ``text``, spans separated
    only by spaces or hyphens join into one mark ("cognitive behavioural therapy")."""
    out: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), min(length, e)) for s, e in spans):
        if end <= start:
            continue
        if out and text is not None and start > out[-1][1]:
            joined = not text[out[-1][1]:start].strip(" -")
        else:
            joined = False
        if joined:
            out[-1] = (out[-1][0], end)
        elif out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def mark(text: str, spans: Iterable[tuple[int, int]], lo: int = 0, hi: int | None = None) -> str:
    """``text[lo:hi]`` HTML-escaped with the given spans wrapped in ``<mark>``."""
    hi = len(text) if hi is None else hi
    out: list[str] = []
    pos = lo
    for start, end in merge_spans(spans, len(text), text):
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        out.append(html.escape(text[pos:start]))
        out.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        pos = end
    out.append(html.escape(text[pos:hi]))
    return "".join(out)


def best_window(spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """(score, start) of the window of ``width`` chars covering the most matches."""
    best = (0, 0)
    j = 0
    for i, (start, _end) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= start + width:
            j += 1
        count = j - i
        if count > best[0]:
            best = (count, start)
    return best


def snippet(text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS) -> str:
    """The densest ``width``-character passage of ``text``, escaped, matches marked.

    Without matches, the opening of the text. Cut at word boundaries, with ellipses where
    text was left out.
    """
    if not text:
        return ""
    spans = merge_spans(spans, len(text))
    if spans:
        _, anchor = best_window(spans, width)
        # Start a little before the first match, at a sentence or word boundary.
        lo = max(0, anchor - width // 4)
        sentence = text.rfind(". ", max(0, anchor - width // 2), anchor)
        if sentence >= 0 and anchor - sentence < width // 2:
            lo = sentence + 2
        elif lo > 0:
            space = text.find(" ", lo)
            lo = space + 1 if 0 <= space < anchor else lo
    else:
        lo = 0
    hi = min(len(text), lo + width)
    if hi < len(text):
        space = text.rfind(" ", lo + width // 2, hi)
        if space > 0:
            hi = space
    body = mark(text, spans, lo, hi).strip()
    prefix = "\u2026 " if lo > 0 else ""
    suffix = " \u2026" if hi < len(text) else ""
    return f"{prefix}{body}{suffix}"
