"""Metrics and the judged query set of the relevance benchmark (`bench/relevance.py`).

Kept apart from the engine adapters so the unit tests can check every figure against
hand-worked values without installing any peer engine or building any index.

A query is either *known-item* (one target summary: gain 1 on it, 0 elsewhere) or
*topical* (graded judgments 0-3 over summary ids; unjudged summaries count as 0). For
the rank-based figures (top-1, top-3, MRR@10) a topical query counts a summary as
relevant when its grade is at least `RELEVANT_GRADE`: grade 1 only "touches" the topic,
and a searcher who gets only those on top has not been served. nDCG@10 uses the grades.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from nltk.stem.snowball import SnowballStemmer

K = 10
RELEVANT_GRADE = 2
KINDS = ("known-item", "topical")

# A fixed, engine-independent English stop list: peers get the same content words, and
# the "avoids the title's words" check does not depend on the engine under test.
STOP_WORDS: frozenset[str] = frozenset(
    [
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any",
        "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
        "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during",
        "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her",
        "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into",
        "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor",
        "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
        "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such",
        "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there",
        "these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
        "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom",
        "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "vs",
        "versus", "via", "et", "al",
    ]
)
_WORD_RE = re.compile(r"[^\W_]+")
_STEMMER = SnowballStemmer("english")


def content_words(text: str) -> list[str]:
    """Lower-cased word tokens of ``text`` without stop words (the peers' query words)."""
    return [w for w in _WORD_RE.findall(text.lower()) if w not in STOP_WORDS]


def stems(text: str) -> set[str]:
    """Snowball stems of the content words: what "shares a word with the title" means."""
    return {_STEMMER.stem(w) for w in content_words(text)}


def avoids_title(query: str, title: str) -> bool:
    """True when no content word of ``query`` shares a stem with a word of ``title``."""
    return not (stems(query) & stems(title))


# ----------------------------------------------------------------------------- metrics


def first_relevant_rank(ranked: Sequence[str], grades: dict[str, int],
                        min_grade: int = 1) -> int | None:
    """1-based rank of the first id in ``ranked[:K]`` with grade >= ``min_grade``."""
    for i, doc_id in enumerate(ranked[:K], start=1):
        if grades.get(doc_id, 0) >= min_grade:
            return i
    return None


def reciprocal_rank(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / rank


def hit_at(rank: int | None, k: int) -> float:
    """1.0 when the first relevant result is within the top ``k``, else 0.0."""
    return 1.0 if rank is not None and rank <= k else 0.0


def dcg(gains: Iterable[float]) -> float:
    """Linear gains, log2(rank + 1) discount: rank 1 counts fully, rank 3 half."""
    return sum(g / math.log2(i + 1) for i, g in enumerate(gains, start=1))


def ndcg_at(ranked: Sequence[str], grades: dict[str, int], k: int = K) -> float:
    """nDCG@k of ``ranked`` against graded judgments (0 when nothing is relevant)."""
    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(grades.get(doc_id, 0) for doc_id in ranked[:k]) / ideal


@dataclass
class Query:
    """One judged query of the set."""

    id: str
    q: str
    kind: str
    grades: dict[str, int]
    tags: list[str] = field(default_factory=list)

    @property
    def min_grade(self) -> int:
        return 1 if self.kind == "known-item" else RELEVANT_GRADE

    @property
    def target(self) -> str | None:
        return next(iter(self.grades)) if self.kind == "known-item" else None


def score_query(query: Query, ranked: Sequence[str]) -> dict:
    """Per-query figures for one engine's ranked ids (top ``K`` used)."""
    rank = first_relevant_rank(ranked, query.grades, query.min_grade)
    return {
        "rank": rank,
        "top1": hit_at(rank, 1),
        "top3": hit_at(rank, 3),
        "rr": reciprocal_rank(rank),
        "ndcg": ndcg_at(ranked, query.grades),
        "zero": 1.0 if not ranked else 0.0,
    }


def aggregate(rows: Sequence[dict]) -> dict:
    """Means over per-query rows: top1, top3, mrr, ndcg, zero_rate, and the count."""
    n = len(rows)
    if n == 0:
        return {"n": 0, "top1": 0.0, "top3": 0.0, "mrr": 0.0, "ndcg": 0.0, "zero_rate": 0.0}

    def mean(key: str) -> float:
        return round(sum(r[key] for r in rows) / n, 4)

    return {"n": n, "top1": mean("top1"), "top3": mean("top3"), "mrr": mean("rr"),
            "ndcg": mean("ndcg"), "zero_rate": mean("zero")}


# ----------------------------------------------------------------------------- query set


class QuerySetError(ValueError):
    """The query file is malformed; the message names the query and the problem."""


def parse_queries(data: object) -> list[Query]:
    """Queries from the loaded YAML list; QuerySetError on any malformed entry."""
    if not isinstance(data, list):
        raise QuerySetError("the query file must be a YAML list of queries")
    out: list[Query] = []
    seen: set[str] = set()
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise QuerySetError(f"entry {n}: not a mapping")
        qid = str(item.get("id") or f"#{n}")
        if qid in seen:
            raise QuerySetError(f"{qid}: duplicate id")
        seen.add(qid)
        text, kind = item.get("q"), item.get("kind")
        if not isinstance(text, str) or not text.strip():
            raise QuerySetError(f"{qid}: 'q' must be a non-empty string")
        if kind not in KINDS:
            raise QuerySetError(f"{qid}: 'kind' must be one of {', '.join(KINDS)}")
        if kind == "known-item":
            target = item.get("target")
            if not isinstance(target, str) or not target:
                raise QuerySetError(f"{qid}: a known-item query needs a 'target' id")
            grades = {target: 1}
        else:
            judged = item.get("judgments")
            if not isinstance(judged, dict) or not judged:
                raise QuerySetError(f"{qid}: a topical query needs 'judgments' {{id: 0-3}}")
            grades = {}
            for doc_id, grade in judged.items():
                if not isinstance(grade, int) or isinstance(grade, bool) or not 0 <= grade <= 3:
                    raise QuerySetError(f"{qid}: grade of {doc_id} must be an integer 0-3")
                grades[str(doc_id)] = grade
            if not any(g >= RELEVANT_GRADE for g in grades.values()):
                raise QuerySetError(f"{qid}: no summary judged {RELEVANT_GRADE} or more")
        tags = item.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise QuerySetError(f"{qid}: 'tags' must be a list of strings")
        out.append(Query(id=qid, q=text, kind=kind, grades=grades, tags=list(tags)))
    return out


def load_queries(path: Path) -> list[Query]:
    """Load and parse the YAML query file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuerySetError(f"{path}: {exc}") from exc
    return parse_queries(data)


def unknown_ids(queries: Sequence[Query], corpus_ids: set[str]) -> list[str]:
    """'query: id' for every judged id that is not a summary of the corpus."""
    return [f"{q.id}: {doc_id}" for q in queries for doc_id in q.grades
            if doc_id not in corpus_ids]


def categories(query: Query, titles: dict[str, str]) -> list[str]:
    """Every category the query counts in: 'all', its kind, its tags, and the computed
    'title-free' (a known-item query sharing no word stem with its target's title)."""
    cats = ["all", query.kind]
    if query.kind == "known-item" and avoids_title(query.q, titles.get(query.target or "", "")):
        cats.append("title-free")
    return list(dict.fromkeys([*cats, *query.tags]))


def category_order(names: Iterable[str]) -> list[str]:
    """'all', the kinds, 'title-free', then the tags alphabetically: a stable table."""
    fixed = ["all", *KINDS, "title-free"]
    present = set(names)
    return [c for c in fixed if c in present] + sorted(present - set(fixed))
