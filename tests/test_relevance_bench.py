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
    category_order,
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
    assert categories(free, titles) == ["all", "known-item", "title-free", "synonym"]
    not_free = Query(id="b", q="rupture", kind="known-item", grades={"t": 1})
    assert "title-free" not in categories(not_free, titles)
    assert category_order(["typo", "topical", "all", "title-free", "doi", "known-item"]) == [
        "all", "known-item", "topical", "title-free", "doi", "typo"]


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


# ----------------------------------------------------------------------------- peers, CLI

NASTY = ['"', '(((', 'title:', 'NOT', 'AND OR', '*', "o'brien", 'a\\b', '-', 'NEAR(x y)',
         '^x', '{x}', 'x:y:z', '"unbalanced', 'flückiger', '10.1037/pst0000175', '']


def _tiny_corpus():
    from explorer.records import Citation, Summary

    return [
        Summary(id="a", published="2020-01", title="Alliance rupture repair",
                body="Therapists repaired ruptures.", topics=["Alliance"],
                citation=Citation(authors=["Flückiger, C."], title="Ruptures", journal="J")),
        Summary(id="b", published="2021-01", title="Dropout", body="Clients quit early.",
                citation=Citation(authors=["O'Brien, A."])),
        Summary(id="c", published="2022-01", title="Placebo", body="Open-label pills."),
    ]


@pytest.mark.parametrize("engine", ["tantivy", "bm25s", "fts5-and", "fts5-or"])
def test_peers_answer_any_text_without_raising(engine, tmp_path):
    if engine in ("tantivy", "bm25s"):
        pytest.importorskip(engine)
    from relevance_engines import BUILDERS

    search = BUILDERS[engine](_tiny_corpus(), tmp_path)
    for text in NASTY:
        assert isinstance(search(text), list)
    assert search("ruptures")[:1] == ["a"]  # stemmed: "ruptures" finds "rupture(d)"
    assert search("flückiger")[:1] == ["a"]  # the cited authors are a field


def test_missing_peer_is_reported_and_skipped(monkeypatch, capsys, tmp_path):
    import json

    import relevance_engines

    monkeypatch.setitem(sys.modules, "tantivy", None)  # "import tantivy" now fails
    with pytest.raises(relevance_engines.EngineUnavailable, match="tantivy"):
        relevance_engines.build_tantivy(_tiny_corpus(), tmp_path)
    queries = tmp_path / "q.yaml"
    queries.write_text("- id: k\n  q: countertransference\n  kind: known-item\n"
                       "  target: 2018-12-the-evidence-for-countertransference-management\n",
                       encoding="utf-8")
    code, out, _err = _run(capsys, "--engines", "tantivy,fts5-or", "--queries", str(queries),
                           "--json-only")
    assert code == 0
    report = json.loads(out)
    assert list(report["results"]) == ["fts5-or"]
    assert "tantivy is not installed" in report["skipped"]["tantivy"]


def test_fts5_and_needs_every_word_or_any_word(tmp_path):
    from relevance_engines import BUILDERS

    docs = _tiny_corpus()
    (tmp_path / "and").mkdir()
    (tmp_path / "or").mkdir()
    assert BUILDERS["fts5-and"](docs, tmp_path / "and")("clients placebo") == []
    assert sorted(BUILDERS["fts5-or"](docs, tmp_path / "or")("clients placebo")) == ["b", "c"]


def _run(capsys, *args: str) -> tuple[int, str, str]:
    """Run the benchmark's main() in this process: exit status, stdout, stderr."""
    import relevance

    try:
        code = relevance.main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_rejects_bad_options_with_one_line(capsys, tmp_path):
    not_a_run = tmp_path / "list.json"
    not_a_run.write_text("[1, 2]", encoding="utf-8")
    bad_queries = tmp_path / "q.yaml"
    bad_queries.write_text("- id: a\n  q: x\n  kind: known-item\n  target: no-such-id\n",
                           encoding="utf-8")
    for args in (["--engines", "bogus"], ["--root", "/nonexistent"],
                 ["--compare-run", "/nonexistent.json"], ["--compare-run", str(not_a_run)],
                 ["--queries", str(bad_queries)], ["--queries", "/nonexistent.yaml"]):
        code, _out, err = _run(capsys, *args)
        assert code == 2
        assert len(err.strip().splitlines()) == 1
        assert "error" in err


def test_cli_runs_saves_and_lists_queries_that_got_worse(tmp_path, capsys):
    import json

    queries = tmp_path / "q.yaml"
    queries.write_text(
        "- id: found\n  q: Kaptchuk open-label placebo irritable bowel\n  kind: known-item\n"
        "  target: 2014-08-placebos-given-openly-can-still-relieve-symptoms\n"
        "- id: lost\n  q: zzqx\n  kind: known-item\n"
        "  target: 2018-12-the-evidence-for-countertransference-management\n",
        encoding="utf-8")
    run = tmp_path / "run.json"
    common = ["--engines", "fts5-or", "--queries", str(queries), "--json-only"]
    code, out, err = _run(capsys, *common, "--save-run", str(run))
    assert code == 0, err
    report = json.loads(out)
    assert report["results"]["fts5-or"]["all"]["n"] == 2
    assert report["results"]["fts5-or"]["all"]["zero_rate"] == 0.5
    saved = json.loads(run.read_text(encoding="utf-8"))
    assert saved["per_query"]["fts5-or"]["found"]["rank"] == 1
    assert saved["per_query"]["fts5-or"]["lost"]["rank"] is None

    assert json.loads(_run(capsys, *common, "--compare-run", str(run))[1])["worse"] == []  # same as the saved run
    saved["per_query"]["fts5-or"]["lost"]["rank"] = 3  # "before": found at 3, now beyond 10
    before = tmp_path / "before.json"
    before.write_text(json.dumps(saved), encoding="utf-8")
    worse = json.loads(_run(capsys, *common, "--compare-run", str(before))[1])["worse"]
    assert [(w["query"], w["before"], w["now"]) for w in worse] == [("lost", 3, 11)]
