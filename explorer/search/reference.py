"""Recognise a pasted citation in the search box: a DOI (bare, ``doi:``, a doi.org or
dx.doi.org URL) or an APA-style reference.

People copy references out of papers and reading lists; the archive should answer with
the summary of that article. A DOI is looked up exactly; a reference without one is
searched by its title, the part between "(Year)." and the next full stop, which the index
holds in the ``cited_title`` field. Kept apart from `explorer.citation` (a full parser
for the importer) because a query needs only these two pieces, found leniently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from explorer.doi import find_doi
from explorer.search import query as q

_APA_RE = re.compile(r"\(\s*(\d{4})[a-z]?\s*(?:,[^)]*)?\)\s*\.?\s*(.+?\.)(?=\s|$)")
_MIN_TITLE_WORDS = 3


@dataclass(frozen=True)
class Reference:
    doi: str | None  # lowercased, trailing punctuation removed
    title: str | None  # the cited article's title, from an APA reference
    year: int | None


def parse_reference(text: str) -> Reference | None:
    """What a pasted DOI or reference names, or None for an ordinary query."""
    doi = find_doi(text)
    title, year = None, None
    match = _APA_RE.search(text)
    if match and len(match.group(2).split()) >= _MIN_TITLE_WORDS:
        title = match.group(2).rstrip(".?! ").strip()
        year = int(match.group(1))
    if doi is None and title is None:
        return None
    return Reference(doi, title, year)


def title_query(title: str) -> str:
    """The title as plain words: operators, quotes, fields and brackets made harmless."""
    words = re.findall(r"[^\W_]+(?:['\u2019-][^\W_]+)*", title)
    return " ".join(w for w in words if w not in ("AND", "OR", "NOT"))


def parse_query(text: str) -> q.ParsedQuery:
    """Parse a query; a pasted DOI or reference becomes a search for that article."""
    parsed = q.parse(text)
    ref = parse_reference(parsed.text)
    if ref is None:
        return parsed
    parts: list[q.Node] = []
    if ref.doi:
        parts.append(q.Facet("doi", ref.doi))
    if ref.title:
        words = title_query(ref.title)
        node = q.parse(words).node
        if not isinstance(node, q.MatchAll):
            parts.append(node)
    if not parts:
        return parsed
    node = parts[0] if len(parts) == 1 else q.Or(tuple(parts))
    return q.ParsedQuery(parsed.text, node, parsed.notices, [], False)
