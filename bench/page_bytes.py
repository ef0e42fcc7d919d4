"""Fingerprints of the site's answers to several hundred URLs, to compare two versions.

A speed-up of the page or search code must not change what a reader gets. This renders
the load test's URL mix, some hundreds of distinct search pages (words, facets, pages),
their JSON twins and summary pages opened from a search, through Flask's test client on
a fresh index of the bundled corpus, and writes one line per URL: status, content type,
the security and cache headers, and the SHA-256 of the body. Run it on two versions of
the code and diff the files (`--against` does the diff):

    .venv/bin/python bench/page_bytes.py --out /tmp/after.txt
    PYTHONPATH=/path/to/old/tree .venv/bin/python /path/to/old/tree/bench/page_bytes.py \
        --out /tmp/before.txt            # or: git stash; ...; git stash pop
    .venv/bin/python bench/page_bytes.py --against /tmp/before.txt

Exits 1 when ``--against`` finds a difference (and prints the first few URLs that differ).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.load import mix_paths, search_paths  # noqa: E402

HEADERS = ("Content-Type", "Cache-Control", "Vary", "Content-Security-Policy",
           "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
           "Cross-Origin-Opener-Policy", "Permissions-Policy", "X-Search-Notices")


def urls(corpus: Path, count: int) -> list[str]:
    """The load test's mix, ``count`` search pages, their JSON twins, and summary pages
    opened from a search (with its position, so the previous/next links are drawn)."""
    searches = search_paths(corpus, count)
    out = [*mix_paths(corpus), *searches]
    out += ["/api/search" + p[1:] for p in searches[: count // 3]]
    out += ["/topics", "/api/topics", "/healthz?x=1", "/no-such-page", "/?page=999",
            "/?q=%22exact+phrase%22+-therapy", "/?q=therapy&sort=oldest", "/?q=AND+OR",
            # the source facet and its removable chips, which the random searches never tick
            "/?source=blog", "/?source=added&q=therapy", "/?q=alliance&source=blog&source=added",
            "/?q=empathy&source=blog&from=2015&to=2019&study_from=2000&study_to=2020"]
    return list(dict.fromkeys(out))


def fingerprints(corpus: Path, count: int) -> list[str]:
    from explorer.builder import build_all
    from explorer.web import create_app

    lines = []
    with tempfile.TemporaryDirectory(prefix="pprnet-bytes-") as tmp:
        index = Path(tmp) / "index"
        build_all(corpus, index, with_model=False)
        app = create_app({"CORPUS_DIR": corpus, "INDEX_DIR": index, "PAGE_CACHE_SIZE": 0,
                          "FOLLOW_CORPUS": False, "AUTO_REBUILD": False,
                          "SECRET_KEY": "page-bytes"})
        client = app.test_client()
        every = urls(corpus, count)
        # summary pages reached from the first results of some searches, with their rank
        for path in every[:: max(1, len(every) // 60)]:
            if not path.startswith("/?"):
                continue
            data = client.get("/api/search" + path[1:]).get_json() or {}
            for rank, hit in enumerate(data.get("hits", [])[:2], 1):
                query = urllib.parse.urlsplit(path).query
                every.append(f"/summary/{hit['id']}?{query}&pos={rank}")
        for path in every:
            response = client.get(path)
            body = response.get_data()
            if path.startswith("/healthz"):  # carries the process id
                body = b""
            kept = " ".join(f"{h}={response.headers.get(h, '')}" for h in HEADERS)
            lines.append(f"{path}\t{response.status_code}\t"
                         f"{hashlib.sha256(kept.encode()).hexdigest()[:16]}\t"
                         f"{hashlib.sha256(body).hexdigest()}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--count", type=int, default=300, help="distinct search pages")
    parser.add_argument("--out", type=Path, help="write the fingerprints here")
    parser.add_argument("--against", type=Path, help="compare with an earlier --out file")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count needs at least 1")
    lines = fingerprints(args.corpus, args.count)
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} URLs")
    if args.against:
        before = dict(line.split("\t", 1) for line in
                      args.against.read_text(encoding="utf-8").splitlines() if line)
        now = dict(line.split("\t", 1) for line in lines)
        differ = [url for url in now if url in before and before[url] != now[url]]
        only = len(set(now) ^ set(before))
        print(f"{len(differ)} of {len(set(now) & set(before))} shared URLs differ; "
              f"{only} URLs in only one of the two")
        for url in differ[:10]:
            print(f"  {url}")
        if differ or only:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
