"""How long after a save the retrained topic model serves, and how search and suggestions
answer meanwhile.

    .venv/bin/python bench/retrain_bench.py [--corpus corpus] [--delay 2.0]

Copies the corpus to a temporary folder, builds it, starts the web app (Flask's test
client, one process), then saves a new summary through the editor's save path while two
threads keep calling `/api/search` and `POST /api/suggest`. Prints JSON: seconds from the
save until the new model serves (the coalescing delay included), and per endpoint the
number of calls, errors (any non-200) and latency percentiles during that time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from explorer.builder import build_all  # noqa: E402
from explorer.corpus import load_corpus  # noqa: E402
from explorer.web import create_app  # noqa: E402


def percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)  # noqa: E731
    return {"p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": round(ordered[-1] * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--delay", type=float, default=2.0, help="MODEL_RETRAIN_DELAY")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        shutil.copytree(args.corpus, corpus)
        build_all(corpus, index)
        app = create_app({"CORPUS_DIR": corpus, "INDEX_DIR": index, "SECRET_KEY": "x" * 40,
                          "API_TOKEN": "bench-token", "MODEL_RETRAIN_DELAY": args.delay,
                          "PAGE_CACHE_SIZE": 0})
        st = app.extensions["pprnet"]
        first = load_corpus(corpus).summaries[0]
        stop = threading.Event()
        timings: dict[str, list[float]] = {"search": [], "suggest": []}
        errors = {"search": 0, "suggest": 0}

        def hammer(name: str) -> None:
            client = app.test_client()
            headers = {"Authorization": "Bearer bench-token"}
            while not stop.is_set():
                started = time.perf_counter()
                if name == "search":
                    response = client.get("/api/search?q=alliance+rupture")
                else:
                    response = client.post("/api/suggest", headers=headers, json={
                        "title": first.title, "text": first.body})
                timings[name].append(time.perf_counter() - started)
                errors[name] += response.status_code != 200

        threads = [threading.Thread(target=hammer, args=(n,)) for n in timings]
        for thread in threads:
            thread.start()
        saved = replace(first, id="2099-01-a-summary-saved-for-the-benchmark", path=None,
                        title="A summary saved for the benchmark")
        started = time.perf_counter()
        st.save(saved, overwrite=False)
        before = len(st.model()[0].doc_ids)
        while len(st.model()[0].doc_ids) == before and time.perf_counter() - started < 120:
            time.sleep(0.05)
        serving = time.perf_counter() - started
        stop.set()
        for thread in threads:
            thread.join()
        out = {"summaries": before + 1, "retrain_delay_s": args.delay,
               "new_model_serving_after_s": round(serving, 2),
               "retrain_error": st.models.last_error}
        for name, values in timings.items():
            out[name] = {"calls": len(values), "errors": errors[name], **percentiles(values)}
            out[name]["mean_ms"] = round(statistics.mean(values) * 1000, 1) if values else None
        print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
