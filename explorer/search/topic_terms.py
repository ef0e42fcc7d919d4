"""Distinctive terms of each topic: words far more common in a topic's summaries than in
the rest, for the topic pages.

Lives beside the index because it runs the same text pipeline (`explorer.textproc`
tokens and stems): the web layer asks for the result and never tokenizes text itself.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from explorer.records import Summary
from explorer.textproc import tokens

_WORDISH = re.compile(r"^[a-z][a-z'-]+$")
# Words that say nothing about a topic however often a topic's summaries use them.
_GENERIC = frozenset(
    [
        "also", "although", "among", "across", "another", "around", "become", "became", "either",
        "else", "even", "ever", "fall", "found", "however", "included", "including", "later",
        "less",
        "little", "made", "make", "many", "may", "might", "much", "must", "never", "often", "one",
        "ones", "per", "rather", "several", "since", "still", "three", "two", "upon", "whether",
        "within", "without", "yet",
    ]
)


@dataclass(frozen=True)
class Term:
    word: str  # the commonest written form, for display
    stem: str
    in_topic: int  # summaries of the topic using the word
    score: float


def distinctive_terms(
    summaries: Sequence[Summary], topics: Sequence[str], keep: int = 30
) -> dict[str, list[Term]]:
    """Per topic, up to ``keep`` terms ranked by the z-score of the smoothed (a = 0.5)
    log-odds ratio of a summary using the word inside the topic against outside it; a word
    must be in a fifth of the topic's summaries (at least 2; 1 for topics under 4) to count.
    """
    doc_terms: list[set[str]] = []
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    for s in summaries:
        text = f"{s.title}\n{s.body}\n{s.implications}"
        stems: set[str] = set()
        for tok in tokens(text, expand_acronyms=False):
            written = text[tok.start : tok.end].lower().replace("\u2019", "'")
            if len(tok.term) < 3 or not _WORDISH.match(written) or written in _GENERIC:
                continue
            stems.add(tok.term)
            surface[tok.term][written] += 1
        doc_terms.append(stems)
    df_all: Counter[str] = Counter()
    for stems in doc_terms:
        df_all.update(stems)
    n_all = len(doc_terms)
    result: dict[str, list[Term]] = {}
    a = 0.5
    for topic in topics:
        member = [topic in s.topics for s in summaries]
        n_in = sum(member)
        if n_in == 0:
            result[topic] = []
            continue
        df_in: Counter[str] = Counter()
        for stems, inside in zip(doc_terms, member, strict=True):
            if inside:
                df_in.update(stems)
        n_out = n_all - n_in
        scored = []
        min_docs = max(2, round(0.2 * n_in)) if n_in >= 4 else 1
        for stem, y_in in df_in.items():
            if y_in < min_docs:
                continue
            y_out = df_all[stem] - y_in
            delta = math.log((y_in + a) / (n_in - y_in + a)) - math.log(
                (y_out + a) / (n_out - y_out + a)
            )
            var = 1 / (y_in + a) + 1 / (n_in - y_in + a) + 1 / (y_out + a)
            var += 1 / (n_out - y_out + a)
            z = delta / math.sqrt(var)
            if z > 0:
                scored.append((z, stem, y_in))
        scored.sort(key=lambda item: (-item[0], item[1]))
        result[topic] = [
            Term(surface[stem].most_common(1)[0][0], stem, y_in, round(z, 2))
            for z, stem, y_in in scored[:keep]
        ]
    return result
