"""The command line starts without loading the heavy libraries it does not need.

Importing NLTK pulls in SciPy (seconds); scikit-learn, Whoosh and Flask are large too. The
commands that never stem a word or open the index (``--version``, ``--help``, ``check``,
``dump``, any ``COMMAND --help``) must not import them. Each case runs in a fresh
interpreter, since this test process has long since imported everything. The start-up
times themselves are measured by ``bench/cli_bench.py``, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BUNDLED_CORPUS, REPO

HEAVY = ("nltk", "sklearn", "scipy", "whoosh", "flask", "waitress")

# Runs the CLI in-process, then reports which heavy top-level packages got imported.
PROBE = """
import json, sys
report, heavy_names, args = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
import explorer.cli
try:
    explorer.cli.main(args, prog_name="pprnet")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(heavy_names))
with open(report, "w") as out:
    json.dump({"code": code, "heavy": heavy}, out)
"""


def loaded_by(args: list[str], tmp_path: Path) -> dict:
    report = tmp_path / "report.json"
    subprocess.run(
        [sys.executable, "-c", PROBE, str(report), ",".join(HEAVY), *args],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )
    return json.loads(report.read_text())


def test_importing_the_cli_loads_nothing_heavy() -> None:
    code = ("import sys, json, explorer.cli; "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], cwd=REPO,
                                                text=True))
    assert "explorer" in loaded and "click" in loaded
    assert [name for name in HEAVY if name in loaded] == []


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["check", "--quiet", "--corpus", str(BUNDLED_CORPUS)],
        ["dump", "--corpus", str(BUNDLED_CORPUS)],
    ],
    ids=["version", "help", "check", "dump"],
)
def test_fast_commands_load_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    result = loaded_by(args, tmp_path)
    assert result == {"code": 0, "heavy": []}


def test_every_command_help_loads_nothing_heavy(tmp_path: Path) -> None:
    from explorer.cli import main

    for name in sorted(main.commands):
        result = loaded_by([name, "--help"], tmp_path)
        assert result == {"code": 0, "heavy": []}, name


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The probe can see a heavy import: `search` on a missing index opens the engine."""
    result = loaded_by(["search", "alliance", "--index", str(tmp_path / "none")], tmp_path)
    assert result["code"] != 0
    assert "whoosh" in result["heavy"]


def test_pprnet_version_works() -> None:
    script = Path(sys.executable).with_name("pprnet")
    for argv in ([str(script), "--version"], [sys.executable, "-m", "explorer.cli", "--version"]):
        done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"pprnet, version {_version()}"


def _version() -> str:
    from explorer import __version__

    return __version__
