"""Cross-validation folds for multi-label data, shared by training and evaluation.

Plain k-fold on a few hundred summaries puts all five examples of a rare topic in one
fold now and then, and the scores swing with the seed. Iterative stratification
(Sechidis et al., 2011; the ``iterative-stratification`` package) spreads every topic,
and here also every research type, over the folds as evenly as it can.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from iterstrat.ml_stratifiers import MultilabelStratifiedKFold


def stratified_folds(
    labels: np.ndarray, type_index: Sequence[int], n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index arrays; deterministic for a given seed and label matrix.

    ``type_index`` holds each document's research type as an index (-1 for none) and is
    stratified along with the topics.
    """
    n = labels.shape[0]
    if n_splits < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    if n < n_splits:
        raise ValueError(f"{n} documents are too few for {n_splits} folds")
    n_types = max([t for t in type_index if t >= 0], default=-1) + 1
    types = np.zeros((n, max(n_types, 1)), dtype=bool)
    for row, t in enumerate(type_index):
        if t >= 0:
            types[row, t] = True
    # A constant column for documents that carry no label at all keeps the matrix a valid
    # multi-label target (two or more columns) whatever the corpus holds.
    spare = np.ones((n, 1), dtype=bool)
    target = np.hstack([labels.astype(bool), types, spare])
    splitter = MultilabelStratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    folds = []
    for train, test in splitter.split(np.zeros((n, 1)), target):
        folds.append((np.sort(train), np.sort(test)))
    return folds
