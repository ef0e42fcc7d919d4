"""Highlighted snippets and titles, HTML-safe by construction.

Every piece of document text goes through `html.escape`, and the only markup added is
``<mark>``/``</mark>`` around matched spans, so a summary containing ``<script>`` comes
out as inert text.

Spans are found in the stored text of the page's hits, not by reading the postings'
character offsets: on a 30 000-summary index, decoding the postings blocks that hold ten
documents' offsets cost ~30 ms a page (a block holds 128 postings with all their
offsets). The spans of each (text, term) are memoised (`term_spans`), so most of a
page's highlighting is a lookup per query term. Every word is confirmed through
textproc, so stemming, British spellings, accents and acronyms highlight exactly what
they matched: a search for CBT marks "cognitive behavioural therapy", and one for
"cognitive behavioral therapy" marks "CBT".
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
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


@lru_cache(maxsize=1)
def _open_compound_terms() -> frozenset[str]:
    """The closed terms of the vocabulary's compounds: the only terms a word written
    apart from the next can carry (most words of a text are checked for none)."""
    return frozenset(textproc.open_compounds().values())


@lru_cache(maxsize=1)
def _british_by_term() -> dict[str, tuple[str, ...]]:
    """Index term -> British spellings whose start differs ("pediatr" -> "paediatric")."""
    out: dict[str, list[str]] = {}
    for british, american in textproc.SPELLINGS.items():
        first = american.split()[0]
        out.setdefault(textproc.stem(first), []).append(british)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=20_000)
def _starts(term: str) -> tuple[str, ...]:
    """Lowercase, accent-free starts of the words that may carry ``term``."""
    out = {term[:4], *(british[:4] for british in _british_by_term().get(term, ()))}
    out.discard("")
    return tuple(sorted(out))


_WORD_AT = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_MAX_COMPOUND_PARTS = 3
_OPEN_NEXT = re.compile(r"[ \t]+([^\W_]+)")  # the next word, after spaces only


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=4096)
def _plain(c: str) -> str:
    """One lowercase character without its accent, or itself when that is not one
    character (so offsets do not move)."""
    plain = textproc.fold_accents(c)
    return plain if len(plain) == 1 else c


@lru_cache(maxsize=4096)
def _search_form(text: str) -> str:
    """``text`` lowercased and without accents, character for character (a character
    whose lowercase or plain form is longer stays as it is), so that offsets found in it
    are offsets in ``text`` and a name typed without its accent ("munoz") is found."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if not low.isascii():  # only the few non-ASCII characters are looked at
        low = _NON_ASCII.sub(lambda m: _plain(m.group()), low)
    return low


def _compound_end(text: str, word: str, end: int, term: str) -> int | None:
    """End of the hyphenated compound starting with ``word`` (ending at ``end``) whose
    closed form is ``term`` ("drop-out" for ``dropout``), as the index makes them."""
    parts = [word]
    while len(parts) < _MAX_COMPOUND_PARTS and text.startswith("-", end):
        nxt = _WORD_AT.match(text, end + 1)
        if nxt is None:
            return None
        parts.append(nxt.group())
        end = nxt.end()
        closed = "".join(textproc.normalize_spelling(p) for p in parts)
        if " " not in closed and textproc.stem(closed) == term:
            return end
    return None


@lru_cache(maxsize=20_000)
def _words_from(text: str, prefix: str) -> tuple[tuple[int, int, str], ...]:
    """The words of ``text`` that start with ``prefix`` (lowercase, accent-free), found
    with `str.find` (a C loop, much faster than tokenising the whole text or a regular
    expression alternation) and kept only at word starts. Shared by the terms with that
    start (a word family, a stem and its British spelling)."""
    low = _search_form(text)
    found = []
    i = low.find(prefix)
    while i >= 0:
        if i == 0 or not low[i - 1].isalnum():
            m = _WORD_AT.match(text, i)
            if m:
                found.append((i, m.end(), m.group()))
        i = low.find(prefix, i + 1)
    return tuple(found)


@lru_cache(maxsize=20_000)  # keys hold the texts: bounded for a 30 000-summary index
def term_spans(text: str, term: str) -> tuple[tuple[int, int], ...]:
    """Character spans of the words of ``text`` that carry the index term ``term``,
    each confirmed through textproc.

    Memoised per (text, term): results pages show the same summaries again and again and
    queries share words, so most of a page's highlighting is a lookup.
    """
    found: set[tuple[int, int]] = set()
    for prefix in _starts(term):
        for start, end, word in _words_from(text, prefix):
            if term in word_terms(word):
                found.add((start, end))
            elif text.startswith("-", end):
                compound = _compound_end(text, word, end, term)
                if compound is not None:
                    found.add((start, compound))
            elif term in _open_compound_terms():  # the vocabulary's compound written open
                nxt = _OPEN_NEXT.match(text, end)  # ("dropped out")
                if nxt and textproc.open_compound(word, nxt.group(1)) == term:
                    found.add((start, nxt.end()))
    return tuple(sorted(found))


def find_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` whose index terms meet ``terms``."""
    if not text or not terms:
        return []
    spans: set[tuple[int, int]] = set()
    for term in terms:
        spans.update(term_spans(text, term))
    return sorted(spans)


def prefer_exact(text: str, spans: list[tuple[int, int]],
                 exact: dict[str, set[str]]) -> list[tuple[int, int]]:
    """Drop the spans of words that only share a typed word's stem ("effectiveness" for
    "effects") when ``text`` also holds the typed form itself: those are what matched.

    ``exact``: stem of each typed word -> its unstemmed forms (inflections)."""
    if not exact or not spans:
        return spans
    words = [_surface(text[s:e]) for s, e in spans]
    present = {word for word, _terms in words}
    typed_here = {term: forms for term, forms in exact.items() if not forms.isdisjoint(present)}
    if not typed_here:
        return spans  # no typed form in this text: every stem match is all there is
    stems = frozenset(typed_here)
    kept = []
    for span, (word, terms) in zip(spans, words, strict=True):
        # the typed stems this word carries (usually none or one): a set intersection
        # in C, not a Python test per typed word
        for term in terms & stems:
            if word not in typed_here[term]:
                break  # a stem-only match of a typed word
        else:
            kept.append(span)
    return kept


@lru_cache(maxsize=200_000)
def _surface(word: str) -> tuple[str, frozenset[str]]:
    """A matched word's normal spelling and index terms, in one lookup."""
    return textproc.normalize_spelling(word), word_terms(word)


def merge_spans(spans: Iterable[tuple[int, int]], length: int,
                text: str | None = None) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans clipped to the text; with ``text``, spans separated
    only by spaces or hyphens join into one mark ("cognitive behavioural therapy")."""
    out: list[tuple[int, int]] = []
    first = last = -1  # the span being grown; -1: none yet
    for start, end in sorted(spans):  # clipped here: spans rarely leave the text
        if start < 0:
            start = 0
        if end > length:
            end = length
        if end <= start:
            continue
        if last >= 0:
            if start <= last:  # overlaps the span being grown
                if end > last:
                    last = end
                continue
            if text is not None and not text[last:start].strip(" -"):
                last = end  # only spaces or hyphens between: one mark
                continue
            out.append((first, last))
        first, last = start, end
    if last >= 0:
        out.append((first, last))
    return out


# Stand-ins for the tags while the text is escaped in one piece (html.escape leaves them)
_OPEN, _CLOSE = "\ue000", "\ue001"


def mark(text: str, spans: Iterable[tuple[int, int]], lo: int = 0, hi: int | None = None) -> str:
    """``text[lo:hi]`` HTML-escaped with the given spans wrapped in ``<mark>``."""
    hi = len(text) if hi is None else hi
    out: list[str] = []
    pos = lo
    for start, end in merge_spans(spans, len(text), text):
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        out += (text[pos:start], _OPEN, text[start:end], _CLOSE)
        pos = end
    out.append(text[pos:hi])
    if len(out) == 1:
        return html.escape(out[0])
    if _OPEN in text or _CLOSE in text:  # never in practice: escape piece by piece
        tags = {_OPEN: "<mark>", _CLOSE: "</mark>"}
        return "".join(tags[piece] if i % 4 in (1, 3) else html.escape(piece)
                       for i, piece in enumerate(out))
    # escaping is per character, so escaping the joined pieces once is escaping each
    return html.escape("".join(out)).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


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


def _window_spans(text: str, spans: list[tuple[int, int]], lo: int, hi: int
                  ) -> list[tuple[int, int]]:
    """The merged, sorted ``spans`` that `mark` can show in ``text[lo:hi]``: those that
    overlap it, and the neighbours joined to them by spaces or hyphens (a mark that runs
    on past the window's edge is cut there, not at the last span inside). `mark` would
    give the same markup from all the spans; a common word matches all over a long
    summary, and marking looked at every match for the few in the window."""
    first = bisect_right(spans, (lo, len(text) + 1))  # spans starting after lo
    if first and spans[first - 1][1] > lo:
        first -= 1  # ...and the one running over lo
    stop = bisect_left(spans, (hi, -1), first)  # spans starting before hi
    if first == stop:  # none inside: only a mark joining two outside ones can show
        if not 0 < first < len(spans) or text[spans[first - 1][1]:spans[first][0]].strip(" -"):
            return []
        first, stop = first - 1, stop + 1
    while first and not text[spans[first - 1][1]:spans[first][0]].strip(" -"):
        first -= 1
    while stop < len(spans) and not text[spans[stop - 1][1]:spans[stop][0]].strip(" -"):
        stop += 1
    return spans[first:stop]


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
    body = mark(text, _window_spans(text, spans, lo, hi), lo, hi).strip()
    prefix = "\u2026 " if lo > 0 else ""
    suffix = " \u2026" if hi < len(text) else ""
    return f"{prefix}{body}{suffix}"
