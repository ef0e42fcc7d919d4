"""Provenance a reader can see (issue #17): blog posts versus summaries added to the archive.

One small site where every fourth summary was added to the archive (no posting month):
the Source facet in the engine, the search page, the JSON API and the CLI; the labels on
pages; dates and charts that count blog posts only; and the exports and dump.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.search import SearchIndex, SearchRequest
from tests.web_helpers import Site, build_site, make_summaries, write_corpus

MONTHS = [calendar.month_name[m] for m in range(1, 13)]


def provenance_site(root: Path) -> Site:
    """24 summaries, every fourth added to the archive, one blog post of unknown month."""
    summaries = make_summaries(24, seed=3)
    for i, s in enumerate(summaries):
        if i % 4 == 1:
            s.origin, s.published, s.added = "added", "", "2026-11"
    summaries[2].published = ""  # a blog post whose month is unknown
    write_corpus(root / "corpus", summaries)
    site = Site(root / "corpus", root / "index")
    build_site(site.corpus_dir, site.index_dir)
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return provenance_site(tmp_path_factory.mktemp("provenance"))


@pytest.fixture(scope="module")
def idx(site):
    return SearchIndex.open(site.index_dir)


def month_ordinal(published: str) -> int:
    return int(published[:4]) * 12 + int(published[5:7]) - 1


def passes(s, req: SearchRequest, skip: str = "") -> bool:
    """Whether a summary passes every filter of a request but the ``skip`` group's."""
    lo, hi = req.month_range()
    topic = skip == "topics" or not req.topics or set(req.topics) <= set(s.topics)
    rtype = skip == "research_type" or not req.types or s.research_type in req.types
    dated = skip == "year" or not (req.date_from or req.date_to) or (
        bool(s.published) and lo <= month_ordinal(s.published) <= hi)
    source = skip == "source" or not req.sources or s.origin in req.sources
    return topic and rtype and dated and source


def brute_force(summaries, matching: set[str], req: SearchRequest) -> dict:
    """Every facet group recounted by hand, each ignoring its own selection."""

    def ok(s, skip: str) -> bool:
        return passes(s, req, skip)

    out: dict[str, dict[str, int]] = {"topics": {}, "research_type": {}, "year": {},
                                      "source": {}}
    for s in summaries:
        if s.id not in matching:
            continue
        if ok(s, "topics"):
            for t in s.topics:
                out["topics"][t] = out["topics"].get(t, 0) + 1
        if ok(s, "research_type"):
            out["research_type"][s.research_type] = out["research_type"].get(
                s.research_type, 0) + 1
        if ok(s, "year") and s.published:
            out["year"][s.published[:4]] = out["year"].get(s.published[:4], 0) + 1
        if ok(s, "source"):
            out["source"][s.origin] = out["source"].get(s.origin, 0) + 1
    return out


# --------------------------------------------------------------------------- engine


@pytest.mark.parametrize("query", ["", "therapy", "alliance OR depression"])
@pytest.mark.parametrize("filters", [
    {}, {"sources": ["added"]}, {"sources": ["blog-post"]},
    {"sources": ["added", "blog-post"]}, {"sources": ["added"], "date_from": "2016"},
    {"sources": ["blog-post"], "types": ["Meta-analysis"]}, {"date_to": "2022"},
])
def test_source_facet_equals_a_brute_force_recount(idx, summaries, query, filters):
    everything = idx.search(SearchRequest(q=query, per_page=100))
    matching = {h.id for h in everything.hits}
    req = SearchRequest(q=query, per_page=100, **filters)
    res = idx.search(req)
    counts = {k: dict(v) for k, v in res.facets.items()}
    expected = brute_force(summaries, matching, req)
    assert {k: sorted(v.items()) for k, v in counts.items()} == {
        k: sorted(v.items()) for k, v in expected.items()}
    wanted = {s.id for s in summaries if s.id in matching and passes(s, req)}
    assert {h.id for h in res.hits} == wanted and res.total == len(wanted)
    assert res.total == sum(expected["source"].get(o, 0) for o in (req.sources or
                                                                   ["added", "blog-post"]))


def test_source_filter_accepts_names_and_reports_unknown_ones(idx, summaries):
    added = {s.id for s in summaries if s.origin == "added"}
    for name in ("added", "Added to this archive", "ADDED"):
        res = idx.search(SearchRequest(sources=[name], per_page=100))
        assert {h.id for h in res.hits} == added and res.sources == ["added"]
        assert all(h.origin == "added" and h.published == "" for h in res.hits)
    posts = idx.search(SearchRequest(sources=["PPRNet blog post"], per_page=100))
    assert posts.total == len(summaries) - len(added) and posts.sources == ["blog-post"]
    odd = idx.search(SearchRequest(sources=["tweet"], per_page=100))
    assert odd.total == len(summaries)
    assert any("Unknown source 'tweet' was ignored" in n for n in odd.notices)


def test_dates_count_blog_posts_only_and_sorting_puts_undated_last(idx, summaries):
    dated = [s for s in summaries if s.published]
    res = idx.search(SearchRequest(date_from="1900", per_page=100))
    assert res.total == len(dated)
    assert sum(res.facets["year"].values()) == len(dated)
    for sort in ("newest", "oldest"):
        hits = idx.search(SearchRequest(sort=sort, per_page=100)).hits
        months = [h.published for h in hits]
        first_undated = months.index("")
        assert all(not m for m in months[first_undated:]), sort
        shown = months[:first_undated]
        assert shown == sorted(shown, reverse=sort == "newest")


# --------------------------------------------------------------------------- web pages


def test_search_page_has_a_source_facet_that_filters(client, summaries):
    html = client.get("/").get_data(as_text=True)
    added = sum(1 for s in summaries if s.origin == "added")
    facet = html.split('class="facet facet-source"')[1].split("</fieldset>")[0]
    assert "<legend>Source</legend>" in facet
    assert re.search(r'name="source" value="added"[^>]*>\s*<label for="source-added">'
                     r'<span class="facet-name">Added to this archive</span> '
                     rf'<span class="count">{added}</span>', facet)
    assert re.search(r'<span class="facet-name">PPRNet blog post</span> <span class="count">'
                     rf'{len(summaries) - added}</span>', facet)
    page = client.get("/?source=added").get_data(as_text=True)
    assert re.search(rf'class="results-count"[^>]*>\s*{added} summaries', page)
    assert 'aria-label="Remove source filter Added to this archive"' in page
    assert page.count('<span class="origin-added">Added to this archive</span>') == min(added, 10)
    assert 'name="source" value="added" form="search" class="auto-submit" checked' in page


def test_search_page_says_how_added_summaries_are_counted_by_date(client):
    html = client.get("/").get_data(as_text=True)
    note = re.search(r'<p class="chart-note" id="dates-note">([^<]+)</p>', html)
    assert note and "Summaries added to this archive were never posted" in note.group(1)
    assert "A date range leaves them out" in note.group(1)


def test_summary_pages_say_where_the_summary_comes_from(client, summaries):
    post = next(s for s in summaries if s.origin == "blog-post" and s.published)
    html = client.get(f"/summary/{post.id}").get_data(as_text=True)
    month = f"{MONTHS[int(post.published[5:7]) - 1]} {post.published[:4]}"
    assert (f'<time class="origin" datetime="{post.published}">Posted on the PPRNet blog, '
            f'{month}</time>') in html
    added = next(s for s in summaries if s.origin == "added")
    html = client.get(f"/summary/{added.id}").get_data(as_text=True)
    assert ('<span class="origin">Added to this archive; not a blog post (added November 2026)'
            '</span>') in html
    assert "Posted on the PPRNet blog" not in html
    undated = next(s for s in summaries if s.origin == "blog-post" and not s.published)
    html = client.get(f"/summary/{undated.id}").get_data(as_text=True)
    assert "Posted on the PPRNet blog (month unknown)" in html


def test_topic_charts_count_blog_posts_and_say_so(client, summaries):
    html = client.get("/topics").get_data(as_text=True)
    undated = sum(1 for s in summaries if not s.published)
    assert (f"The {undated} summaries with no posting month (added to this archive, or a blog "
            "post whose month is unknown) are not counted by year") in html
    topic = next(t for s in summaries if s.origin == "added" for t in s.topics)
    from explorer.records import slugify

    page = client.get(f"/topics/{slugify(topic)}").get_data(as_text=True)
    n = sum(1 for s in summaries if topic in s.topics and not s.published)
    assert "Counted by the year the PPRNet blog posted them." in page
    assert f"{n} {'summary' if n == 1 else 'summaries'} of this topic" in page


def test_topics_heat_map_table_adds_up_to_dated_blog_posts(client, summaries):
    html = client.get("/topics").get_data(as_text=True)
    table = html.split("<caption>Blog posts per topic and year posted</caption>")[1]
    table = table.split("</table>")[0]
    year_cells = 0
    for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table):
        cells = re.findall(r"<td>(\d*)</td>", row)
        year_cells += sum(int(c) for c in cells[:-1] if c)
    assert year_cells == sum(len(s.topics) for s in summaries if s.published)


# --------------------------------------------------------------------------- API, CLI, exports


def test_api_search_filters_by_source_and_carries_origin(client, summaries):
    data = client.get("/api/search?source=added&per_page=100").get_json()
    added = [s for s in summaries if s.origin == "added"]
    assert data["total"] == len(added)
    assert data["facets"]["source"] == {"blog-post": len(summaries) - len(added),
                                        "added": len(added)}
    assert {h["origin"] for h in data["hits"]} == {"added"}
    assert all(h["published"] is None for h in data["hits"])
    spec = client.get("/api/openapi.json").get_json()
    params = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert "source" in params


def test_api_summary_carries_origin_and_months(client, summaries):
    added = next(s for s in summaries if s.origin == "added")
    data = client.get(f"/api/summaries/{added.id}").get_json()
    assert (data["origin"], data["published"], data["added"]) == ("added", None, "2026-11")
    post = next(s for s in summaries if s.origin == "blog-post" and s.published)
    data = client.get(f"/api/summaries/{post.id}").get_json()
    assert (data["origin"], data["published"], data["added"]) == ("blog-post", post.published,
                                                                  None)


def test_cli_search_source_and_a_bad_source(site, summaries):
    result = CliRunner().invoke(main, ["search", "--source", "added", "--json", "--per-page",
                                       "100", "--index", str(site.index_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == sum(1 for s in summaries if s.origin == "added")
    human = CliRunner().invoke(main, ["search", "--source", "added", "--index",
                                      str(site.index_dir)])
    assert "[added]" in human.output and re.search(r"Sources: .*added \(\d+\)", human.output)
    bad = CliRunner().invoke(main, ["search", "--source", "tweet", "--index",
                                    str(site.index_dir)])
    assert bad.exit_code == 2
    assert bad.output.strip() == ("pprnet: error: unknown --source 'tweet': use one of "
                                  "blog-post, added")


def test_dump_carries_origin(site, summaries):
    result = CliRunner().invoke(main, ["dump", "--corpus", str(site.corpus_dir)])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["origin"] for r in rows} == {"blog-post", "added"}
    for row in rows:
        if row["origin"] == "added":
            assert row["published"] is None and row["added"] == "2026-11"


def test_exports_carry_the_origin(client, summaries):
    text = client.get("/export.csv?source=added").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["origin"] for r in rows} == {"added"}
    assert all(r["published"] == "" and r["added"] == "2026-11" for r in rows)
    added = next(s for s in summaries if s.origin == "added")
    ris = client.get(f"/summary/{added.id}/export.ris").get_data(as_text=True)
    assert ("N1  - PPRNet Explorer summary (added to the archive, not a blog post, added "
            "2026-11)") in ris
    post = next(s for s in summaries if s.origin == "blog-post" and s.published)
    bib = client.get(f"/summary/{post.id}/export.bib").get_data(as_text=True)
    assert f"note = {{PPRNet blog post ({post.published}):" in bib
