"""The Whoosh schema and the document a `Summary` becomes.

Text fields keep positions (phrases); no character spans, which nothing reads (snippets
find their spans in the stored text, see `explorer.search.highlight`) and which cost a
sixth of a large build to write. A build writes the analyzed fields' postings as NumPy
arrays, not into Whoosh (`explorer.search.postings`); this schema is what Whoosh itself
indexes when one summary is saved. Topics and research type are exact keyword
terms, one per line of the field value, because topic names contain commas. The
published month is an ID term, read into per-document arrays for filters, facets and
sorting (no Whoosh sortable column: nothing sorts through Whoosh, and writing one cost a
tenth of a build). Spelling suggestions use the text fields' vocabularies (see
`explorer.search.spelling`), so no extra field slows the build.
"""

from __future__ import annotations

from whoosh import fields, formats

from explorer.doi import doi_key
from explorer.records import Summary
from explorer.search.analysis import (
    ExactFormTokenizer,
    LinesTokenizer,
    TextprocTokenizer,
)

# Fields searched by plain words, with the weight of a match in each.
TEXT_FIELDS: dict[str, float] = {
    "title": 2.5,
    "cited_title": 1.2,  # the cited article's title: below the summary's own
    "body": 1.0,
    "implications": 1.0,
    "authors": 1.5,
    "journal": 0.8,
}
# The unstemmed forms of title, cited title, body and implications: a bonus for the
# typed word itself over words that only share its stem ("effects" vs "effectiveness").
EXACT_FIELD = "exact"
EXACT_TITLE_FIELD = "exact_title"  # the same for the summary's title alone
EXACT_FIELDS = (EXACT_FIELD, EXACT_TITLE_FIELD)
# The text fields that `document_for` joins, in this order and by line breaks, into the
# exact field (the build finds their words once for both, see `build.analyze_document`).
EXACT_PARTS = ("title", "cited_title", "body", "implications")
# Text fields and whether their analysis expands acronyms (names and journals do not).
ANALYZED_FIELDS: dict[str, bool] = {
    "title": True,
    "cited_title": True,
    "body": True,
    "implications": True,
    "authors": False,
    "journal": False,
}
# Fields whose stored text feeds snippets (title is highlighted separately).
SNIPPET_FIELDS: tuple[str, ...] = ("body", "implications")


def make_schema() -> fields.Schema:
    lines = LinesTokenizer()

    def text(name: str) -> fields.TEXT:
        analyzer = TextprocTokenizer(expand_acronyms=ANALYZED_FIELDS[name])
        return fields.TEXT(analyzer=analyzer, stored=True, phrase=True)

    def exact() -> fields.TEXT:
        return fields.TEXT(analyzer=ExactFormTokenizer(), stored=False, phrase=False)

    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=text("title"),
        cited_title=text("cited_title"),
        exact=exact(),
        exact_title=exact(),
        body=text("body"),
        implications=text("implications"),
        authors=text("authors"),
        journal=text("journal"),
        year=fields.ID(stored=True),  # the article's year (citation), "" when unknown
        doi=fields.ID(stored=True),
        topics=fields.FieldType(formats.Existence(), lines, stored=True),
        research_type=fields.FieldType(formats.Existence(), lines, stored=True),
        published=fields.ID(stored=True),  # "YYYY-MM" of a blog post; absent otherwise
        origin=fields.ID(stored=True),  # "blog-post", "added": the Source facet
        citation=fields.STORED(),  # short citation for result lists
    )


def document_for(summary: Summary) -> dict[str, object]:
    """The Whoosh document of one summary (all values as Whoosh expects them)."""
    c = summary.citation
    year = (c.year or "").strip()
    doc: dict[str, object] = {
        "id": summary.id,
        "title": summary.title,
        "body": summary.body,
        "implications": summary.implications or "",
        "authors": "; ".join(c.authors),
        "journal": c.journal or "",
        "cited_title": c.title or "",
        "exact": "\n".join(t for t in (summary.title, c.title or "", summary.body,
                                       summary.implications or "") if t),
        "exact_title": summary.title,
        "year": year if year.isdigit() else "",
        "doi": doi_key(c.doi) or "",
        "topics": "\n".join(summary.topics),
        "research_type": summary.research_type or "",
        "published": summary.published,
        "origin": summary.origin,
        "citation": c.short(),
    }
    for key in ("year", "doi", "topics", "research_type", "published", "origin", "cited_title"):
        if not doc[key]:
            del doc[key]  # no empty terms in the index
    return doc
