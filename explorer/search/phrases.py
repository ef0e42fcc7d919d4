"""Phrases: terms at consecutive positions, for quoted phrases, the open form of a
typed compound ("drop-out" as drop + out) and the vocabulary's several-word synonyms.

A phrase is found in two steps: the documents holding every term of it in a field
(array operations on the snapshot), then the positions of just those documents (from a
built segment's postings arrays, or Whoosh's postings for a segment added since). The
vocabulary's phrases recur in query after query, so they are remembered per generation.
"""

from __future__ import annotations

import numpy as np

from explorer.search.scoring import Evaluated
from explorer.search.segments import leaf_positions
from explorer.search.snapshot import Snapshot


def phrase_terms(snap: Snapshot, terms: list[str], fields: tuple[str, ...]) -> Evaluated:
    """Documents with ``terms`` at consecutive positions in one of ``fields``, scored by
    the sum of the terms' BM25 in the first field where the phrase stands."""
    if len(terms) == 1:
        return snap.terms_in_fields(terms, fields)
    mask = np.zeros(snap.n, dtype=bool)
    score = np.zeros(snap.n, dtype=np.float32)
    for field in fields:
        # the documents holding every term, by intersecting the (sorted, live) postings
        postings = [snap.term_scores(field, term) for term in terms]
        docs = postings[0][0]
        for ids, _ in postings[1:]:
            docs = np.intersect1d(docs, ids, assume_unique=True)
        docs = docs[~mask[docs]]
        if not len(docs):
            continue
        found = verify_phrase(snap, field, terms, docs)
        if len(found):
            mask[found] = True
            for ids, contrib in postings:
                score[found] += contrib[np.searchsorted(ids, found)]
    return Evaluated(mask, score)


def cached_phrase(snap: Snapshot, terms: tuple[str, ...], fields: tuple[str, ...]
                  ) -> Evaluated:
    """`phrase_terms`, remembered per generation (synonym phrases recur); a copy."""
    key = (terms, fields)
    hit = snap.phrases.get(key)
    if hit is None:
        hit = phrase_terms(snap, list(terms), fields)
        snap.remember_phrase(key, hit)
    return hit.copy()


def verify_phrase(snap: Snapshot, field: str, terms: list[str], docs: np.ndarray
                  ) -> np.ndarray:
    """Documents among ``docs`` (ascending) where ``terms`` stand at consecutive
    positions."""
    found: list[int] = []
    for (leaf, offset), segid in zip(snap.leaves, snap.segids, strict=True):
        size = leaf.doc_count_all()
        local = [int(d) - offset for d in docs if offset <= d < offset + size]
        if not local:
            continue
        per_term = [leaf_positions(leaf, field, term, local, segid, snap.folder)
                    for term in terms]
        for j, doc in enumerate(local):
            getters = [g for g in (positions[j] for positions in per_term) if g is not None]
            if len(getters) < len(terms):
                continue  # a term missing from the document
            starts = set(getters[0]())
            for k, getter in enumerate(getters[1:], start=1):
                pos = getter()
                starts = {p for p in starts if p + k in pos}
                if not starts:
                    break
            if starts:
                found.append(doc + offset)
    return np.asarray(found, dtype=np.intp)
