"""The type checker's rules, and every ``# type: ignore`` in the package naming its error.

`scripts/test` runs mypy on ``explorer/`` after ruff (CI runs `scripts/test`). Its settings
in pyproject.toml are what keep the ignores honest: ``warn_unused_ignores`` fails on an
ignore that silences nothing, and no module may switch the checker off. A bare ignore would
hide any error at all on its line, so each must say which one
(``# type: ignore[attr-defined]``).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "explorer"
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


def _mypy_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]


def test_mypy_checks_the_package_strictly_enough_to_keep_ignores_honest():
    config = _mypy_config()
    assert config["files"] == ["explorer"]
    assert config["warn_unused_ignores"] is True
    assert config["disallow_untyped_defs"] is True
    assert config["check_untyped_defs"] is True
    assert not config.get("ignore_errors")
    assert not config.get("ignore_missing_imports"), "list the untyped libraries by name"


def test_no_module_switches_the_checker_off():
    overrides = _mypy_config().get("overrides", [])
    assert all(not o.get("ignore_errors") for o in overrides)
    untyped = [m for o in overrides if o.get("ignore_missing_imports") for m in o["module"]]
    assert untyped and not any(m.startswith("explorer") for m in untyped)
    # an inline "# mypy: ignore-errors" comment would switch it off for one whole module
    skipped = [p for p in PACKAGE.rglob("*.py")
               if re.search(r"#\s*mypy:.*ignore-errors", p.read_text(encoding="utf-8"))]
    assert skipped == []


def test_scripts_test_runs_mypy_after_ruff():
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert ".venv/bin/mypy explorer" in script
    assert script.index("ruff check") < script.index("mypy explorer") < script.index("pytest")
