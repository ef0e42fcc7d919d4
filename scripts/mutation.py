"""Mutation testing of the core modules, one module at a time, against that module's own tests.

Why module by module: a mutant in `citation.py` should be caught by `test_citation.py`, not by
some end-to-end test that happens to pass through it; and running only a module's own tests
keeps a run within minutes on a small machine. Each module gets its own work folder under
`.mutation/<module>/` (a copy of `explorer/` and `tests/`, and a `pyproject.toml` whose
`[tool.mutmut]` table is the repository's plus `only_mutate` and the test selection), so mutmut's
cache of results survives between runs and modules never share state.

The module list and the equivalent mutants (mutants that cannot change behaviour, each with the
reason) live in `scripts/mutation.toml`. The score is killed / (killed + survived), equivalent
mutants left out; a mutant that times out counts as killed (the tests noticed), one with no
covering test as survived, and one an interrupted run never reached as "not run".

Run by hand, not in CI (it is slow):  scripts/mutation [MODULE ...] [--jobs N] [--fresh] [--show]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "scripts" / "mutation.toml"
WORK = REPO / ".mutation"
MUTMUT = REPO / ".venv" / "bin" / "mutmut"
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}
NOT_RUN = {"not checked", "skipped"}  # an interrupted run: left out of the score


@dataclass
class Row:
    """One module's line of the score table."""

    module: str
    statuses: dict[str, str] = field(default_factory=dict)
    equivalent: set[str] = field(default_factory=set)

    @property
    def killed(self) -> int:
        return sum(1 for s in self.statuses.values() if s in DETECTED)

    @property
    def not_run(self) -> int:
        return sum(1 for s in self.statuses.values() if s in NOT_RUN)

    @property
    def survivors(self) -> list[str]:
        return sorted(n for n, s in self.statuses.items()
                      if s not in DETECTED and s not in NOT_RUN and n not in self.equivalent)

    @property
    def score(self) -> float:
        counted = self.killed + len(self.survivors)
        return 100.0 * self.killed / counted if counted else 0.0


def _toml_value(value: object) -> str:
    """TOML for the simple values mutmut takes (strings, numbers, booleans, string lists)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def module_pyproject(module: str, tests: list[str]) -> str:
    """The repository's pyproject.toml with a `[tool.mutmut]` table narrowed to one module."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    base = tomllib.loads(text).get("tool", {}).get("mutmut", {})
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", text)
    settings = dict(base) | {"only_mutate": [module],
                             "pytest_add_cli_args_test_selection": tests}
    lines = ["[tool.mutmut]"] + [f"{k} = {_toml_value(v)}" for k, v in settings.items()]
    return text.rstrip() + "\n\n" + "\n".join(lines) + "\n"


def prepare(module: str, tests: list[str], *, fresh: bool) -> Path:
    """(Re)build the module's work folder; keep mutmut's results unless `fresh`."""
    folder = WORK / Path(module).with_suffix("").as_posix().replace("/", ".")
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("explorer", "tests"):
        shutil.rmtree(folder / name, ignore_errors=True)
        shutil.copytree(REPO / name, folder / name, ignore=ignore)
    for name in ("corpus", "templates"):
        link = folder / name
        if not link.exists():
            link.symlink_to(REPO / name)
    # tests find ../shared beside the repository; mutmut runs them from <folder>/mutants
    shared = folder / "shared"
    if not shared.exists() and (REPO.parent / "shared").exists():
        shared.symlink_to(REPO.parent / "shared")
    (folder / "pyproject.toml").write_text(module_pyproject(module, tests), encoding="utf-8")
    return folder


def run_module(module: str, tests: list[str], *, jobs: int, fresh: bool, run: bool = True,
               only: list[str] | None = None) -> dict[str, str]:
    """Run mutmut for one module (unless `run` is false: the last results); the status of
    every mutant, by mutant name. `only`: mutant-name globs, e.g. "*x_topic_metrics*"."""
    folder = WORK / Path(module).with_suffix("").as_posix().replace("/", ".")
    if run or not (folder / "mutants").is_dir():
        folder = prepare(module, tests, fresh=fresh)
        log = folder / "run.log"
        with log.open("w", encoding="utf-8") as out:
            done = subprocess.run([str(MUTMUT), "run", "--max-children", str(jobs), *(only or [])],
                                  cwd=folder, stdout=out, stderr=subprocess.STDOUT, check=False)
        if done.returncode:
            sys.exit(f"mutmut failed on {module} (exit {done.returncode}); see {log}")
    listing = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=folder,
                             capture_output=True, text=True, check=True).stdout
    statuses = {}
    for line in listing.splitlines():
        name, sep, status = line.strip().partition(": ")
        if sep:
            statuses[name] = status.strip()
    return statuses


def show(module: str, names: list[str]) -> None:
    """Print the diff of each named mutant (for writing the test that kills it)."""
    folder = WORK / Path(module).with_suffix("").as_posix().replace("/", ".")
    for name in names:
        print(subprocess.run([str(MUTMUT), "show", name], cwd=folder, capture_output=True,
                             text=True, check=False).stdout)


def table(rows: list[Row]) -> str:
    head = (f"{'module':34} {'mutants':>7} {'killed':>6} {'survived':>8} "
            f"{'equivalent':>10} {'not run':>7} {'score':>6}")
    out = [head, "-" * len(head)]
    for r in rows:
        equivalent = len(r.equivalent & set(r.statuses))
        out.append(f"{r.module:34} {len(r.statuses):7} {r.killed:6} {len(r.survivors):8} "
                   f"{equivalent:10} {r.not_run:7} {r.score:5.1f}%")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="paths as listed in scripts/mutation.toml")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results")
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    parser.add_argument("--no-run", action="store_true",
                        help="print the table of the last run without running mutmut")
    parser.add_argument("--only", action="append", metavar="GLOB",
                        help="mutmut mutant names to run, e.g. '*x_topic_metrics*' (repeatable)")
    parser.add_argument("--min-score", type=float, default=0.0,
                        help="exit 1 when a module scores below this (percent)")
    args = parser.parse_args(argv)
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    modules: dict[str, dict] = data["modules"]
    unknown = [m for m in args.modules if m not in modules]
    if unknown:
        parser.exit(2, f"scripts/mutation: unknown module {unknown[0]!r}; "
                       f"choose from {', '.join(modules)}\n")
    if not MUTMUT.exists():
        parser.exit(2, "scripts/mutation: mutmut is missing: run scripts/setup\n")
    equivalent = {e["mutant"] for e in data.get("equivalent", [])}
    rows = []
    for module in args.modules or list(modules):
        print(f"mutating {module} against {' '.join(modules[module]['tests'])} ...", flush=True)
        statuses = run_module(module, modules[module]["tests"], jobs=args.jobs, fresh=args.fresh,
                              run=not args.no_run, only=args.only)
        row = Row(module, statuses, equivalent)
        rows.append(row)
        stale = sorted(n for n in equivalent & set(statuses) if statuses[n] in DETECTED)
        if stale:
            print(f"  listed as equivalent but killed (remove from {DATA.name}): {stale}")
        if row.survivors:
            print(f"  survivors: {' '.join(row.survivors)}")
            if args.show:
                show(module, row.survivors)
    print()
    print(table(rows))
    return 1 if any(r.score < args.min_score for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
