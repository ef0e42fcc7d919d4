"""Merge imported summaries into an existing corpus without losing editorial work.

A blog page carries a post's text and its reference but none of the topics or research
type the editor assigned afterwards. So a re-import updates text and citation details
and keeps the tags already in the corpus (unless told to replace them), and a field the
page lacks (a post without a citation line) keeps its archived value instead of being
blanked. An imported post is matched to the archive by id, else by DOI or cited title and
year, so a post whose heading was reworded updates its summary instead of adding a twin.
Pure planning on records: the command decides whether to write.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from explorer.duplicates import find_duplicates
from explorer.records import Citation, Summary

_TEXT_FIELDS = ("published", "title", "body", "implications")


@dataclass
class PlannedImport:
    status: str  # "created", "updated" or "unchanged"
    summary: Summary  # what the corpus file will hold
    changed: list[str] = field(default_factory=list)  # fields an update changes
    matched_by: str = "id"  # "id", "doi" or "title" (how an existing summary was found)

    def describe(self) -> str:
        """One report line: status, id, and what changed or how it was matched."""
        notes = []
        if self.changed:
            notes.append(", ".join(self.changed))
        if self.matched_by != "id" and self.status != "created":
            notes.append(f"matched by {'DOI' if self.matched_by == 'doi' else 'cited title'}")
        tail = f" ({'; '.join(notes)})" if notes else ""
        return f"{self.status:<9} {self.summary.id}{tail}"


def merge_citation(old: Citation, new: Citation) -> Citation:
    """The page's citation over the archived one, field by field; empty fields keep theirs."""
    values = {}
    for f in fields(Citation):
        fresh = getattr(new, f.name)
        values[f.name] = fresh if fresh else getattr(old, f.name)
    return Citation(**values)


def merge_summary(old: Summary, new: Summary, *, replace_tags: bool) -> Summary:
    """``old`` updated with ``new``'s text and citation, keeping ``old``'s id and path."""
    values = {name: getattr(new, name) or getattr(old, name) for name in _TEXT_FIELDS}
    return replace(
        old,
        **values,
        citation=merge_citation(old.citation, new.citation),
        topics=list(new.topics if replace_tags else old.topics),
        research_type=new.research_type if replace_tags else old.research_type,
        # a summary found on a blog page with its month is a blog post, whatever it was
        origin=new.origin if new.published else old.origin,
        added=None if new.published else old.added,
    )


def _changed(old: Summary, new: Summary) -> list[str]:
    names = [n for n in (*_TEXT_FIELDS, "citation", "origin") if getattr(old, n) != getattr(new, n)]
    if old.topics != new.topics or old.research_type != new.research_type:
        names.append("tags")
    return names


def plan_import(
    imported: list[Summary], archive: list[Summary], *, replace_tags: bool = False
) -> list[PlannedImport]:
    """What importing ``imported`` into ``archive`` does to each summary, in input order.

    A summary imported twice (the same post on two saved pages) is planned once more on
    top of the first plan, so the report names it once with its final state.
    """
    current: dict[str, Summary] = {s.id: s for s in archive}
    original = dict(current)
    plans: dict[str, PlannedImport] = {}
    for item in imported:
        old, matched_by = current.get(item.id), "id"
        if old is None:
            dupes = find_duplicates(item, current.values())
            if dupes:
                old, matched_by = dupes[0].summary, dupes[0].reason
        if old is None:
            merged = replace(item, path=None)
        else:
            merged = merge_summary(old, item, replace_tags=replace_tags)
        current[merged.id] = merged
        before = original.get(merged.id)
        if before is None:
            plan = PlannedImport("created", merged)
        elif replace(before, path=None) == replace(merged, path=None):
            plan = PlannedImport("unchanged", merged, matched_by=matched_by)
        else:
            plan = PlannedImport("updated", merged, _changed(before, merged), matched_by)
        if merged.id in plans:
            plans.pop(merged.id)  # report it at its last position, once
        plans[merged.id] = plan
    return list(plans.values())
