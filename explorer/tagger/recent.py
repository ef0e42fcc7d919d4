"""Similar summaries among those saved after the model was trained.

The model's "similar summaries" come from the documents it was trained on, so a summary
saved a second ago is missing until the background retrain lands, exactly when an editor
pasting the same text twice needs to see it. These few recent summaries are scored with the
model's own text vectors and merged into the list.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from explorer.records import Summary
from explorer.tagger.features import DocFields, analyze_fields, cap_fields, fields_of
from explorer.tagger.model import TopicModel

MAX_RECENT = 500  # beyond this many unseen summaries the model is overdue anyway


def merge_recent_similar(model: TopicModel, draft: DocFields, similar: list[dict],
                         corpus: Sequence[Summary], *, limit: int = 5,
                         exclude_id: str | None = None) -> list[dict]:
    """``similar`` (the model's list) with the corpus's untrained-on summaries scored in."""
    known = set(model.doc_ids)
    recent = [s for s in corpus if s.id not in known and s.id != exclude_id][:MAX_RECENT]
    if not recent:
        return similar
    fields, _ = cap_fields(draft)
    text = model.space.text_matrix([analyze_fields(fields)])
    others = model.space.text_matrix([analyze_fields(fields_of(s)) for s in recent])
    scores = np.asarray((text @ others.T).todense())[0]
    extra = [{"id": s.id, "title": s.title, "score": round(float(score), 4)}
             for s, score in zip(recent, scores, strict=True) if score > 0]
    current = {s.id for s in corpus}
    merged = [s for s in similar if s["id"] in current] + extra  # deleted ones drop out
    merged.sort(key=lambda s: -s["score"])
    return merged[:limit]
