"""The relevance benchmark's arithmetic and its judged query file.

The metric functions are checked against values worked out by hand, and the query file
against the rules it must keep (judged ids exist, enough queries, half known-item, half
of those avoiding the target title's words: computed here, not read from a flag).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from relevance_metrics import (  # noqa: E402
    Query,
    QuerySetError,
    aggregate,
    avoids_title,
    categories,
    dcg,
    first_relevant_rank,
    hit_at,
    load_queries,
    ndcg_at,
    parse_queries,
    reciprocal_rank,
    score_query,
    unknown_ids,
)

from explorer.corpus import load_corpus  # noqa: E402

QUERIES = ROOT / "bench" / "data" / "relevance_queries.yaml"


# ----------------------------------------------------------------------------- metrics


def test_first_relevant_rank_respects_min_grade_and_cutoff():
    grades = {"a": 1, "b": 3}
    assert first_relevant_rank(["x", "a", "b"], grades) == 2
    assert first_relevant_rank(["x", "a", "b"], grades, min_grade=2) == 3
    assert first_relevant_rank(["x"] * 10 + ["b"], grades) is None  # rank 11: beyond @10
    assert first_relevant_rank([], grades) is None


def test_reciprocal_rank_and_top_k():
    assert reciprocal_rank(None) == 0.0
    assert reciprocal_rank(4) == 0.25
    assert hit_at(1, 1) == 1.0
    assert hit_at(3, 3) == 1.0
    assert hit_at(4, 3) == 0.0
    assert hit_at(None, 3) == 0.0


def test_ndcg_with_graded_gains_hand_worked():
    grades = {"a": 3, "b": 2, "c": 1}
    # ranked c, a, x: DCG = 1/log2(2) + 3/log2(3) + 0 = 1 + 1.8928
    # ideal a, b, c:  DCG = 3/1 + 2/log2(3) + 1/log2(4) = 3 + 1.2619 + 0.5
    got = ndcg_at(["c", "a", "x"], grades)
    want = (1 + 3 / math.log2(3)) / (3 + 2 / math.log2(3) + 0.5)
    assert got == pytest.approx(want)
    assert got == pytest.approx(2.8928 / 4.7619, abs=1e-4)  # 0.6075
    assert ndcg_at(["a", "b", "c"], grades) == pytest.approx(1.0)
    assert ndcg_at([], grades) == 0.0
    assert ndcg_at(["a"], {"a": 0}) == 0.0  # nothing relevant: 0, not a division by zero
    assert dcg([1, 1]) == pytest.approx(1 + 1 / math.log2(3))


def test_known_item_gain_one_on_target():
    q = Query(id="k", q="x", kind="known-item", grades={"t": 1})
    row = score_query(q, ["a", "b", "t"])
    assert row["rank"] == 3
    assert (row["top1"], row["top3"], row["rr"]) == (0.0, 1.0, pytest.approx(1 / 3))
    assert row["ndcg"] == pytest.approx(0.5)  # 1/log2(4)
    assert row["zero"] == 0.0
    assert score_query(q, [])["zero"] == 1.0


def test_topical_ranks_count_only_grade_two_and_up():
    q = Query(id="t", q="x", kind="topical", grades={"weak": 1, "good": 2})
    row = score_query(q, ["weak", "good"])
    assert row["rank"] == 2
    assert row["top1"] == 0.0
    assert row["rr"] == 0.5


def test_aggregate_means_and_zero_rate():
    rows = [
        {"top1": 1.0, "top3": 1.0, "rr": 1.0, "ndcg": 1.0, "zero": 0.0},
        {"top1": 0.0, "top3": 1.0, "rr": 0.5, "ndcg": 0.5, "zero": 0.0},
        {"top1": 0.0, "top3": 0.0, "rr": 0.0, "ndcg": 0.0, "zero": 1.0},
        {"top1": 0.0, "top3": 0.0, "rr": 0.25, "ndcg": 0.1, "zero": 0.0},
    ]
    agg = aggregate(rows)
    assert agg == {"n": 4, "top1": 0.25, "top3": 0.5, "mrr": 0.4375, "ndcg": 0.4,
                   "zero_rate": 0.25}
    assert aggregate([])["n"] == 0


def test_avoids_title_uses_stems():
    assert not avoids_title("ruptures in the alliance", "Alliance Rupture Repair")
    assert avoids_title("strains in the working relationship", "Alliance Rupture Repair")
    assert avoids_title("the and of", "The Art of Therapy")  # stop words never count


def test_categories_compute_title_free():
    titles = {"t": "Alliance Rupture Repair"}
    free = Query(id="a", q="strains in the relationship", kind="known-item",
                 grades={"t": 1}, tags=["synonym"])
    assert categories(free, titles) == ["all", "known-item", "synonym", "title-free"]
    not_free = Query(id="b", q="rupture", kind="known-item", grades={"t": 1})
    assert "title-free" not in categories(not_free, titles)


@pytest.mark.parametrize("data, message", [
    ({"q": "x"}, "YAML list"),
    ([{"id": "a", "q": "", "kind": "topical"}], "non-empty"),
    ([{"id": "a", "q": "x", "kind": "other"}], "'kind'"),
    ([{"id": "a", "q": "x", "kind": "known-item"}], "target"),
    ([{"id": "a", "q": "x", "kind": "topical", "judgments": {"d": 5}}], "0-3"),
    ([{"id": "a", "q": "x", "kind": "topical", "judgments": {"d": 1}}], "judged 2"),
    ([{"id": "a", "q": "x", "kind": "known-item", "target": "d"},
      {"id": "a", "q": "y", "kind": "known-item", "target": "d"}], "duplicate"),
])
def test_parse_queries_rejects_malformed(data, message):
    with pytest.raises(QuerySetError, match=message):
        parse_queries(data)


# ----------------------------------------------------------------------------- the set


@pytest.fixture(scope="module")
def query_set():
    summaries = load_corpus(ROOT / "corpus").summaries
    return load_queries(QUERIES), {s.id: s.title for s in summaries}


def test_query_file_judges_only_corpus_ids(query_set):
    queries, titles = query_set
    assert unknown_ids(queries, set(titles)) == []


def test_query_file_size_and_balance(query_set):
    queries, titles = query_set
    known = [q for q in queries if q.kind == "known-item"]
    topical = [q for q in queries if q.kind == "topical"]
    assert len(queries) >= 80
    assert len(known) >= len(queries) / 2 - 1 and len(topical) >= len(queries) / 2 - 1
    free = [q for q in known if avoids_title(q.q, titles[q.target])]
    assert len(free) >= len(known) / 2
    # graded judgments over enough summaries to tell rankings apart
    assert all(len(q.grades) >= 8 for q in topical)
    assert len({q.q.lower() for q in queries}) == len(queries)
