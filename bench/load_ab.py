"""Paired load test: this checkout against another commit, both loaded at the same time.

On a shared two-core machine the CPU time a request costs moves by a fifth from one
minute to the next (other work, the host), so two versions measured one after the other
cannot be told apart by less than that. Here both versions serve at once, each
`pprnet serve --workers N` on its own index built by its own code from the same corpus,
and two wrk runs (one per server, same URLs, same connections) start and stop together:
whatever slows the machine slows both. Each round gives each server's CPU time per
request; the ratio of the two within a round is the figure to read, and its median over
the rounds the result.

    .venv/bin/python bench/load_ab.py --base dd908dd               # uncached mix, 6 rounds
    .venv/bin/python bench/load_ab.py --base HEAD~3 --urls healthz --rounds 4
    .venv/bin/python bench/load_ab.py --base HEAD --threads 2 --base-threads 8

The other commit is exported with `git archive` into a temporary folder (no worktree
is left behind) and runs on this checkout's virtual environment.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.load import (  # noqa: E402
    LUA,
    cpu_seconds,
    ensure_wrk,
    free_port,
    mix_paths,
    wait_ready,
    wrk_figures,
)

KINDS = {"uncached": "the load test's mix, a new URL each request",
         "cached": "the load test's mix, each URL visited before",
         "healthz": "/healthz only"}


def export_commit(ref: str, into: Path) -> Path:
    """The tree of ``ref`` (any git revision) written into ``into``/tree."""
    tree = into / "tree"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", ref],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        raise SystemExit(f"git archive {ref}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def build_index(tree: Path, corpus: Path, index: Path) -> None:
    """Index and model of ``corpus`` built by the code in ``tree``."""
    subprocess.run([sys.executable, "-m", "explorer.cli", "build", "--quiet",
                    "--corpus", str(corpus), "--index", str(index)],
                   cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True)


def start_server(tree: Path, corpus: Path, index: Path, workers: int, threads: int, log: Path
                 ) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "explorer.cli", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--corpus", str(corpus), "--index", str(index),
             "--workers", str(workers), "--threads", str(threads)],
            cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
            stdout=out, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def one_round(wrk: str, script: str, servers: dict[str, tuple[subprocess.Popen, str]],
              duration: int, connections: int, urls: int) -> dict[str, dict]:
    """Both wrk runs at once; each server's figures (`bench.load.wrk_figures`)."""
    before = {name: cpu_seconds(proc.pid) for name, (proc, _) in servers.items()}
    runs = {name: subprocess.Popen(
        [wrk, "-t", "1", "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
         "-s", script, base], stdout=subprocess.PIPE, text=True)
        for name, (_, base) in servers.items()}
    outputs = {name: run.communicate(timeout=duration + 60)[0] for name, run in runs.items()}
    after = {name: cpu_seconds(proc.pid) for name, (proc, _) in servers.items()}
    return {name: wrk_figures(out, urls=urls, cpu_before=before[name], cpu_after=after[name])
            for name, out in outputs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the git revision to compare with")
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--urls", choices=sorted(KINDS), default="uncached",
                        help="; ".join(f"{k}: {v}" for k, v in KINDS.items()))
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--duration", type=int, default=6, help="seconds per round")
    parser.add_argument("--connections", type=int, default=32, help="per server")
    parser.add_argument("--workers", type=int, default=2, help="processes per server")
    parser.add_argument("--threads", type=int, default=8, help="threads per process of this "
                        "checkout's server")
    parser.add_argument("--base-threads", type=int, default=None, help="the same for the "
                        "other server (default: --threads); with --base HEAD this compares "
                        "two thread counts of one version")
    args = parser.parse_args()
    args.base_threads = args.base_threads or args.threads
    if min(args.rounds, args.duration, args.workers, args.connections, args.threads,
           args.base_threads) < 1:
        parser.error("--rounds, --duration, --workers, --connections and the thread counts "
                     "must be at least 1")
    wrk = ensure_wrk()
    corpus = args.corpus.resolve()
    paths = ["/healthz"] if args.urls == "healthz" else mix_paths(corpus)
    with tempfile.TemporaryDirectory(prefix="pprnet-ab-") as tmp:
        work = Path(tmp)
        trees = {"base": export_commit(args.base, work), "this": REPO}
        threads = {"base": args.base_threads, "this": args.threads}
        servers: dict[str, tuple[subprocess.Popen, str]] = {}
        try:
            for name, tree in trees.items():
                build_index(tree, corpus, work / f"index-{name}")
                servers[name] = start_server(tree, corpus, work / f"index-{name}", args.workers,
                                             threads[name], work / f"{name}.log")
            for _, base in servers.values():
                wait_ready(base)
                for _ in range(args.workers):  # a site after its first minutes
                    for path in paths:
                        urllib.request.urlopen(base + path, timeout=30).read()
            script = work / "mix.lua"
            script.write_text(LUA % {"paths": ",".join(json.dumps(p) for p in paths),
                                     "bust": "true" if args.urls == "uncached" else "false"})
            rounds = []
            for n in range(args.rounds):
                figures = one_round(wrk, str(script), servers, args.duration, args.connections,
                                    len(paths))
                ratio = (figures["this"]["server_cpu_ms_per_request"]
                         / max(figures["base"]["server_cpu_ms_per_request"], 1e-9))
                rounds.append({**figures, "cpu_ratio_this_to_base": round(ratio, 3)})
                print(f"round {n + 1}: CPU ms/request base "
                      f"{figures['base']['server_cpu_ms_per_request']}, this "
                      f"{figures['this']['server_cpu_ms_per_request']}, ratio {ratio:.3f}",
                      file=sys.stderr, flush=True)
        finally:
            for proc, _ in servers.values():
                proc.terminate()
            for proc, _ in servers.values():
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
    ratios = [r["cpu_ratio_this_to_base"] for r in rounds]
    report = {
        "base": args.base, "urls": args.urls, "workers": args.workers,
        "threads": {"base": args.base_threads, "this": args.threads},
        "connections_per_server": args.connections, "duration_s": args.duration,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "rounds": rounds,
        "median_cpu_ms_per_request": {
            name: statistics.median(r[name]["server_cpu_ms_per_request"] for r in rounds)
            for name in ("base", "this")},
        "median_cpu_ratio_this_to_base": statistics.median(ratios),
        "errors_total": sum(r[name]["non_2xx"] + r[name]["socket_errors"]
                            for r in rounds for name in ("base", "this")),
    }
    print(json.dumps(report, indent=2))
    median = report["median_cpu_ratio_this_to_base"]
    print(f"\nCPU per request, this checkout / {args.base}: median {median:.3f} over "
          f"{len(rounds)} rounds (each: {', '.join(f'{r:.3f}' for r in ratios)})")


if __name__ == "__main__":
    main()
