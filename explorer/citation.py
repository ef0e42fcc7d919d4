"""Parse APA-style reference strings, as the blog prints them, into a `Citation`.

The blog's references are written by hand: en dashes and hyphens, "et al." in the author
list, missing issue numbers, "Advance online publication" instead of a volume, DOIs as
URLs or ``doi:`` prefixes, sometimes with a trailing period. The parser works from both
ends of the string: authors and year from the front, DOI and volume/issue/pages from the
back, and what lies between is title and source. Nothing here raises on odd input: a
part that cannot be found is left empty.
"""

from __future__ import annotations

import re

from explorer.doi import trim_doi
from explorer.records import Citation

# Page ranges come with any dash; titles keep theirs (an em dash is part of a title).
D = "[-\u2010-\u2015\u2212]"

DOI_RE = re.compile(
    r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:\s*|\bDOI:?\s*)(10\.\d{4,9}/[^\s\"<>]+)",
    re.IGNORECASE,
)
BARE_DOI_RE = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
URL_RE = re.compile(r"https?://\S+")
YEAR_RE = re.compile(
    r"\(\s*(?P<year>(?:19|20)\d{2}[a-z]?|in press|n\.\s?d\.|forthcoming)"
    r"(?:\s*,\s*[^)]*)?\s*\)\s*\.?",
    re.IGNORECASE,
)
BARE_YEAR_RE = re.compile(r"(?<=[\s.,])(?P<year>(?:19|20)\d{2})\.\s")
AOP_RE = re.compile(r"\.?\s*Advance online publication\.?", re.IGNORECASE)
IN_PRESS_RE = re.compile(r"\bin press\b", re.IGNORECASE)
# ", 70(6), 682–690" / ", 58, 449-459" / ", 21, 578" / ", 12(3)" / ", e12345" at the end.
VOLUME_RE = re.compile(
    r",\s*(?:Vol\.\s*)?(?P<volume>\d+[A-Za-z]?)\s*"
    r"(?:\(\s*(?P<issue>[^)]+?)\s*\))?"
    rf"(?:\s*,\s*(?:pp?\.\s*)?(?P<pages>[A-Za-z]?\d+(?:\s*{D}\s*[A-Za-z]?\d+)?))?"
    r"\s*\.?\s*$"
)
PAGES_ONLY_RE = re.compile(rf",\s*(?:pp?\.\s*)(?P<pages>\d+(?:\s*{D}\s*\d+)?)\s*\.?\s*$")
CHAPTER_RE = re.compile(
    r"^(?P<title>.+?[.?!])\s+In\s+(?P<editors>.+?)\s*\((?:Eds?|Hrsg)\.?\)\s*,?\s*"
    r"(?P<book>.+?)(?:\s*\((?P<paren>[^()]*pp?\.\s*[^()]*)\))?\s*\.\s*(?P<publisher>[^.]*)\.?\s*$",
    re.IGNORECASE,
)
AUTHOR_RE = re.compile(
    r"(?P<surname>[^,&]+?),\s*(?P<initials>(?:[A-Z][a-z]?\.?\s*-?\s*)+?)(?=\s*(?:,|&|$|et al))"
)


def _normalize(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u2009", " ")
    return re.sub(r"\s+", " ", text).strip()


def _pretty_pages(pages: str | None) -> str | None:
    if not pages:
        return None
    return re.sub(rf"\s*{D}\s*", "\u2013", pages.strip())


def parse_authors(text: str) -> list[str]:
    """Split 'Surname, A. B., Other, C., & Last, D. et al.' into 'Surname, A. B.' items."""
    text = _normalize(text).strip().rstrip(",")
    text = re.sub(r"\bet al\.?", "", text).strip().rstrip(",").strip()
    text = re.sub(r"\s*&\s*", ", ", text)
    text = re.sub(r",\s*and\s+", ", ", text)
    authors = []
    for match in AUTHOR_RE.finditer(text):
        surname = match.group("surname").strip(" ,.")
        initials = re.sub(r"\s+", " ", match.group("initials")).strip()
        initials = re.sub(r"\.(?=[A-Z])", ". ", initials)
        if not initials.endswith("."):
            initials += "."
        if surname:
            authors.append(f"{surname}, {initials}")
    if not authors and text:
        # A group author ("American Psychological Association") or an unusual shape.
        authors = [text.rstrip(". ")]
    return authors


def _extract_doi(text: str) -> tuple[str | None, str]:
    match = DOI_RE.search(text) or BARE_DOI_RE.search(text)
    if not match:
        return None, text
    doi = trim_doi(match.group(1))
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    return doi, rest


def _split_title_source(text: str) -> tuple[str | None, str | None]:
    """'Title? Subtitle. Journal Name' -> ('Title? Subtitle', 'Journal Name')."""
    text = text.strip().strip(".").strip()
    if not text:
        return None, None
    boundaries = [m.end() for m in re.finditer(r"[.?!]\s+(?=[A-Z0-9])", text)]
    if not boundaries:
        return text, None
    cut = boundaries[-1]
    title = text[:cut].strip()
    source = text[cut:].strip()
    title = title[:-1].strip() if title.endswith(".") else title
    return title or None, source or None


def parse_citation(text: str) -> Citation:
    """Parse one reference string. Never raises; unknown parts stay None/empty."""
    if not text or not text.strip():
        return Citation()
    raw = _normalize(text)
    citation = Citation()
    doi, rest = _extract_doi(raw)
    citation.doi = doi
    rest = URL_RE.sub("", rest).strip()

    if AOP_RE.search(rest):
        citation.status = "advance online publication"
        rest = AOP_RE.sub(".", rest).strip()

    year_match = YEAR_RE.search(rest) or BARE_YEAR_RE.search(rest)
    if year_match:
        year = year_match.group("year")
        if IN_PRESS_RE.fullmatch(year.strip()):
            citation.year = "in press"
            citation.status = citation.status or "in press"
        elif year.lower().startswith("n"):
            citation.year = None
        else:
            citation.year = year
        citation.authors = parse_authors(rest[: year_match.start()])
        rest = rest[year_match.end() :].strip()
    else:
        # No year: authors end at the first "Initial." followed by a capitalised word.
        match = re.match(r"^((?:[^,.]+,\s*(?:[A-Z]\.\s*)+,?\s*&?\s*)+)(.*)$", rest)
        if match:
            citation.authors = parse_authors(match.group(1))
            rest = match.group(2).strip()

    chapter = CHAPTER_RE.match(rest)
    if chapter:
        citation.title = chapter.group("title").rstrip(".").strip()
        citation.editors = parse_editors(chapter.group("editors"))
        book = chapter.group("book").strip()
        paren = chapter.group("paren") or ""
        pages = re.search(rf"pp?\.\s*(\d+(?:\s*{D}\s*\d+)?)", paren)
        citation.pages = _pretty_pages(pages.group(1)) if pages else None
        edition = re.search(r"(\d+\w*\s+ed\.)", paren)
        if edition:
            book = f"{book} ({edition.group(1)})"
        citation.journal = book
        citation.publisher = (chapter.group("publisher") or "").strip() or None
        return citation

    volume = VOLUME_RE.search(rest)
    if volume:
        citation.volume = volume.group("volume")
        citation.issue = volume.group("issue")
        citation.pages = _pretty_pages(volume.group("pages"))
        rest = rest[: volume.start()]
    else:
        pages_only = PAGES_ONLY_RE.search(rest)
        if pages_only:
            citation.pages = _pretty_pages(pages_only.group("pages"))
            rest = rest[: pages_only.start()]
    title, source = _split_title_source(rest)
    citation.title = title
    citation.journal = source.strip(" ,.") if source else None
    return citation


def parse_editors(text: str) -> list[str]:
    """'M. J. Lambert & A. Bergin' -> ['Lambert, M. J.', 'Bergin, A.'] (APA editor order)."""
    text = _normalize(text)
    parts = [p.strip() for p in re.split(r",\s*&\s*|\s*&\s*|,\s*and\s+|\s+and\s+|,\s*", text)]
    editors = []
    for part in parts:
        if not part:
            continue
        match = re.match(r"^((?:[A-Z][a-z]?\.\s*-?\s*)+)\s*(.+)$", part)
        if match:
            editors.append(f"{match.group(2).strip()}, {match.group(1).strip()}")
        else:
            editors.append(part)
    return editors


def looks_like_citation(line: str) -> bool:
    """True for a line that starts like 'Surname, I., ... (2023).' — used by importers."""
    line = _normalize(line)
    head = line[:400]
    if not re.match(
        r"^[A-Z\u00C0-\u024F][^\s,()]*(?:[ '-][^\s,()]+)*,\s*(?:[A-Z]\.\s*-?\s*)+", head
    ):
        return False
    return bool(YEAR_RE.search(head))
