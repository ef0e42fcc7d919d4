"""Load test: a real `pprnet serve` on 127.0.0.1 driven by wrk, figures as JSON.

Runs the server on the bundled corpus (or --corpus), then four wrk runs against the same
server: a trivial endpoint (/healthz); a bare page (the empty reading list, new URL each
request: the site's page frame through Flask and Jinja, no search, the floor under every
page); a mix of search, facet, summary and topic URLs built
from the corpus, after one visit to each (the steady state of a site whose pages are
cached); and the same mix with a unique cache-busting parameter on every request, so each
one runs the search and renders its page. Prints JSON with requests per second, p50/p99
latency, non-2xx and socket errors, the server's CPU time per request, each mix's
throughput as a fraction of the trivial one, and the load average (other work on the
machine skews every figure: run it on a quiet machine).

    .venv/bin/python bench/load.py                 # 32 connections, 15 s each run
    .venv/bin/python bench/load.py --duration 5 --connections 64
    .venv/bin/python bench/load.py --duration 6 --workers 2 --repeat 5   # medians of 5

Only loopback is targeted; every run is bounded in time and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from explorer.corpus import load_corpus  # noqa: E402
from explorer.records import slugify  # noqa: E402

LUA = r"""
local paths = {%(paths)s}
local bust = %(bust)s
local counter = 0
function setup(thread)
  thread:set("offset", math.random(1, #paths))
end
function request()
  counter = counter + 1
  local p = paths[((counter + (offset or 0)) %% #paths) + 1]
  if bust then
    local sep = string.find(p, "?", 1, true) and "&" or "?"
    p = p .. sep .. "_=" .. counter .. "-" .. (offset or 0) .. "-" .. math.random(1, 1e9)
  end
  return wrk.format("GET", p)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '@@{"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,"max_us":%%d,' ..
    '"non2xx":%%d,"connect_errors":%%d,"read_errors":%%d,"write_errors":%%d,"timeouts":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect, e.read, e.write, e.timeout))
end
"""


# The cheapest page the site renders: the empty reading list is the page frame (header,
# navigation, footer) and a heading, with no search, summary or facet. No page can be
# cheaper, so its share of /healthz's throughput bounds every page's.
BARE_PAGE = "/list"


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk could not be installed")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mix_paths(corpus: Path, seed: int = 7) -> list[str]:
    """Realistic URLs: keyword searches, faceted filters, summary pages and topic pages."""
    result = load_corpus(corpus)
    rng = random.Random(seed)
    summaries = result.summaries
    words = [w for s in summaries for w in re.findall(r"[a-z]{5,}", s.title.lower())]
    topics = sorted({t for s in summaries for t in s.topics})
    types = sorted({s.research_type for s in summaries if s.research_type})
    paths = []
    for _ in range(60):
        q = " ".join(rng.sample(words, rng.choice([1, 1, 2, 3])))
        paths.append("/?" + urllib.parse.urlencode({"q": q}))
        paths.append("/api/search?" + urllib.parse.urlencode({"q": q}))
    for _ in range(40):
        params = [("topic", rng.choice(topics))]
        if rng.random() < 0.5:
            params.append(("type", rng.choice(types)))
        if rng.random() < 0.5:
            params.append(("from", str(rng.randint(2013, 2018))))
        if rng.random() < 0.5:
            params.append(("q", rng.choice(words)))
        paths.append("/?" + urllib.parse.urlencode(params))
    for s in rng.sample(summaries, min(40, len(summaries))):
        paths.append(f"/summary/{s.id}")
    for t in rng.sample(topics, min(15, len(topics))):
        paths.append(f"/topics/{slugify(t)}")
    paths.append("/topics")
    rng.shuffle(paths)
    return paths


def search_paths(corpus: Path, count: int, seed: int = 11) -> list[str]:
    """``count`` different search-page URLs: words, topic, type and year filters, pages."""
    result = load_corpus(corpus)
    rng = random.Random(seed)
    words = sorted({w for s in result.summaries for w in re.findall(r"[a-z]{5,}",
                                                                     s.title.lower())})
    topics = sorted({t for s in result.summaries for t in s.topics})
    types = sorted({s.research_type for s in result.summaries if s.research_type})
    seen: set[str] = set()
    for _ in range(count * 50):
        if len(seen) == count:
            break
        params = []
        if rng.random() < 0.8:
            params.append(("q", " ".join(rng.sample(words, rng.choice([1, 1, 2, 3])))))
        if rng.random() < 0.5:
            params.append(("topic", rng.choice(topics)))
        if rng.random() < 0.3:
            params.append(("type", rng.choice(types)))
        if rng.random() < 0.3:
            params.append(("from", str(rng.randint(2013, 2020))))
        if rng.random() < 0.2:
            params.append(("page", "2"))
        seen.add("/?" + urllib.parse.urlencode(params))
    return sorted(seen)


def wait_ready(base: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server at {base} did not become ready in {timeout:.0f}s")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time so far of a process and all its descendants (Linux; the
    server process and its workers), or None."""
    total, found = 0.0, False
    for one in _tree(pid):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        found = True
    return total if found else None


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc/<pid>/task/<tid>/children."""
    out, todo = [], [pid]
    while todo:
        one = todo.pop()
        out.append(one)
        for task in Path(f"/proc/{one}/task").glob("*/children"):
            try:
                todo.extend(int(x) for x in task.read_text().split())
            except (OSError, ValueError):
                continue
    return out


def run_wrk(wrk: str, base: str, paths: list[str], args: argparse.Namespace, *,
            server_pid: int, bust: bool = False) -> dict:
    lua_paths = ",".join(json.dumps(p) for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(LUA % {"paths": lua_paths, "bust": "true" if bust else "false"})
        script = handle.name
    cpu_before = cpu_seconds(server_pid)
    try:
        proc = subprocess.run(
            [wrk, "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s",
             "--timeout", "10s", "-s", script, base],
            capture_output=True, text=True, timeout=args.duration + 60, check=False,
        )
    finally:
        os.unlink(script)
    cpu_after = cpu_seconds(server_pid)
    return wrk_figures(proc.stdout + proc.stderr, urls=len(paths), cpu_before=cpu_before,
                       cpu_after=cpu_after)


def wrk_figures(output: str, *, urls: int, cpu_before: float | None,
                cpu_after: float | None) -> dict:
    """The figures of one wrk run (the ``@@`` line our Lua script prints), with the
    server's CPU milliseconds per request from its CPU seconds before and after."""
    line = next((x for x in output.splitlines() if x.startswith("@@")), None)
    if line is None:
        raise SystemExit(f"wrk gave no figures:\n{output}")
    raw = json.loads(line[2:])
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return {
        "requests": raw["requests"],
        "requests_per_second": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "non_2xx": raw["non2xx"],
        "socket_errors": errors,
        "urls": urls,
        "server_cpu_ms_per_request": None if cpu_before is None or cpu_after is None
        else round((cpu_after - cpu_before) * 1000 / max(raw["requests"], 1), 3),
    }


def serve_and_measure(wrk: str, args: argparse.Namespace, index: Path, workers: int,
                      paths: list[str], log_path: Path) -> dict:
    """Start `pprnet serve --workers N`, visit every URL once, then the four wrk runs."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "explorer.cli", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--corpus", str(args.corpus), "--index", str(index),
           "--workers", str(workers)]
    if args.server_threads:
        cmd += ["--threads", str(args.server_threads)]
    log = open(log_path, "w")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(base)
        for _ in range(workers):  # one visit each per worker: a site after its first minutes
            for path in paths:
                urllib.request.urlopen(base + path, timeout=30).read()
        load_before = os.getloadavg()
        rounds = []
        for _ in range(args.repeat):  # the four runs again on the same server
            trivial = run_wrk(wrk, base, ["/healthz"], args, server_pid=server.pid)
            bare = run_wrk(wrk, base, [BARE_PAGE], args, server_pid=server.pid, bust=True)
            mix = run_wrk(wrk, base, paths, args, server_pid=server.pid)
            uncached = run_wrk(wrk, base, paths, args, server_pid=server.pid, bust=True)
            rounds.append({
                "trivial": trivial, "bare_page": bare, "mix": mix, "mix_uncached": uncached,
                "bare_page_fraction_of_trivial": round(
                    bare["requests_per_second"] / trivial["requests_per_second"], 3),
                "mix_fraction_of_trivial": round(
                    mix["requests_per_second"] / trivial["requests_per_second"], 3),
                "mix_uncached_fraction_of_trivial": round(
                    uncached["requests_per_second"] / trivial["requests_per_second"], 3),
            })
        load_after = os.getloadavg()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    summary = median_round(rounds)
    return {
        "workers": workers,
        "load_average_1min": [round(load_before[0], 2), round(load_after[0], 2)],
        **summary,
        **({"rounds": rounds} if len(rounds) > 1 else {}),
    }


def median_round(rounds: list[dict]) -> dict:
    """One round's figures, each the median of that figure over ``rounds`` (a machine
    shared with other work moves single runs by a third; the median of five does not
    follow one unlucky run). Counts (requests, errors) are summed instead."""
    if len(rounds) == 1:
        return rounds[0]
    out: dict = {}
    for key, first in rounds[0].items():
        if isinstance(first, dict):
            out[key] = {}
            for name in first:
                values = [r[key][name] for r in rounds]
                if name in ("requests", "non_2xx", "socket_errors"):
                    out[key][name] = sum(values)
                elif all(isinstance(v, (int, float)) for v in values):
                    out[key][name] = round(statistics.median(values), 3)
                else:
                    out[key][name] = values[0]
        else:
            out[key] = round(statistics.median(r[key] for r in rounds), 3)
    return out


def uncached_mix(corpus: Path, count: int, bust: str) -> list[str]:
    """``count`` URLs of the load test's mix, each made new by a ``_=`` parameter (as the
    uncached wrk run makes them), so none comes from the page cache."""
    paths = mix_paths(corpus)
    out = []
    for n in range(count):
        path = paths[n % len(paths)]
        out.append(f"{path}{'&' if '?' in path else '?'}_={bust}{n}")
    return out


def profile_pages(corpus: Path, count: int, top: int, *, mix: bool = False) -> None:
    """Render ``count`` distinct search pages (with ``mix``: URLs of the uncached load-test
    mix: search and facet pages, /api/search, summaries, topics) through Flask's test
    client under cProfile and print the functions that take the most time (own time,
    then with callees)."""
    import cProfile
    import pstats

    from explorer.builder import build_all
    from explorer.web import create_app

    with tempfile.TemporaryDirectory(prefix="pprnet-profile-") as tmp:
        index = Path(tmp) / "index"
        build_all(corpus, index, with_model=False)
        # the search pages are visited twice: without the page cache; the mix (as served,
        # with the cache) gets new URLs for each pass
        app = create_app({"CORPUS_DIR": corpus, "INDEX_DIR": index,
                          **({} if mix else {"PAGE_CACHE_SIZE": 0})})
        app.extensions["pprnet"].warm()
        client = app.test_client()
        paths = uncached_mix(corpus, count, "a") if mix else search_paths(corpus, count)
        what = "URLs of the uncached mix" if mix else "distinct search pages"
        for path in paths[:10]:
            client.get(path)  # warm-up: open files, first-use arrays
        cpu0 = time.process_time()
        for path in paths:
            client.get(path)
        plain_cpu = time.process_time() - cpu0
        if mix:
            paths = uncached_mix(corpus, count, "b")
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        profiler.disable()
        elapsed = time.perf_counter() - started
    print(f"{len(paths)} {what}: {plain_cpu * 1000 / len(paths):.2f} ms CPU a "
          f"page without the profiler (2nd visit), {elapsed * 1000 / len(paths):.2f} ms under it "
          f"(load average {os.getloadavg()[0]:.1f})")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    # Unlike time, the count of calls does not move with the machine's load: on a busy
    # machine it is the figure to compare between two versions of the code.
    print(f"{stats.total_calls / len(paths):,.0f} Python function calls a page")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--index", type=Path, default=None,
                        help="index folder (default: a fresh temporary one)")
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--server-threads", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of the four runs against each server; figures are "
                        "the median over the rounds (each round is also printed)")
    parser.add_argument("--workers", default=None,
                        help="comma-separated server process counts to compare "
                        "(default: 1 and the number of cores)")
    parser.add_argument("--profile", type=int, nargs="?", const=300, default=None,
                        metavar="PAGES", help="no load test: profile PAGES (default 300) "
                        "distinct search pages through Flask's test client, print the top "
                        "functions")
    parser.add_argument("--mix", action="store_true",
                        help="with --profile: the uncached load-test mix rather than search pages")
    parser.add_argument("--top", type=int, default=25, help="functions --profile prints")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat needs at least 1 round")
    if args.profile is not None:
        if args.profile < 1:
            parser.error("--profile needs at least 1 page")
        profile_pages(args.corpus, args.profile, args.top, mix=args.mix)
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    try:
        counts = [int(x) for x in (args.workers or f"1,{cores}").split(",") if x.strip()]
    except ValueError:
        parser.error("--workers takes comma-separated whole numbers, e.g. 1,2")
    if not counts or min(counts) < 1:
        parser.error("--workers takes comma-separated whole numbers, e.g. 1,2")
    counts = list(dict.fromkeys(counts))

    wrk = ensure_wrk()
    tmp = tempfile.TemporaryDirectory(prefix="pprnet-load-")
    index = args.index or Path(tmp.name) / "index"
    paths = mix_paths(args.corpus)
    runs = [serve_and_measure(wrk, args, index, n, paths, Path(tmp.name) / f"server-{n}.log")
            for n in counts]
    every = [r[k] for r in runs for k in ("trivial", "bare_page", "mix", "mix_uncached")]
    report = {
        "connections": args.connections,
        "duration_s": args.duration,
        "cores": cores,
        "runs": runs,
        "requests_total": sum(run["requests"] for run in every),
        "errors_total": sum(run["non_2xx"] + run["socket_errors"] for run in every),
    }
    print(json.dumps(report, indent=2))
    print()
    cols = ("workers", "run", "req/s", "p50 ms", "p99 ms", "cpu ms/req", "of /healthz", "errors")
    print("  ".join(f"{c:>11}" for c in cols))
    shares = {"trivial": None, "bare_page": "bare_page_fraction_of_trivial",
              "mix": "mix_fraction_of_trivial",
              "mix_uncached": "mix_uncached_fraction_of_trivial"}
    for run in runs:
        for key, name in (("trivial", "/healthz"), ("bare_page", "bare page"),
                          ("mix", "mix cached"), ("mix_uncached", "mix new URL")):
            r = run[key]
            share = 1.0 if shares[key] is None else run[shares[key]]
            cells = (run["workers"], name, r["requests_per_second"], r["p50_ms"], r["p99_ms"],
                     r["server_cpu_ms_per_request"], f"{share:.2f}",
                     r["non_2xx"] + r["socket_errors"])
            print("  ".join(f"{c!s:>11}" for c in cells))
    if args.repeat > 1:
        print(f"\n(medians of {args.repeat} rounds; errors summed) each round, new URLs:")
        for run in runs:
            cpu = [r["mix_uncached"]["server_cpu_ms_per_request"] for r in run["rounds"]]
            frac = [r["mix_uncached_fraction_of_trivial"] for r in run["rounds"]]
            print(f"  {run['workers']} workers: cpu ms/req {cpu}, of /healthz {frac}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
