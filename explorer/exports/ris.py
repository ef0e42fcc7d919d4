"""RIS, the tagged format Zotero, EndNote and Mendeley import."""

from __future__ import annotations

from collections.abc import Iterable

from explorer.exports.base import ExportFormat, one_line, page_range, provenance, summary_url
from explorer.records import Summary


def to_ris(summaries: Iterable[Summary], *, base_url: str | None = None) -> str:
    """RIS records (CRLF line ends, as the format's specification asks)."""
    records = []
    for summary in summaries:
        c = summary.citation
        chapter = c.kind == "chapter"
        lines: list[tuple[str, str | None]] = [("TY", "CHAP" if chapter else "JOUR")]
        lines += [("AU", a) for a in c.authors]
        lines.append(("PY", c.year))
        lines.append(("TI", one_line(c.title or summary.title)))
        if chapter:
            lines.append(("T2", c.journal))
            lines += [("A2", e) for e in c.editors]
            lines.append(("PB", c.publisher))
        else:
            lines.append(("JO", c.journal))
            lines.append(("T2", c.journal))
        lines.append(("VL", c.volume))
        lines.append(("IS", c.issue))
        start, end = page_range(c.pages)
        lines.append(("SP", start))
        lines.append(("EP", end))
        lines.append(("DO", c.doi))
        lines.append(("UR", c.doi_url or summary_url(summary, base_url)))
        lines += [("KW", t) for t in summary.topics]
        if summary.research_type:
            lines.append(("KW", summary.research_type))
        note = f"{provenance(summary)}: {summary.title}"
        url = summary_url(summary, base_url)
        if url:
            note += f" {url}"
        lines.append(("N1", note))
        lines.append(("ID", summary.id))
        body = [f"{tag}  - {one_line(value)}" for tag, value in lines if value]
        body.append("ER  - ")
        records.append("\r\n".join(body))
    return "\r\n\r\n".join(records) + ("\r\n" if records else "")


FORMAT = ExportFormat(to_ris, "application/x-research-info-systems", "ris", "RIS")
