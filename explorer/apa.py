"""APA 7 references for a `Citation`, as plain text (to paste) and as HTML (with italics).

A reader copying a reference into a paper or a syllabus wants the form their style guide
asks for, not our storage format. APA 7 differs from what `Citation.formatted()` gives in
the details people correct by hand: up to 20 authors before an ellipsis, editors written
"M. J. Lambert (Ed.)" rather than surname first, the book or journal (and volume) in
italics, no "Advance online publication" label, and the DOI as a https://doi.org/ link.

The reference is built as a list of segments (text, italic) so that the plain and the
HTML forms can never disagree.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from explorer.records import Citation

Segment = tuple[str, bool, bool]  # (text, italic, space before)
MAX_LISTED_AUTHORS = 20


def _author_list(authors: list[str]) -> str:
    """APA 7: 'A', 'A, & B', 'A, B, & C'; from 21 authors, the first 19, '. . .', the last."""
    names = [a.strip() for a in authors if a.strip()]
    if not names:
        return ""
    if len(names) > MAX_LISTED_AUTHORS:
        return ", ".join(names[: MAX_LISTED_AUTHORS - 1]) + ", . . . " + names[-1]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _initials_first(name: str) -> str:
    """'Lambert, M. J.' -> 'M. J. Lambert' (editors are written this way in APA 7)."""
    surname, _, initials = name.partition(",")
    return f"{initials.strip()} {surname.strip()}" if initials.strip() else name.strip()


def _editor_list(editors: list[str]) -> str:
    names = [_initials_first(e) for e in editors if e.strip()]
    if not names:
        return ""
    if len(names) == 1:
        joined = names[0]
    elif len(names) == 2:
        joined = f"{names[0]} & {names[1]}"
    else:
        joined = ", ".join(names[:-1]) + ", & " + names[-1]
    return f"{joined} ({'Ed.' if len(names) == 1 else 'Eds.'})"


def _sentence(text: str) -> str:
    """End a title with a period unless it already ends with a stop of its own."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _year(citation: Citation) -> str:
    year = str(citation.year).strip() if citation.year else ""
    if not year and citation.status == "in press":
        year = "in press"
    return f"({year or 'n.d.'})."


def segments(citation: Citation) -> list[Segment]:
    """The reference as (text, italic, space-before) segments."""
    out: list[Segment] = []

    def add(text: str, italic: bool = False, space: bool = True) -> None:
        out.append((text, italic, space and bool(out)))

    authors = _author_list(citation.authors)
    if authors:
        add(authors if authors.endswith(".") else authors + ".")
    add(_year(citation))
    source = (citation.journal or "").strip().rstrip(".")
    if citation.kind == "chapter" and source:
        # A chapter in an edited book: chapter title, "In M. J. Lambert (Ed.), *Book* (pp.)."
        if citation.title:
            add(_sentence(citation.title))
        editors = _editor_list(citation.editors)
        add(f"In {editors}," if editors else "In")
        add(source, italic=True)
        add(f" (pp. {citation.pages})." if citation.pages else ".", space=False)
    elif source:
        if citation.title:
            add(_sentence(citation.title))
        if citation.volume:
            add(f"{source}, {citation.volume}", italic=True)
            tail = f"({citation.issue})" if citation.issue else ""
            add(tail + (f", {citation.pages}." if citation.pages else "."), space=False)
        else:
            add(source, italic=True)
            add(f", {citation.pages}." if citation.pages else ".", space=False)
    elif citation.title:
        add(_sentence(citation.title), italic=True)  # a whole book: its title is italic
    if citation.publisher:
        add(_sentence(citation.publisher))
    if citation.doi:
        add(f"https://doi.org/{citation.doi}")
    return out


def apa_text(citation: Citation) -> str:
    """The reference as one line of plain text."""
    return "".join((" " if space else "") + text for text, _, space in segments(citation))


def apa_html(citation: Citation) -> Markup:
    """The reference as escaped HTML with ``<i>`` for the book, journal and volume."""
    out = []
    for text, italic, space in segments(citation):
        piece = str(escape(text))
        out.append((" " if space else "") + (f"<i>{piece}</i>" if italic else piece))
    return Markup("".join(out))
