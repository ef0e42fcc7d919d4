"""CSV, one row per summary, for a spreadsheet or pandas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from explorer.exports.base import ExportFormat, summary_url
from explorer.records import Summary

# Spreadsheet programs run a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "published",
    "origin",
    "added",
    "title",
    "authors",
    "year",
    "article_title",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "reference",
    "topics",
    "research_type",
    "url",
    "summary",
    "practice_implications",
)


def _cell(value: str | None) -> str:
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(summaries: Iterable[Summary], *, base_url: str | None = None) -> str:
    """One row per summary, lists joined with '; ', formula-looking cells defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for s in summaries:
        c = s.citation
        row = [
            s.id,
            s.published,
            s.origin,
            s.added,
            s.title,
            "; ".join(c.authors),
            c.year,
            c.title,
            c.journal,
            c.volume,
            c.issue,
            c.pages,
            c.doi,
            c.formatted(),
            "; ".join(s.topics),
            s.research_type,
            summary_url(s, base_url) or "",
            s.body,
            s.implications,
        ]
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


FORMAT = ExportFormat(to_csv, "text/csv", "csv", "CSV")
