"""Start-up time of the ``pprnet`` command line, the way a person meets it.

    .venv/bin/python bench/cli_bench.py                 # median of 5 runs per command
    .venv/bin/python bench/cli_bench.py --runs 9 --json-only
    .venv/bin/python bench/cli_bench.py --serve         # also: scripts/run to a served page

Each command is run as a fresh process (the console script beside this Python), so the
figure includes interpreter start, imports and the command's own work; ``check`` and
``dump`` read the bundled corpus (or ``--corpus``). Wall-clock times depend on the machine
and on what else runs on it: compare runs made one after the other. The CPU seconds
(user + system, of the process and its children) hardly move with the machine's load, so
they compare runs on a busy machine. The targets are the
ones from issue 13: ``--version``, ``--help``, ``check`` and ``dump`` under 0.5 s each.

``--serve`` also times ``scripts/run`` (set-up check, then ``pprnet serve``) from its start
to the first search page answered, with the venv set up and the index built (one untimed
run first makes sure of both); the target is 6 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.5
TARGETED = {"pprnet --version", "pprnet --help", "pprnet check", "pprnet dump"}
SERVE_LABEL = "scripts/run -> first page"
SERVE_TARGET_SECONDS = 6.0
SERVE_TIMEOUT = 600.0  # the untimed first run may build the index


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


def child_cpu() -> float:
    """CPU seconds used so far by the children this process has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_once(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and exit code of one run, output thrown away."""
    cpu, start = child_cpu(), time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          check=False)
    return time.perf_counter() - start, child_cpu() - cpu, done.returncode


def time_served_page() -> tuple[float, float, int]:
    """Seconds from starting ``scripts/run`` to a 200 for ``/`` (wall, then CPU up to the
    server's stop, which follows at once) and the exit code; the server is stopped."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cpu, start = child_cpu(), time.perf_counter()
    wall, code = SERVE_TIMEOUT, 1
    proc = subprocess.Popen([str(ROOT / "scripts" / "run"), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < SERVE_TIMEOUT:
            if proc.poll() is not None:
                wall, code = time.perf_counter() - start, proc.returncode or 1
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
                    if reply.status == 200:
                        wall, code = time.perf_counter() - start, 0
                        break
            except OSError:
                time.sleep(0.05)
    finally:
        proc.terminate()  # scripts/run execs pprnet serve: this is the server itself
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return wall, child_cpu() - cpu, code


def summarise(label: str, runs: list[tuple[float, float, int]], target: float | None) -> dict:
    seconds = [wall for wall, _, _ in runs]
    return {
        "command": label,
        "median_s": round(statistics.median(seconds), 3),
        "min_s": round(min(seconds), 3),
        "max_s": round(max(seconds), 3),
        "median_cpu_s": round(statistics.median(cpu for _, cpu, _ in runs), 3),
        "exit_codes": sorted({code for _, _, code in runs}),
        "target_s": target,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (median)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--json-only", action="store_true", help="print the JSON line only")
    parser.add_argument("--serve", action="store_true",
                        help="also time scripts/run to the first page (3 runs after 1 untimed)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    script = Path(sys.executable).with_name("pprnet")
    if not script.exists():
        parser.error(f"{script} not found: run scripts/setup first")
    results = []
    for label, argv in commands(script, args.corpus).items():
        runs = [time_once(argv) for _ in range(args.runs)]
        results.append(summarise(label, runs, TARGET_SECONDS if label in TARGETED else None))
    if args.serve:
        time_served_page()  # untimed: sets up the venv and builds the index if needed
        runs = [time_served_page() for _ in range(3)]
        results.append(summarise(SERVE_LABEL, runs, SERVE_TARGET_SECONDS))
    print(json.dumps({"runs": args.runs, "results": results}))
    if not args.json_only:
        print()
        print(f"{'command':<28}{'median s':>10}{'min s':>8}{'max s':>8}{'CPU s':>8}  target")
        for row in results:
            target = row["target_s"]
            verdict = "" if target is None else (
                f"< {target} {'ok' if row['median_s'] < target else 'MISSED'}")
            print(f"{row['command']:<28}{row['median_s']:>10.3f}{row['min_s']:>8.3f}"
                  f"{row['max_s']:>8.3f}{row['median_cpu_s']:>8.3f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
