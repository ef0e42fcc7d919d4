"""Which archived summaries describe the same study as a new one: by DOI or cited title+year.

Text similarity (the tagger's "similar summaries") is a soft hint: two summaries of
different studies on one theme read alike, and one study summarised twice may not. A DOI,
or the cited article's title with its year, identifies the study itself, so a match on
either is a sure duplicate. The importer uses the same keys to find the summary a
re-imported post updates when its heading (and so its id) changed. Records only, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from explorer.doi import doi_key
from explorer.records import Summary

# Short cited titles ("Empathy.") are too common to identify a study on their own.
MIN_TITLE_WORDS = 3


def title_key(title: str | None, year: str | int | None) -> str | None:
    """The cited title (letters and digits only, accents dropped) with the year, or None
    when either is missing or the title is too short to tell studies apart."""
    if not title or year is None or not str(year).strip():
        return None
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.casefold())
    if len(words) < MIN_TITLE_WORDS:
        return None
    return f"{str(year).strip().casefold()}|{' '.join(words)}"


@dataclass(frozen=True)
class Duplicate:
    summary: Summary
    reason: str  # "doi", "title" or "id" (same month and heading: the same file name)

    @property
    def message(self) -> str:
        """Why this is the same study, in the editor's words."""
        c = self.summary.citation
        if self.reason == "doi":
            return f"same DOI ({c.doi})"
        if self.reason == "id":
            return "same month and title"
        return f"same cited title and year ({c.year})"


def find_duplicates(candidate: Summary, archive: Iterable[Summary]) -> list[Duplicate]:
    """Summaries of ``archive`` (other than ``candidate``'s own id) citing the same study."""
    doi = doi_key(candidate.citation.doi)
    title = title_key(candidate.citation.title, candidate.citation.year)
    if doi is None and title is None:
        return []
    found = []
    for summary in archive:
        if summary.id == candidate.id:
            continue
        if doi is not None and doi_key(summary.citation.doi) == doi:
            found.append(Duplicate(summary, "doi"))
        elif title is not None and title_key(summary.citation.title,
                                             summary.citation.year) == title:
            found.append(Duplicate(summary, "title"))
    found.sort(key=lambda d: (d.reason != "doi", d.summary.id))
    return found
