"""Highlighted snippets and titles, HTML-safe by construction.

Every piece of document text goes through `html.escape`, and the only markup added is
``<mark>``/``</mark>`` around matched spans, so a summary containing ``<script>`` comes
out as inert text.

Spans are found in the stored text of the page's hits, not by reading the postings'
character offsets: on a 30 000-summary index, decoding the postings blocks that hold ten
documents' offsets cost ~30 ms a page (a block holds 128 postings with all their
offsets). Each stored text is tokenised once into a map from index term to the spans of
the words carrying it (`term_spans`, memoised), so a page's highlighting is a lookup per
query term. Every word is confirmed through textproc, so stemming, British spellings,
accents and acronyms highlight exactly what they matched: a search for CBT marks
"cognitive behavioural therapy", and one for "cognitive behavioral therapy" marks "CBT".
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


_WORD_AT = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


@lru_cache(maxsize=2048)
def term_spans(text: str) -> dict[str, tuple[tuple[int, int], ...]]:
    """Index term -> character spans of the words of ``text`` that carry it, hyphenated
    compounds included under their closed form ("drop-out" under ``dropout``).

    Built once per stored text (results pages show the same summaries again and again),
    so highlighting a page is a dictionary lookup per query term instead of a scan of
    every text for every term: the scan was half the cost of a search page. Each word
    goes through textproc (`word_terms`, memoised), so stemming, British spellings,
    accents ("Muñoz" for ``munoz``) and acronyms highlight exactly what they matched.
    """
    found: dict[str, list[tuple[int, int]]] = {}
    spans: list[tuple[int, int]] = []
    for m in _WORD_AT.finditer(text):
        span = m.span()
        spans.append(span)
        for term in word_terms(m.group()):
            found.setdefault(term, []).append(span)
    if "-" in text:
        for tok in textproc.compound_tokens(text, spans):
            found.setdefault(tok.term, []).append((tok.start, tok.end))
    return {term: tuple(where) for term, where in found.items()}


def find_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` whose index terms meet ``terms``."""
    if not text or not terms:
        return []
    where = term_spans(text)
    spans: set[tuple[int, int]] = set()
    for term in terms:
        hit = where.get(term)
        if hit:
            spans.update(hit)
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
