"""Checks of a reference's year, DOI and pages, shared by the editor and the corpus loader.

A malformed field does not stay local: a year "abcd" becomes ``year = {abcd}`` in BibTeX,
a DOI "not a doi" becomes a broken https://doi.org/ link on the summary page. The editor
refuses such a field (the person typing can fix it at once); the loader reports it as a
warning with path and line, so ``pprnet check`` names it without dropping an existing
summary from the archive over one field.

The accepted forms are the ones references really use (see the bundled corpus): years
``2015``, ``2015a``, ``in press``, ``n.d.``, ``forthcoming``; DOIs ``10.<digits>/<no
spaces>``; pages ``123-145`` (any dash), ``e0123``, ``xi-xv``, ``S12-S19``,
``937-947.e4``, ``Article e0123``, and lists of these joined by commas.
"""

from __future__ import annotations

import re

from explorer.doi import strip_doi
from explorer.records import Citation

YEAR_RE = re.compile(r"^(?:\d{4}[a-z]?|in press|n\.\s?d\.|forthcoming)$", re.IGNORECASE)
DOI_RE = re.compile(r"^10\.\d+(?:\.\d+)*/\S+$")
_DASH = "[-\u2010-\u2015\u2212]"
_PAGE = r"(?:[A-Za-z]{0,2}\d+[A-Za-z]?(?:\.[A-Za-z]?\d+)?|[ivxlcdm]+|[IVXLCDM]+)"
_RANGE = rf"{_PAGE}(?:\s*{_DASH}\s*{_PAGE})?"
PAGES_RE = re.compile(rf"^(?:(?:Article|pp?\.)\s+)?{_RANGE}(?:\s*,\s*{_RANGE})*$")

LABELS = {"year": "Year", "doi": "DOI", "pages": "Pages"}


def year_problem(year: str | None) -> str | None:
    if not year or YEAR_RE.match(year.strip()):
        return None
    return (f"year {year!r} is not a year: write it as 2013 (or 2013a, \"in press\", "
            "\"n.d.\")")


def doi_problem(doi: str | None) -> str | None:
    bare = strip_doi(doi)
    if not bare or DOI_RE.match(bare):
        return None
    return f"DOI {doi!r} is not a DOI: it looks like 10.1037/a0012345 (no spaces)"


def pages_problem(pages: str | None) -> str | None:
    if not pages or PAGES_RE.match(pages.strip()):
        return None
    return f"pages {pages!r} are not page numbers: write them as 123-145 or e0123"


def citation_problems(citation: Citation) -> dict[str, str]:
    """Each malformed field ("year", "doi", "pages") with one line saying what is wrong."""
    found = {
        "year": year_problem(citation.year),
        "doi": doi_problem(citation.doi),
        "pages": pages_problem(citation.pages),
    }
    return {key: message for key, message in found.items() if message}
