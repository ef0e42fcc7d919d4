"""How old a topic model is, and whether it can serve at all.

A model trained on 181 summaries is still a good model after the 182nd is saved, so age is
reported, not refused: every suggestion says what the model learnt from (``trained_on``).
Only a model that cannot mean the right thing is refused: one trained for another topic
list or other research types (its columns would name the wrong topics). Files from another
scikit-learn or format, or damaged ones, are refused earlier, by `persist.load_model`.
"""

from __future__ import annotations

from collections.abc import Sequence

from explorer.records import Summary, Taxonomy
from explorer.tagger.fingerprint import corpus_fingerprint
from explorer.tagger.model import TopicModel

REBUILD = "run `pprnet build` to retrain it"


def incompatibility(model: TopicModel, taxonomy: Taxonomy) -> str | None:
    """Why this model cannot serve this corpus's taxonomy, or None when it can."""
    if list(model.topics) != list(taxonomy.topics):
        added = sorted(set(taxonomy.topics) - set(model.topics))
        dropped = sorted(set(model.topics) - set(taxonomy.topics))
        what = "; ".join(part for part in (
            f"new: {', '.join(added)}" if added else "",
            f"gone: {', '.join(dropped)}" if dropped else "",
        ) if part) or "same topics in another order"
        return f"the topic model was trained for another topic list ({what}): {REBUILD}"
    if list(model.research_types) != list(taxonomy.research_types):
        return f"the topic model was trained for other research types: {REBUILD}"
    return None


def trained_on(model: TopicModel, corpus: Sequence[Summary] | None = None, *,
               fingerprint: str | None = None) -> dict:
    """``{"summaries", "date", "current", "corpus_summaries"}`` for a suggestion.

    ``current`` says whether the model learnt from exactly this corpus (None when the
    corpus is not known); pass ``fingerprint`` when the caller has it cached.
    """
    out: dict = {"summaries": len(model.doc_ids), "date": model.created,
                 "current": None, "corpus_summaries": None}
    if corpus is not None:
        out["corpus_summaries"] = len(corpus)
        out["current"] = model.fingerprint == (fingerprint or corpus_fingerprint(corpus))
    return out


def describe(info: dict) -> str:
    """One line for people: 'trained on 181 summaries on 2026-11-29 (the archive has 182)'."""
    date = str(info.get("date") or "an unknown date")[:10]
    line = f"trained on {info['summaries']} summaries on {date}"
    if info.get("current") is False:
        now = info.get("corpus_summaries")
        if now is not None and now != info["summaries"]:
            line += f" (the archive now has {now}; retraining follows saves)"
        else:
            line += " (summaries have changed since; retraining follows saves)"
    return line
