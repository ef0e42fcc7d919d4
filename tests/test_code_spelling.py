"""One spelling in the package's own words: ``analyze`` (identifiers, docstrings, comments).

The British forms stay only as data: the spelling table that folds them for search
(``"analysed": "analyzed"`` in `textproc`). "analyses" is left alone: as a noun
("meta-analyses") both spellings agree.
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "explorer"
BRITISH = re.compile(r"\banalys(?:e|ed|ing)\b", re.IGNORECASE)
TABLE_ENTRY = re.compile(r'^\s*"analys\w*": "analyz\w*",\s*$')


def british_spellings(text: str) -> list[int]:
    """Lines of ``text`` that spell analyze the British way, spelling-table entries aside."""
    return [n for n, line in enumerate(text.splitlines(), start=1)
            if BRITISH.search(line) and not TABLE_ENTRY.match(line)]


def test_the_package_says_analyze():
    found = [f"{path.relative_to(PACKAGE.parent)}:{n}"
             for path in sorted(PACKAGE.rglob("*.py"))
             for n in british_spellings(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_scan_tells_prose_from_the_spelling_table():
    text = ('"""Analysed once."""\n    "analysed": "analyzed",\n# analysing here\n'
            "x = 1  # the analyses of a meta-analysis\n")
    assert british_spellings(text) == [1, 3]
