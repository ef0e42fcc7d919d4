"""A search engine's crawler walking the site: how many pages it renders before it has
seen every summary, with and without obeying ``/robots.txt``.

Crawls the site through Flask's test client from ``/``, following every same-site link
of every HTML page in the order found (breadth first), once per URL, until nothing is
left or ``--max-pages`` were fetched:

- ``links``: every link is followed (a crawler that ignores robots.txt, or a site
  without one): search pages, every facet and page link, downloads;
- ``polite``: ``/robots.txt`` is read first (RFC 9309 rules: ``*``, ``$``, the longest
  matching rule wins, Allow on a tie), disallowed links are skipped and the sitemaps it
  names are read as well.

Prints JSON and a table: pages fetched, how many carry a query string (static files
aside: their links carry a version), summaries reached out of the archive's, and the
server's CPU time for the crawl.

    .venv/bin/python bench/crawl.py                     # bundled corpus, 3 000 pages at most
    .venv/bin/python bench/crawl.py --max-pages 10000
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

_HREF_RE = re.compile(r"""\shref="([^"]*)\"""")
_SUMMARY_RE = re.compile(r"^/summary/([^/?#]+)$")


def robots_rules(text: str, agent: str = "*") -> list[tuple[bool, str]]:
    """(allow, pattern) of the group for ``agent`` (or ``*``) in a robots.txt."""
    groups: list[tuple[list[str], list[tuple[bool, str]]]] = []
    agents: list[str] = []
    rules: list[tuple[bool, str]] = []
    last_was_agent = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if not last_was_agent:
                agents, rules = [], []
                groups.append((agents, rules))
            agents.append(value.lower())
            last_was_agent = True
            continue
        last_was_agent = False
        if key in ("allow", "disallow") and groups and value:
            rules.append((key == "allow", value))
    for names, group_rules in groups:
        if agent.lower() in names:
            return group_rules
    return next((group_rules for names, group_rules in groups if "*" in names), [])


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


def robots_allows(rules: list[tuple[bool, str]], url: str) -> bool:
    """Whether ``url`` (path and query) may be fetched: the longest matching pattern
    decides, Allow winning a tie; no match allows (RFC 9309, section 2.2.2)."""
    best: tuple[int, bool] | None = None
    for allow, pattern in rules:
        if _pattern_regex(pattern).match(url):
            key = (len(pattern), allow)
            if best is None or key > best:
                best = key
    return True if best is None else best[1]


def sitemap_paths(xml: bytes, fetch: Any) -> list[str]:
    """The site paths a sitemap (or a sitemap index, whose parts ``fetch`` reads) names."""
    top = ET.fromstring(xml)
    locations = [el.text or "" for el in top.iter() if el.tag.endswith("}loc")]
    if top.tag.endswith("sitemapindex"):
        return [p for loc in locations for p in sitemap_paths(fetch(_path(loc)), fetch)]
    return [_path(loc) for loc in locations]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client: Any, *, polite: bool, max_pages: int) -> dict:
    """Walk the site from ``/``; figures of the walk (see the module docstring)."""
    def get(path: str) -> Any:
        return client.get(path)

    rules: list[tuple[bool, str]] = []
    queue: deque[str] = deque(["/"])
    seen = {"/"}
    if polite:
        robots = get("/robots.txt")
        rules = robots_rules(robots.get_data(as_text=True)) if robots.status_code == 200 else []
        for line in robots.get_data(as_text=True).splitlines():
            if line.lower().startswith("sitemap:"):
                url = line.split(":", 1)[1].strip()
                for path in sitemap_paths(get(_path(url)).get_data(),
                                          lambda p: get(p).get_data()):
                    if path not in seen and robots_allows(rules, path):
                        seen.add(path)
                        queue.append(path)
    fetched = with_query = 0
    summaries: set[str] = set()
    cpu0 = time.process_time()
    while queue and fetched < max_pages:
        path = queue.popleft()
        response = get(path)
        fetched += 1
        with_query += "?" in path and not path.startswith("/static/")
        match = _SUMMARY_RE.match(path.split("?", 1)[0])
        if match and response.status_code == 200:
            summaries.add(unquote(match.group(1)))
        if "html" not in (response.mimetype or ""):
            continue
        for href in _HREF_RE.findall(response.get_data(as_text=True)):
            target = urljoin(path, html.unescape(href)).split("#", 1)[0]
            if not target.startswith("/") or target.startswith("//") or target in seen:
                continue
            if polite and not robots_allows(rules, target):
                continue
            seen.add(target)
            queue.append(target)
    return {
        "pages_fetched": fetched,
        "with_query_string": with_query,
        "left_in_queue": len(queue),
        "summaries_reached": len(summaries),
        "cpu_s": round(time.process_time() - cpu0, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--max-pages", type=int, default=3000,
                        help="stop a crawl after this many pages")
    args = parser.parse_args()
    if args.max_pages < 1:
        parser.error("--max-pages needs at least 1 page")

    from explorer.builder import build_all
    from explorer.corpus import load_corpus
    from explorer.web import create_app

    total = len(load_corpus(args.corpus).summaries)
    report: dict[str, Any] = {"summaries": total, "max_pages": args.max_pages}
    with tempfile.TemporaryDirectory(prefix="pprnet-crawl-") as tmp:
        index = Path(tmp) / "index"
        build_all(args.corpus, index, with_model=False)
        for mode in ("links", "polite"):
            # a fresh app each time: neither crawl finds pages the other left in the cache
            app = create_app({"CORPUS_DIR": args.corpus, "INDEX_DIR": index,
                              "MODEL_RETRAIN_DELAY": None})
            report[mode] = crawl(app.test_client(), polite=mode == "polite",
                                 max_pages=args.max_pages)
    print(json.dumps(report, indent=2))
    print()
    cols = ("crawler", "pages", "with ?query", "unvisited", "summaries", "CPU s")
    print("  ".join(f"{c:>11}" for c in cols))
    for mode in ("links", "polite"):
        r = report[mode]
        cells = (mode, r["pages_fetched"], r["with_query_string"], r["left_in_queue"],
                 f"{r['summaries_reached']}/{total}", r["cpu_s"])
        print("  ".join(f"{c!s:>11}" for c in cells))


if __name__ == "__main__":
    main()
