"""Every ``# type: ignore`` in the package names the error it silences.

No type checker runs in CI yet (mypy finds about 30 errors outside the ignores); until one
does, a bare ignore would hide any error at all on its line, so each must say which one
(``# type: ignore[attr-defined]``).
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "explorer"
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[a-z0-9-]+(?:,\s*[a-z0-9-]+)*\])?")


def ignores(text: str) -> list[tuple[int, bool]]:
    """(line, has a code) of every type-ignore comment in ``text``."""
    return [(n, bool(m.group("codes")))
            for n, line in enumerate(text.splitlines(), start=1)
            for m in IGNORE.finditer(line)]


def test_every_ignore_names_its_error_code():
    bare = [f"{path.relative_to(PACKAGE.parent)}:{line}"
            for path in sorted(PACKAGE.rglob("*.py"))
            for line, coded in ignores(path.read_text(encoding="utf-8")) if not coded]
    assert bare == []


def test_the_scan_tells_bare_from_coded():
    text = "x = f()  # type: ignore\ny = g()  # type: ignore[attr-defined, index]\nz = 1\n"
    assert ignores(text) == [(1, False), (2, True)]
