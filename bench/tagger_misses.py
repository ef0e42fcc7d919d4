"""Where the tagger's recall@5 goes: the share of recall lost per true topic, out of fold.

    .venv/bin/python bench/tagger_misses.py [--seed 0] [--top 15] [--candidate NAME]

Cross-validates the default model (`explorer.tagger.evaluate.evaluate` with predictions)
and, for each document's true topics missing from its top 5, adds 1 / (its number of true
topics) to that topic, divided by the number of documents: the figures sum to
1 - recall@5. Prints each topic's loss and the ranks at which its documents had it (99:
not in the listed 8), so the biggest holes in recall are named, not guessed.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from explorer.corpus import load_corpus  # noqa: E402
from explorer.tagger.evaluate import evaluate  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from tagger_bench import candidates  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--candidate", default="default",
                        help="a configuration named in bench/tagger_bench.py's candidates()")
    args = parser.parse_args()
    configs = candidates()
    if args.candidate not in configs:
        parser.error(f"unknown candidate {args.candidate!r}: see candidates() in "
                     "bench/tagger_bench.py")
    result = load_corpus(args.corpus)
    report = evaluate(result.summaries, result.taxonomy, seed=args.seed, title_only=False,
                      time_training=False, with_predictions=True,
                      config=configs[args.candidate])
    loss: Counter[str] = Counter()
    ranks: dict[str, list[int]] = defaultdict(list)
    documents = 0
    for pred in report["predictions"]:
        true = set(pred["topics"])
        if not true:
            continue
        documents += 1
        for topic in true:
            rank = pred["ranked"].index(topic) if topic in pred["ranked"] else 99
            ranks[topic].append(rank)
            if rank >= 5:
                loss[topic] += 1 / len(true)
    print(f"recall@5 {report['model']['recall_at_5']:.4f}; lost "
          f"{sum(loss.values()) / documents:.4f} over {documents} documents")
    for topic, value in loss.most_common(args.top):
        print(f"{value / documents:.4f}  {topic}  ranks {sorted(ranks[topic])}")


if __name__ == "__main__":
    main()
