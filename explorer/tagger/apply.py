"""Turn `pprnet suggest --batch` output into tags for untagged summaries (`pprnet tag`).

A backlog is tagged by reading each JSON line's suggestions and filling in what a summary
lacks: its topics (the suggested ones, at or above ``min_score``) and its research type
(the best one, at or above ``min_score``). Tags an editor already gave are never replaced,
and a line whose suggestion carried a notice (too little text, unknown words) tags nothing.
Pure planning on records and dicts: the command writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from explorer.records import Summary, Taxonomy


@dataclass
class TagPlan:
    summary_id: str
    status: str  # "tagged", "skipped" or "error"
    summary: Summary | None = None  # the tagged summary to write
    topics: list[str] = field(default_factory=list)
    research_type: str | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.status == "tagged":
            parts = []
            if self.topics:
                parts.append("topics: " + ", ".join(self.topics))
            if self.research_type:
                parts.append(f"type: {self.research_type}")
            return f"tagged   {self.summary_id} ({'; '.join(parts)})"
        return f"{self.status:<8} {self.summary_id or '?'}: {self.reason}"


def _accepted_topics(item: dict, taxonomy: Taxonomy, min_score: float) -> list[str]:
    topics = []
    for entry in item.get("topics") or []:
        if not isinstance(entry, dict) or not entry.get("suggested"):
            continue
        score = entry.get("score")
        name = taxonomy.canonical_topic(str(entry.get("topic", "")))
        if name and isinstance(score, int | float) and score >= min_score and name not in topics:
            topics.append(name)
    return topics


def _score(item: dict) -> float:
    """An entry's score for ranking; -1 (below every real score) when it has none."""
    score = item.get("score")
    return float(score) if isinstance(score, int | float) else -1.0


def _accepted_type(item: dict, taxonomy: Taxonomy, min_score: float) -> str | None:
    ranked = [r for r in item.get("research_type") or [] if isinstance(r, dict)]
    if not ranked:
        return None
    best = max(ranked, key=_score)
    score = best.get("score")
    if not isinstance(score, int | float) or score < min_score:
        return None
    return taxonomy.canonical_type(str(best.get("type", "")))


def plan_line(line: str, where: str, by_id: dict[str, Summary], taxonomy: Taxonomy,
              min_score: float) -> TagPlan | None:
    """What one line of suggestions does; None for a blank line."""
    if not line.strip():
        return None
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return TagPlan("", "error", reason=f"{where}: not valid JSON ({exc.msg})")
    if not isinstance(item, dict):
        return TagPlan("", "error", reason=f"{where}: expected a JSON object")
    summary_id = str(item.get("id") or "")
    if item.get("error"):
        return TagPlan(summary_id, "skipped", reason=f"the suggestion failed: {item['error']}")
    summary = by_id.get(summary_id)
    if summary is None:
        return TagPlan(summary_id, "error", reason=f"{where}: no summary with this id")
    if item.get("notice"):
        return TagPlan(summary_id, "skipped", reason=str(item["notice"]))
    topics = [] if summary.topics else _accepted_topics(item, taxonomy, min_score)
    research_type = None if summary.research_type else _accepted_type(item, taxonomy, min_score)
    if not topics and not research_type:
        why = ("already tagged" if summary.topics and summary.research_type
               else f"no suggestion at or above score {min_score:g}")
        return TagPlan(summary_id, "skipped", reason=why)
    tagged = replace(summary, topics=topics or list(summary.topics),
                     research_type=research_type or summary.research_type)
    return TagPlan(summary_id, "tagged", tagged, topics, research_type)
