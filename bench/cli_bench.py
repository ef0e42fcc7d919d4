"""Start-up time of the ``pprnet`` command line, the way a person meets it.

    .venv/bin/python bench/cli_bench.py                 # median of 5 runs per command
    .venv/bin/python bench/cli_bench.py --runs 9 --json-only

Each command is run as a fresh process (the console script beside this Python), so the
figure includes interpreter start, imports and the command's own work; ``check`` and
``dump`` read the bundled corpus (or ``--corpus``). Wall-clock times depend on the machine
and on what else runs on it: compare runs made one after the other. The targets are the
ones from issue 13: ``--version``, ``--help``, ``check`` and ``dump`` under 0.5 s each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.5
TARGETED = {"pprnet --version", "pprnet --help", "pprnet check", "pprnet dump"}


def commands(script: Path, corpus: Path) -> dict[str, list[str]]:
    """The command lines timed, by label (label = how a person would type it).

    The bare interpreter start comes first: on a busy machine it shows how much of each
    figure is the machine rather than the program.
    """
    where = ["--corpus", str(corpus), "--index", str(ROOT / "index")]
    pprnet = str(script)
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "pprnet --version": [pprnet, "--version"],
        "pprnet --help": [pprnet, "--help"],
        "pprnet check": [pprnet, "check", "--quiet", *where],
        "pprnet dump": [pprnet, "dump", *where],
        "pprnet search --help": [pprnet, "search", "--help"],
    }


def time_once(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and exit code of one run, output thrown away."""
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          check=False)
    return time.perf_counter() - start, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (median)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--json-only", action="store_true", help="print the JSON line only")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    script = Path(sys.executable).with_name("pprnet")
    if not script.exists():
        parser.error(f"{script} not found: run scripts/setup first")
    results = []
    for label, argv in commands(script, args.corpus).items():
        runs = [time_once(argv) for _ in range(args.runs)]
        seconds = [s for s, _ in runs]
        results.append({
            "command": label,
            "median_s": round(statistics.median(seconds), 3),
            "min_s": round(min(seconds), 3),
            "max_s": round(max(seconds), 3),
            "exit_codes": sorted({code for _, code in runs}),
            "target_s": TARGET_SECONDS if label in TARGETED else None,
        })
    print(json.dumps({"runs": args.runs, "results": results}))
    if not args.json_only:
        print()
        print(f"{'command':<24}{'median s':>10}{'min s':>8}{'max s':>8}  target")
        for row in results:
            target = row["target_s"]
            verdict = "" if target is None else (
                f"< {target} {'ok' if row['median_s'] < target else 'MISSED'}")
            print(f"{row['command']:<24}{row['median_s']:>10.3f}{row['min_s']:>8.3f}"
                  f"{row['max_s']:>8.3f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
