"""RIS, BibTeX, CSV and APA text for a list of summaries, for reference managers and sheets.

RIS and BibTeX are what Zotero, EndNote and Mendeley import; CSV is for a spreadsheet or
pandas. The functions take plain `Summary` records and return text, so the web layer, a
command or a notebook can all use them; ``base_url`` (optional) adds a link back to each
summary's page.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from explorer.apa import apa_text
from explorer.records import BLOG_POST, Citation, Summary

_PAGE_SPLIT_RE = re.compile(r"\s*[-\u2010-\u2015\u2212]+\s*")
# Spreadsheet programs run a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _page_range(pages: str | None) -> tuple[str | None, str | None]:
    """'937–947.e4' -> ('937', '947.e4'); '21' -> ('21', None)."""
    if not pages:
        return None, None
    parts = [p for p in _PAGE_SPLIT_RE.split(pages.strip(), maxsplit=1) if p]
    if not parts:
        return None, None
    return parts[0], parts[1] if len(parts) > 1 else None


def _summary_url(summary: Summary, base_url: str | None) -> str | None:
    return f"{base_url.rstrip('/')}/summary/{summary.id}" if base_url else None


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def provenance(summary: Summary) -> str:
    """Where the summary comes from, for a reference manager's note: a reader must not
    take a summary added to this archive for a post of the PPRNet blog."""
    if summary.origin == BLOG_POST:
        return f"PPRNet blog post ({summary.published or 'month unknown'})"
    added = f", added {summary.added}" if summary.added else ""
    return f"PPRNet Explorer summary (added to the archive, not a blog post{added})"


# --------------------------------------------------------------------------- RIS


def to_ris(summaries: Iterable[Summary], *, base_url: str | None = None) -> str:
    """RIS records (CRLF line ends, as the format's specification asks)."""
    records = []
    for summary in summaries:
        c = summary.citation
        chapter = c.kind == "chapter"
        lines: list[tuple[str, str | None]] = [("TY", "CHAP" if chapter else "JOUR")]
        lines += [("AU", a) for a in c.authors]
        lines.append(("PY", c.year))
        lines.append(("TI", _one_line(c.title or summary.title)))
        if chapter:
            lines.append(("T2", c.journal))
            lines += [("A2", e) for e in c.editors]
            lines.append(("PB", c.publisher))
        else:
            lines.append(("JO", c.journal))
            lines.append(("T2", c.journal))
        lines.append(("VL", c.volume))
        lines.append(("IS", c.issue))
        start, end = _page_range(c.pages)
        lines.append(("SP", start))
        lines.append(("EP", end))
        lines.append(("DO", c.doi))
        lines.append(("UR", c.doi_url or _summary_url(summary, base_url)))
        lines += [("KW", t) for t in summary.topics]
        if summary.research_type:
            lines.append(("KW", summary.research_type))
        note = f"{provenance(summary)}: {summary.title}"
        url = _summary_url(summary, base_url)
        if url:
            note += f" {url}"
        lines.append(("N1", note))
        lines.append(("ID", summary.id))
        body = [f"{tag}  - {_one_line(value)}" for tag, value in lines if value]
        body.append("ER  - ")
        records.append("\r\n".join(body))
    return "\r\n\r\n".join(records) + ("\r\n" if records else "")


# --------------------------------------------------------------------------- BibTeX

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
    return "".join(_BIB_SPECIAL.get(ch, ch) for ch in _one_line(text))


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
        start, end = _page_range(c.pages)
        pages = f"{start}--{end}" if start and end else start
        fields += [
            ("year", c.year),
            ("volume", c.volume),
            ("number", c.issue),
            ("pages", pages),
            ("doi", c.doi),
            ("url", c.doi_url or _summary_url(summary, base_url)),
            ("keywords", ", ".join(summary.topics) if summary.topics else None),
            ("note", f"{provenance(summary)}: {summary.title}"),
        ]
        lines = [f"@{'incollection' if chapter else 'article'}{{{_bib_key(c, summary, used)},"]
        for name, value in fields:
            if not value:
                continue
            if name in ("doi", "url"):
                shown = _one_line(value).replace("{", "").replace("}", "")
            else:
                shown = _bib_escape(value)
            if name == "title":
                shown = "{" + shown + "}"  # keep the title's capitals as written
            lines.append(f"  {name} = {{{shown}}},")
        lines[-1] = lines[-1].rstrip(",")
        lines.append("}")
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + ("\n" if entries else "")


# --------------------------------------------------------------------------- CSV

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
            _summary_url(s, base_url) or "",
            s.body,
            s.implications,
        ]
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def to_apa_text(summaries: Iterable[Summary], *, base_url: str | None = None) -> str:
    """APA 7 references, one per paragraph, for pasting into a syllabus or a paper."""
    return "".join(apa_text(s.citation) + "\n\n" for s in summaries if not s.citation.is_empty())


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class ExportFormat:
    render: Callable[..., str]
    mimetype: str
    extension: str
    label: str  # what a link to it says: "RIS", "BibTeX"...


FORMATS: dict[str, ExportFormat] = {
    "ris": ExportFormat(to_ris, "application/x-research-info-systems", "ris", "RIS"),
    "bib": ExportFormat(to_bibtex, "application/x-bibtex", "bib", "BibTeX"),
    "csv": ExportFormat(to_csv, "text/csv", "csv", "CSV"),
    "txt": ExportFormat(to_apa_text, "text/plain", "txt", "APA text"),
}
