"""APA 7 references as plain text, for pasting into a syllabus or a paper."""

from __future__ import annotations

from collections.abc import Iterable

from explorer.apa import apa_text
from explorer.exports.base import ExportFormat
from explorer.records import Summary


def to_apa_text(summaries: Iterable[Summary], *, base_url: str | None = None) -> str:
    """APA 7 references, one per paragraph, for pasting into a syllabus or a paper."""
    return "".join(apa_text(s.citation) + "\n\n" for s in summaries if not s.citation.is_empty())


FORMAT = ExportFormat(to_apa_text, "text/plain", "txt", "APA text")
