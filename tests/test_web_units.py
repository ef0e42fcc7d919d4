"""Small pieces of the web layer: SVG charts, topic statistics, the store, view helpers."""

from __future__ import annotations

import re
from collections import Counter
from itertools import combinations

import pytest
from flask import Flask

from explorer.corpus import load_taxonomy
from explorer.web import charts
from explorer.web.corpus_store import CorpusStore
from explorer.web.search_page import facet_values, page_numbers
from explorer.web.stats import TopicStats
from explorer.web.viewhelpers import (
    month_label,
    paragraphs,
    result_link,
    search_args,
    search_url,
    search_url_adding,
    search_url_without,
    summary_link,
)
from tests.web_helpers import make_summaries

# --------------------------------------------------------------------------- charts


def test_heat_levels_rise_with_counts():
    levels = [charts.heat_level(n, 10) for n in range(0, 11)]
    assert levels[0] == 0 and all(level >= 1 for level in levels[1:])
    assert levels == sorted(levels)
    assert max(levels) == charts.HEAT_LEVELS - 1


def test_heatmap_escapes_labels_and_titles_cells():
    svg = str(charts.heatmap(["A <b>&</b>", "Plain"], [2019, 2020],
                             {"A <b>&</b>": {2019: 3}}, chart_id="h", title_text="T <x>",
                             row_href=lambda r: f"/t?name={r}"))
    assert "<b>" not in svg and "&lt;b&gt;&amp;&lt;/b&gt;" in svg
    assert "T &lt;x&gt;" in svg
    assert "A &lt;b&gt;&amp;&lt;/b&gt;, 2019: 3 summaries" in svg
    assert "Plain, 2020: 0 summaries" in svg
    assert 'class="cell heat-5"' in svg  # the peak cell is darkest
    assert svg.count("<a ") == 2


def test_year_bars_text_alternative_and_heights():
    svg = str(charts.year_bars({2019: 2, 2021: 4}, [2019, 2020, 2021], chart_id="y",
                               title_text="Per year", href=lambda y: f"/?from={y}"))
    assert 'role="img"' in svg and 'aria-labelledby="y-t y-d"' in svg
    assert "6 summaries by year. 2019: 2, 2020: 0, 2021: 4." in svg
    heights = [float(h) for h in re.findall(r'<rect class="bar" [^>]*height="([\d.]+)"', svg)]
    assert heights[2] == pytest.approx(2 * heights[0]) and heights[1] == 0
    assert svg.count("<a ") == 2  # no link for an empty year


def test_histogram_marks_the_selected_range():
    svg = str(charts.year_histogram({2018: 1, 2019: 2, 2020: 3}, [2018, 2019, 2020],
                                    chart_id="h", selected=(2019, None)))
    assert svg.count('class="bar bar-out"') == 1
    assert 'aria-label="2020: 3 summaries"' not in svg  # no href given: no links
    assert "<title>2020: 3 summaries</title>" in svg


def test_mini_bar_scales():
    full = str(charts.mini_bar(10, 10, width=100))
    half = str(charts.mini_bar(5, 10, width=100))
    assert 'width="100" height="8" rx="4"/></svg>' in full
    assert re.search(r'class="bar"[^>]*width="50"', half)
    assert 'aria-hidden="true"' in half


def test_empty_charts_render_nothing():
    assert charts.year_bars({}, [], chart_id="a", title_text="x") == ""
    assert charts.heatmap([], [2020], {}, chart_id="b", title_text="x") == ""


# --------------------------------------------------------------------------- stats


@pytest.fixture(scope="module")
def summaries():
    return make_summaries(40)


@pytest.fixture(scope="module")
def stats(summaries):
    return TopicStats(summaries, load_taxonomy())


def test_counts_match_a_recount(stats, summaries):
    assert stats.total == len(summaries)
    recount = Counter(t for s in summaries for t in s.topics)
    for topic, n in stats.topic_counts.items():
        assert n == recount.get(topic, 0)
    for topic, years in stats.topic_years.items():
        assert sum(years.values()) == recount.get(topic, 0)
    assert stats.years == list(range(min(s.year for s in summaries),
                                     max(s.year for s in summaries) + 1))


def test_cooccurrence_matches_brute_force(stats, summaries):
    pairs = Counter(frozenset(p) for s in summaries for p in combinations(set(s.topics), 2))
    for a, b, n in stats.top_pairs(50):
        assert pairs[frozenset((a, b))] == n
    assert sum(n for _, _, n in stats.top_pairs(1000)) == sum(pairs.values())
    for other, n in stats.co_topics("Empathy"):
        assert n == pairs[frozenset(("Empathy", other))]


def test_distinctive_terms_are_the_topics_own_words(stats):
    words = [t.word for t in stats.distinctive_terms("Group Psychotherapy", limit=8)]
    assert {"group", "cohesion", "members"} & set(words)
    scores = [t.score for t in stats.distinctive_terms("Empathy")]
    assert scores == sorted(scores, reverse=True)
    assert stats.distinctive_terms("Placebo Effect") == []  # no summaries


def test_by_topic_is_newest_first(stats):
    months = [s.published for s in stats.by_topic["Termination"]]
    assert months == sorted(months, reverse=True) and months


# --------------------------------------------------------------------------- store


def test_store_rejects_malformed_ids_and_versions_changes(summaries, tmp_path):
    store = CorpusStore(tmp_path, load_taxonomy(), summaries[:5])
    assert store.get(summaries[0].id) is summaries[0]
    for bad in ("../../etc/passwd", "UPPER", "", "a/b", "x" * 200, None):
        assert store.get(bad) is None
    first_stats = store.stats()
    assert store.stats() is first_stats
    store.put(summaries[6])
    assert store.version == 1 and len(store) == 6
    assert store.stats() is not first_stats and store.stats().total == 6
    store.remove(summaries[6].id)
    assert len(store) == 5 and store.version == 2


# --------------------------------------------------------------------------- helpers


@pytest.fixture()
def ctx():
    app = Flask(__name__)
    return app.test_request_context


def test_search_url_changes_one_thing(ctx):
    with ctx("/?q=alliance&topic=A&topic=B&page=3&sort=newest"):
        assert search_url(page=4) == "/?q=alliance&topic=A&topic=B&sort=newest&page=4"
        # any other change starts again at page 1
        assert search_url(sort="oldest") == "/?q=alliance&topic=A&topic=B&sort=oldest"
        assert search_url(topic=None) == "/?q=alliance&sort=newest"
        assert search_url(from_="2019", to="2020").endswith("&from=2019&to=2020")
        assert search_url_without("topic", "A") == "/?q=alliance&topic=B&sort=newest"
        assert search_url_adding("topic", "C") == "/?q=alliance&topic=A&topic=B&sort=newest&topic=C"
        assert search_url_adding("topic", "A") == "/?q=alliance&topic=A&topic=B&sort=newest"
        assert search_url([], topic=["X & Y"]) == "/?topic=X+%26+Y"
        assert search_url(path="/export.ris", page=None).startswith("/export.ris?q=alliance")
    with ctx("/?other=1"):
        assert search_url_without("topic", "A") == "/"


@pytest.mark.parametrize("query", ["", "page=3", "q=alliance", "q=a+%26+b&topic=X&page=2&other=1",
                                   "topic=A&topic=B&from=2019"])
def test_result_link_is_the_summary_link_of_the_search(ctx, query):
    with ctx(f"/?{query}"):
        for rank in (None, 1, 23):
            assert result_link("2020-01-x", rank) == summary_link("2020-01-x", search_args(), rank)
    with ctx("/?q=alliance&page=2"):
        assert result_link("s", 11) == "/summary/s?q=alliance&pos=11"
        assert result_link("s") == "/summary/s?q=alliance"
    with ctx("/?page=2"):
        assert result_link("s", 11) == "/summary/s?pos=11"
        assert result_link("s") == "/summary/s"


def test_page_numbers():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_numbers(2, 20) == [1, 2, 3, 4, None, 20]


def test_facet_values_keep_selected_zero_counts():
    values = facet_values({"A": 2, "B": 0}, ["A", "B", "C"], ["C"])
    assert [(v.name, v.count, v.selected) for v in values] == [("A", 2, False), ("C", 0, True)]


def test_paragraphs_escape_and_lists():
    html = str(paragraphs("First <b>line</b>\ncontinues.\n\n- one\n- two & three"))
    assert html == ("<p>First &lt;b&gt;line&lt;/b&gt; continues.</p>\n"
                    "<ul><li>one</li><li>two &amp; three</li></ul>")
    assert str(paragraphs("")) == ""


def test_month_label():
    assert month_label("2023-12") == "December 2023"
    assert month_label("2023-13") == "2023-13"
    assert month_label("soon") == "soon"
