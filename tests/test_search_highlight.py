"""Snippets and highlighted titles: escaping first, then <mark>; spellings and acronyms."""

from __future__ import annotations

import random

import pytest

from explorer.search.analysis import query_terms
from explorer.search.highlight import (
    _window_spans,
    expand_terms,
    find_spans,
    mark,
    merge_spans,
    snippet,
)


def spans_of(text: str, query: str) -> list[str]:
    terms = expand_terms(t for w in query.split() for t in query_terms(w))
    return [text[s:e] for s, e in find_spans(text, terms)]


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        ("Clients who were running said runs help.", "run", ["running", "runs"]),
        ("A paediatric counselling programme.", "pediatric counseling program",
         ["paediatric", "counselling", "programme"]),
        ("Client behaviour changed; behavioural work.", "behavior",
         ["behaviour", "behavioural"]),
        ("We used CBT here.", "cognitive behavioral therapy", ["CBT"]),
        ("We used cognitive-behavioural therapy.", "CBT",
         ["cognitive", "behavioural", "therapy"]),
        ("Veterans with PTSD and posttraumatic stress.", "ptsd",
         ["PTSD", "posttraumatic", "stress"]),
        ("The alliance's strength.", "alliance", ["alliance's"]),
        ("Nothing relevant at all.", "alliance", []),
        ("Alliance ALLIANCE alliance", "alliance", ["Alliance", "ALLIANCE", "alliance"]),
    ],
)
def test_find_spans(text: str, query: str, expected: list[str]) -> None:
    assert spans_of(text, query) == expected


def test_mark_escapes_then_marks() -> None:
    text = "<script>alert('x')</script> & the alliance"
    spans = find_spans(text, frozenset(query_terms("alliance")))
    html = mark(text, spans)
    assert html == ("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; the "
                    "<mark>alliance</mark>")


def test_adjacent_marks_join() -> None:
    text = "we used cognitive behavioural therapy today"
    spans = find_spans(text, expand_terms(query_terms("CBT")))
    assert "<mark>cognitive behavioural therapy</mark>" in mark(text, spans)


def test_snippet_picks_the_densest_passage() -> None:
    filler = "Lorem ipsum dolor sit amet. " * 30
    text = filler + "The alliance and the alliance again matter. " + filler
    spans = find_spans(text, frozenset(query_terms("alliance")))
    out = snippet(text, spans, width=120)
    assert out.count("<mark>alliance</mark>") == 2
    assert out.startswith("\u2026") and out.endswith("\u2026")
    assert len(out) < 200


def test_snippet_without_matches_is_the_opening() -> None:
    text = "First sentence here. " * 40
    out = snippet(text, [], width=100)
    assert out.startswith("First sentence here.") and "<mark>" not in out
    assert snippet("", []) == ""


def _marked_window_of_every_span(text: str, spans: list[tuple[int, int]], lo: int, hi: int
                                 ) -> str:
    """What `snippet` marked before it picked the spans of its window: all of them."""
    return mark(text, merge_spans(spans, len(text)), lo, hi)


def test_marking_only_the_window_spans_gives_the_same_markup() -> None:
    """Random texts of short words, spaces and hyphens, random spans and windows: the
    spans `snippet` hands to `mark` give exactly the markup of all the spans (marks that
    run over the window's edges, or join two spans outside it over spaces, included)."""
    for seed in range(2000):
        rng = random.Random(seed)
        pieces = [rng.choice(["ab", "c", "de<f", " ", "  ", "-", " - ", ".", "x&y"])
                  for _ in range(rng.randint(1, 60))]
        text = "".join(pieces)
        spans = []
        for _ in range(rng.randint(0, 12)):
            start = rng.randint(0, len(text))
            spans.append((start, min(len(text), start + rng.randint(1, 6))))
        merged = merge_spans(spans, len(text))
        lo = rng.randint(0, len(text))
        hi = rng.randint(lo, len(text))
        assert (mark(text, _window_spans(text, merged, lo, hi), lo, hi)
                == _marked_window_of_every_span(text, spans, lo, hi)), (seed, text, spans, lo, hi)


def test_a_mark_joining_two_matches_over_the_window_is_kept() -> None:
    text = "alpha" + " " * 30 + "beta"
    spans = [(0, 5), (35, 39)]
    assert _window_spans(text, spans, 10, 20) == spans
    assert mark(text, _window_spans(text, spans, 10, 20), 10, 20) == "<mark>" + " " * 10 + "</mark>"
