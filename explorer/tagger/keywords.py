"""Does a text name a topic? The words of the topic's name (or an alias) found in it.

This is the "keyword" baseline of the evaluation, and also a small, explicit prior in the
model: a summary that says "group therapy" is likely about Group Psychotherapy even when
the archive holds only five examples of that topic.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from explorer.records import Taxonomy
from explorer.textproc import analyze


def topic_keyword_sets(taxonomy: Taxonomy) -> list[list[tuple[str, ...]]]:
    """For each topic, the analyzed term sets of its name and of each alias."""
    variants: dict[str, list[str]] = {t: [t] for t in taxonomy.topics}
    for alias, target in sorted(taxonomy.aliases.items()):
        if target in variants:
            variants[target].append(alias)
    out: list[list[tuple[str, ...]]] = []
    for topic in taxonomy.topics:
        sets: list[tuple[str, ...]] = []
        for name in variants[topic]:
            # "Medications/Pharmacotherapy": either word names the topic, so each part of
            # a slash is its own variant.
            for part in name.split("/"):
                terms = tuple(sorted(set(analyze(part, query=True))))
                if terms and terms not in sets:
                    sets.append(terms)
        out.append(sets)
    return out


def keyword_scores(terms: Iterable[str], keyword_sets: list[list[tuple[str, ...]]]) -> np.ndarray:
    """Per topic, the largest share of one name variant's terms present in ``terms``."""
    present = set(terms)
    scores = np.zeros(len(keyword_sets), dtype=np.float64)
    for t, sets in enumerate(keyword_sets):
        best = 0.0
        for variant in sets:
            hits = sum(1 for term in variant if term in present)
            best = max(best, hits / len(variant))
        scores[t] = best
    return scores


def keyword_matrix(docs_terms: Iterable[Iterable[str]],
                   keyword_sets: list[list[tuple[str, ...]]]) -> np.ndarray:
    rows = [keyword_scores(terms, keyword_sets) for terms in docs_terms]
    if not rows:
        return np.zeros((0, len(keyword_sets)))
    return np.vstack(rows)
