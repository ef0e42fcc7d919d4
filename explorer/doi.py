"""One DOI normaliser for the corpus, the editor, the importer's duplicate check and search.

DOIs arrive in many dresses: bare (``10.1037/pst0000123``), with a ``doi:`` or ``DOI``
label, as a ``https://doi.org/`` or old ``http://dx.doi.org/`` link, in any case, with
the sentence's full stop or a closing bracket stuck to the end. DOIs are
case-insensitive by definition, so two records name the same article when their
`doi_key` is equal; `strip_doi` only undresses a stored DOI, keeping the rest for
display, and `trim_doi` cuts one out of running text.
"""

from __future__ import annotations

import re

# A label or resolver link in front of the DOI itself.
_PREFIX_RE = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?(?:dx\.)?doi\.org/|doi\s*:?\s*(?=10\.)|doi:\s*)",
    re.IGNORECASE,
)
# A DOI inside free text (a pasted reference or search box), with what may precede it.
_IN_TEXT_RE = re.compile(
    r"(?:^|[\s(<\[])(?:doi\s*:?\s*|(?:https?://)?(?:www\.)?(?:dx\.)?doi\.org/)?"
    r"(10\.\d{4,9}/[^\s\"<>]+)",
    re.IGNORECASE,
)
_TRAILING = ".,;:'\"" + "\u2019\u201d"
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}


def trim_doi(doi: str) -> str:
    """A DOI cut from running text without the punctuation that followed it, nor closing
    brackets it did not open (a DOI may hold brackets:
    ``10.1002/(SICI)1097-4679(199901)55:1<1::AID-JCLP1>3.0.CO;2-R``)."""
    while doi:
        last = doi[-1]
        unopened = last in _CLOSERS and doi.count(_CLOSERS[last]) < doi.count(last)
        if last not in _TRAILING and not unopened:
            break
        doi = doi[:-1]
    return doi


def strip_doi(value: str | None) -> str | None:
    """The DOI of a DOI field as stored: without label or resolver link, case and every
    other character kept (what a record says is shown as it is, escaped); None when
    nothing is left."""
    if not value:
        return None
    doi = _PREFIX_RE.sub("", value.strip()).strip()
    return doi or None


def doi_key(value: str | None) -> str | None:
    """A DOI as compared and indexed: `strip_doi`, `trim_doi`, lowercased."""
    doi = trim_doi(strip_doi(value) or "")
    return doi.lower() if doi else None


def find_doi(text: str) -> str | None:
    """The first DOI written anywhere in ``text``, as its `doi_key`, or None."""
    match = _IN_TEXT_RE.search(text or "")
    return doi_key(match.group(1)) if match else None
