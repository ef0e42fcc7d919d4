"""BM25 similarity between a draft and the archived summaries, for the neighbour vote.

TF-IDF cosine compares whole-document profiles: a long summary that mentions a rare term
once is pulled towards the centre by its many other words. BM25 instead asks how well
each archived summary answers the draft's terms, with saturating term counts and
document-length normalisation (the search index's own ranking idea), so a neighbour is a
summary that discusses the draft's distinctive terms, however long it is. The vote only
reads relative weights within a draft's row, so BM25's unbounded scale does no harm there.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

K1 = 1.2  # term-count saturation
B = 0.75  # document-length normalisation


def bm25_documents(counts: sp.csr_matrix, k1: float = K1, b: float = B) -> sp.csr_matrix:
    """Per-document BM25 weight of every term, from raw term counts (documents x terms).

    Weight = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / mean length)), with the
    always-positive idf ``log(1 + (N - df + 0.5) / (df + 0.5))``.
    """
    counts = sp.csr_matrix(counts, dtype=np.float64)
    n_docs = counts.shape[0]
    if n_docs == 0 or counts.nnz == 0:
        return counts.copy()
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    mean_length = lengths.mean() if lengths.mean() > 0 else 1.0
    norm = k1 * (1.0 - b + b * lengths / mean_length)
    row_of = np.repeat(np.arange(n_docs), np.diff(counts.indptr))
    tf = counts.data
    data = idf[counts.indices] * tf * (k1 + 1.0) / (tf + norm[row_of])
    return sp.csr_matrix((data, counts.indices.copy(), counts.indptr.copy()), shape=counts.shape)


def bm25_similarity(query_counts: sp.csr_matrix, documents: sp.csr_matrix) -> np.ndarray:
    """BM25 score of each archived document for each query (queries x documents).

    Each distinct query term counts once, as in a search box query.
    """
    present = sp.csr_matrix(query_counts, dtype=np.float64, copy=True)
    present.data[:] = 1.0
    if documents.shape[0] == 0:
        return np.zeros((present.shape[0], 0))
    return np.asarray((present @ documents.T).todense())
