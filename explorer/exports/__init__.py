"""Export formats for a list of summaries (RIS, BibTeX, CSV, APA text), by URL name.

Each format is one module holding a ``render`` function and its `ExportFormat`; the web
routes and the templates loop over `FORMATS`, so a new format is one new module here plus
one entry in the tuple below. The renderers take plain `Summary` records and return text,
so the web layer, a command or a notebook can all use them; ``base_url`` (optional) adds a
link back to each summary's page.
"""

from __future__ import annotations

from explorer.exports import apa_text, bibtex, ris, spreadsheet
from explorer.exports.base import ExportFormat

__all__ = ["FORMATS", "ExportFormat"]

#: URL name (``/export.<name>``) -> format, in the order links are shown.
FORMATS: dict[str, ExportFormat] = {
    "ris": ris.FORMAT,
    "bib": bibtex.FORMAT,
    "csv": spreadsheet.FORMAT,
    "txt": apa_text.FORMAT,
}
