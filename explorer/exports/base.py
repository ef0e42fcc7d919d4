"""What every export format shares: the `ExportFormat` record the registry holds and the
small text helpers (page ranges, one-line values, the link back, the provenance note).

Kept apart from the formats so a new format imports only this and `explorer.records`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from explorer.records import BLOG_POST, Summary

_PAGE_SPLIT_RE = re.compile(r"\s*[-\u2010-\u2015\u2212]+\s*")


@dataclass(frozen=True)
class ExportFormat:
    """One downloadable format: ``render(summaries, base_url=...)`` returns its text."""

    render: Callable[..., str]
    mimetype: str
    extension: str
    label: str  # what a link to it says: "RIS", "BibTeX"...


def page_range(pages: str | None) -> tuple[str | None, str | None]:
    """'937–947.e4' -> ('937', '947.e4'); '21' -> ('21', None)."""
    if not pages:
        return None, None
    parts = [p for p in _PAGE_SPLIT_RE.split(pages.strip(), maxsplit=1) if p]
    if not parts:
        return None, None
    return parts[0], parts[1] if len(parts) > 1 else None


def summary_url(summary: Summary, base_url: str | None) -> str | None:
    """The summary's page on this site, when the caller knows the site's address."""
    return f"{base_url.rstrip('/')}/summary/{summary.id}" if base_url else None


def one_line(text: str | None) -> str:
    """Line breaks and runs of spaces as one space: RIS and BibTeX values are one line."""
    return " ".join((text or "").split())


def provenance(summary: Summary) -> str:
    """Where the summary comes from, for a reference manager's note: a reader must not
    take a summary added to this archive for a post of the PPRNet blog."""
    if summary.origin == BLOG_POST:
        return f"PPRNet blog post ({summary.published or 'month unknown'})"
    added = f", added {summary.added}" if summary.added else ""
    return f"PPRNet Explorer summary (added to the archive, not a blog post{added})"
