"""``scripts/setup`` runs pip only when the venv is not current.

``scripts/run`` and ``scripts/test`` call it on every start; re-running pip there cost
seconds each time. The script is run on a copy of the checkout's two inputs
(``pyproject.toml`` and the script itself) with a stand-in ``.venv/bin/python`` that
records each pip call instead of installing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import REPO

FAKE_PYTHON = """#!/usr/bin/env bash
echo "$*" >> "$(dirname "$0")/../pip-calls.log"
exit "${FAKE_PIP_EXIT:-0}"
"""


def make_checkout(root: Path) -> Path:
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(REPO / "scripts" / "setup", root / "scripts" / "setup")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "pprnet"):
        (bin_dir / name).write_text(FAKE_PYTHON)
        (bin_dir / name).chmod(0o755)
    return root


def setup(root: Path, *args: str, fail: bool = False) -> int:
    env = {"PATH": "/usr/bin:/bin", **({"FAKE_PIP_EXIT": "1"} if fail else {})}
    return subprocess.run([str(root / "scripts" / "setup"), *args], env=env,
                          capture_output=True, text=True, timeout=60, check=False).returncode


def pip_calls(root: Path) -> int:
    log = root / ".venv" / "pip-calls.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_setup_installs_once_then_only_when_pyproject_changes(tmp_path: Path) -> None:
    root = make_checkout(tmp_path / "checkout")
    assert setup(root) == 0
    first = pip_calls(root)
    assert first >= 1 and any("-e .[test]" in line for line in
                               (root / ".venv" / "pip-calls.log").read_text().splitlines())
    assert setup(root) == 0
    assert pip_calls(root) == first  # current: pip not run at all

    with (root / "pyproject.toml").open("a") as handle:
        handle.write("\n# a new dependency would go here\n")
    assert setup(root) == 0
    assert pip_calls(root) == 2 * first
    assert setup(root, "--force") == 0
    assert pip_calls(root) == 3 * first


def test_a_failed_install_is_retried_next_time(tmp_path: Path) -> None:
    root = make_checkout(tmp_path / "checkout")
    assert setup(root, fail=True) != 0
    assert not (root / ".venv" / ".setup-stamp").exists()
    calls = pip_calls(root)
    assert setup(root) == 0
    assert pip_calls(root) > calls
