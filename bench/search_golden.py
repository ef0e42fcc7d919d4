"""Save the full answers of a fixed set of searches, to show a change to the index or the
engine leaves every answer byte for byte the same.

    .venv/bin/python bench/search_golden.py before.json              # on the old code
    .venv/bin/python bench/search_golden.py after.json --compare before.json

For the bundled corpus and a generated 3 000-summary one (`search_bench.corpus_of_size`):
a fresh build, then about 580 searches each (the benchmark's 1-3 word queries, quoted
phrases, field queries, prefixes, exclusions, OR, misspellings that get corrected, topic
filters with each sort order and a second page) and "more like this" for 60 summaries:
the search API's JSON (hits with highlights, totals, facets, corrections). ``--compare``
prints how many answers differ per corpus and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import search_bench as sb  # noqa: E402

from explorer.records import Summary  # noqa: E402
from explorer.search import SearchIndex, SearchRequest, build_index  # noqa: E402


def requests(docs: list[Summary]) -> list[SearchRequest]:
    """The fixed searches for one corpus (seeded: the same corpus gives the same list)."""
    rng = random.Random(11)
    plain = sb.make_queries(docs, 150, seed=5)
    words = [q.split()[0] for q in plain]
    texts = list(plain)
    for i in range(40):
        pair = rng.sample(plain, 2)
        word = words[i]
        texts += [f'"{pair[0]}"', f"title:{word}", f"{word[:4]}*",
                  f"{pair[0]} -{words[(i + 7) % len(words)]}", f"{word} OR {words[i + 1]}",
                  word[:2] + word[3:] if len(word) > 4 else word + "x",  # a misspelling
                  f'author:{rng.choice(docs).citation.authors[0].split(",")[0]}',
                  f'journal:"{rng.choice(docs).citation.journal or "psychotherapy"}"']
    texts += ['"cognitive behavioral therapy"', '"CBT outcomes"', "drop-out", "dropout",
              '"alliance rupture"', "therap*", "cbt", "implications:alliance", '"the"', "",
              "year:2015-2020 alliance", 'type:"meta-analysis" depression',
              '"therapeutic alliance" outcome']
    out = [SearchRequest(q=text) for text in texts]
    topics = list(sb.TAXONOMY.topics)[:6]
    for i, text in enumerate(plain[:40]):
        out.append(SearchRequest(q=text, topics=[topics[i % len(topics)]],
                                 sort=("relevance", "newest", "oldest")[i % 3], page=1 + i % 2))
    return out


def answers(label: str, base: list[Summary], work: Path) -> list[str]:
    docs = sb.corpus_of_size(label, base)
    assert docs is not None
    build_index(docs, work / label, taxonomy=sb.TAXONOMY)
    idx = SearchIndex.open(work / label)
    out = [json.dumps(idx.search(req).to_json(), sort_keys=True, default=str)
           for req in requests(docs)]
    for doc in docs[:60]:
        out.append(json.dumps([hit.to_json() for hit in idx.more_like_this(doc.id)],
                              sort_keys=True, default=str))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="where to save the answers (JSON)")
    parser.add_argument("--compare", type=Path, metavar="OLD",
                        help="answers saved earlier: report how many differ")
    args = parser.parse_args(argv)
    base = sb.base_summaries()
    work = Path(tempfile.mkdtemp(prefix="pprnet-golden-"))
    try:
        saved = {label: answers(label, base, work) for label in ("bundled", "3000")}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(json.dumps(saved), encoding="utf-8")
    if args.compare is None:
        return 0
    old = json.loads(args.compare.read_text(encoding="utf-8"))
    differ = 0
    for label, new in saved.items():
        count = sum(a != b for a, b in zip(old.get(label, []), new, strict=False))
        count += abs(len(old.get(label, [])) - len(new))
        print(f"{label}: {len(new)} answers, {count} differ")
        differ += count
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
