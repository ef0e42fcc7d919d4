"""BibTeX entries for LaTeX users and reference managers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from explorer.exports.base import ExportFormat, one_line, page_range, provenance, summary_url
from explorer.records import Citation, Summary

_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _bib_escape(text: str) -> str:
    return "".join(_BIB_SPECIAL.get(ch, ch) for ch in one_line(text))


def _bib_key(citation: Citation, summary: Summary, used: set[str]) -> str:
    """'laird2016shortterm', unique within one export ('…a', '…b' on clashes)."""
    surname = citation.authors[0].split(",")[0] if citation.authors else "pprnet"
    year = citation.year if citation.year and citation.year[:4].isdigit() else summary.published
    title_words = re.findall(r"[A-Za-z0-9]+", _ascii(citation.title or summary.title))
    skip = {"a", "an", "the", "on", "of", "in", "and", "for", "is", "are", "does", "do"}
    first = next((w for w in title_words if w.lower() not in skip), "")
    base = re.sub(r"[^a-z0-9]", "", _ascii(surname).lower()) + (year or "")[:4] + first.lower()
    base = base or summary.id.replace("-", "")
    key, n = base, 0
    while key in used:
        key = base + chr(ord("a") + n % 26) + ("" if n < 26 else str(n // 26))
        n += 1
    used.add(key)
    return key


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def to_bibtex(summaries: Iterable[Summary], *, base_url: str | None = None) -> str:
    """BibTeX entries (@article, or @incollection for book chapters), UTF-8."""
    used: set[str] = set()
    entries = []
    for summary in summaries:
        c = summary.citation
        chapter = c.kind == "chapter"
        fields: list[tuple[str, str | None]] = [
            ("author", " and ".join(c.authors) if c.authors else None),
            ("title", c.title or summary.title),
        ]
        if chapter:
            fields += [
                ("booktitle", c.journal),
                ("editor", " and ".join(c.editors) if c.editors else None),
                ("publisher", c.publisher),
            ]
        else:
            fields.append(("journal", c.journal))
        start, end = page_range(c.pages)
        pages = f"{start}--{end}" if start and end else start
        fields += [
            ("year", c.year),
            ("volume", c.volume),
            ("number", c.issue),
            ("pages", pages),
            ("doi", c.doi),
            ("url", c.doi_url or summary_url(summary, base_url)),
            ("keywords", ", ".join(summary.topics) if summary.topics else None),
            ("note", f"{provenance(summary)}: {summary.title}"),
        ]
        lines = [f"@{'incollection' if chapter else 'article'}{{{_bib_key(c, summary, used)},"]
        for name, value in fields:
            if not value:
                continue
            if name in ("doi", "url"):
                shown = one_line(value).replace("{", "").replace("}", "")
            else:
                shown = _bib_escape(value)
            if name == "title":
                shown = "{" + shown + "}"  # keep the title's capitals as written
            lines.append(f"  {name} = {{{shown}}},")
        lines[-1] = lines[-1].rstrip(",")
        lines.append("}")
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + ("\n" if entries else "")


FORMAT = ExportFormat(to_bibtex, "application/x-bibtex", "bib", "BibTeX")
