"""The HTML pages through Flask's test client: search, summary and topic pages, errors."""

from __future__ import annotations

import os
import re
from collections import Counter
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from explorer.records import slugify
from explorer.search import SearchIndex, SearchRequest
from tests.web_helpers import SCRIPT_TITLE, template_site


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def hit_ids(html: str) -> list[str]:
    return re.findall(r'class="hit-title"><a href="/summary/([a-z0-9-]+)[?"]', html)


def result_count(html: str) -> int:
    match = re.search(r'class="results-count"[^>]*>\s*([\d,]+|No)', html)
    assert match, "no result count on the page"
    return 0 if match.group(1) == "No" else int(match.group(1).replace(",", ""))


# --------------------------------------------------------------------------- search page


def test_search_shows_highlighted_results(client, summaries):
    html = client.get("/?q=rupture").get_data(as_text=True)
    expected = {s.id for s in summaries
                if "rupture" in (s.title + s.body + s.implications + s.citation.title).lower()}
    assert expected, "the test corpus should mention ruptures"
    assert set(hit_ids(html)) <= expected
    assert result_count(html) == len(expected)
    assert "<mark>" in html
    assert re.search(r"<mark>[Rr]uptures?</mark>", html)


def test_result_items_have_month_citation_and_topic_chips(client, summaries):
    html = client.get("/?q=alliance").get_data(as_text=True)
    first = hit_ids(html)[0]
    summary = next(s for s in summaries if s.id == first)
    block = html[html.index(f'/summary/{first}?') :].split('class="hit"')[0]
    assert f'datetime="{summary.published}"' in block
    assert unescape(summary.citation.short()) in unescape(block)
    for topic in summary.topics:
        assert unescape(topic) in unescape(block)


def test_empty_query_browses_newest_first(client, summaries):
    html = client.get("/").get_data(as_text=True)
    assert result_count(html) == len(summaries)
    newest = sorted(summaries, key=lambda s: s.published, reverse=True)
    months = [next(s.published for s in summaries if s.id == i) for i in hit_ids(html)]
    assert months == sorted(months, reverse=True)
    assert months[0] == newest[0].published


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sort_orders_by_month(client, summaries, sort):
    html = client.get(f"/?q=therapy&sort={sort}").get_data(as_text=True)
    by_id = {s.id: s.published for s in summaries}
    months = [by_id[i] for i in hit_ids(html)]
    assert len(months) > 1
    assert months == sorted(months, reverse=(sort == "newest"))
    assert re.search(rf'<option value="{sort}" selected>', html)


def test_topic_filter_and_counts_follow_the_url(client, summaries):
    topic = "Alliance and Therapeutic Relationship"
    html = client.get("/", query_string={"topic": topic}).get_data(as_text=True)
    expected = [s for s in summaries if topic in s.topics]
    assert result_count(html) == len(expected)
    # the ticked checkbox is shown checked, and a chip removes it
    assert re.search(r'value="Alliance and Therapeutic Relationship" form="search" '
                     r'class="auto-submit" checked', html)
    assert 'aria-label="Remove topic filter Alliance and Therapeutic Relationship"' in html


def test_two_topics_all_of_versus_any_of(client, summaries):
    a, b = "Alliance and Therapeutic Relationship", "Empathy"
    both = [s for s in summaries if a in s.topics and b in s.topics]
    either = [s for s in summaries if a in s.topics or b in s.topics]
    html_all = client.get("/", query_string=[("topic", a), ("topic", b)]).get_data(as_text=True)
    html_any = client.get(
        "/", query_string=[("topic", a), ("topic", b), ("any_topic", "1")]
    ).get_data(as_text=True)
    assert result_count(html_all) == len(both)
    assert result_count(html_any) == len(either)


def test_year_range_filters_and_histogram(client, summaries):
    html = client.get("/?from=2018&to=2020").get_data(as_text=True)
    expected = [s for s in summaries if 2018 <= s.year <= 2020]
    assert result_count(html) == len(expected)
    assert 'id="year-histogram"' in html
    assert re.search(r'<option value="2018" selected>2018</option>', html)
    assert re.search(r'<select id="to"[^>]*>.*?<option value="2020" selected>', html, re.S)
    # bars outside the range are drawn differently
    assert "bar bar-out" in html


def test_research_type_facet_counts(client, summaries):
    html = client.get("/?q=clients").get_data(as_text=True)
    idx = SearchIndex.open(template_site().index_dir)
    resp = idx.search(SearchRequest(q="clients"))
    for name, count in resp.facets["research_type"].items():
        label = re.search(
            rf'<span class="facet-name">{re.escape(name)}</span> <span class="count">(\d+)</span>',
            unescape(html),
        )
        assert label and int(label.group(1)) == count


def test_removable_chip_links_drop_only_their_value(client):
    a, b = "Empathy", "Training"
    html = client.get("/", query_string=[("q", "therapist"), ("topic", a), ("topic", b)])
    html = html.get_data(as_text=True)
    link = re.search(r'href="([^"]+)" aria-label="Remove topic filter Empathy"', html).group(1)
    params = parse_qsl(urlsplit(unescape(link)).query)
    assert ("topic", "Training") in params and ("topic", "Empathy") not in params
    assert ("q", "therapist") in params


def test_pagination_links_keep_the_state(client):
    html = client.get("/?q=&sort=oldest", follow_redirects=True).get_data(as_text=True)
    assert 'aria-label="Result pages"' in html
    nxt = re.search(r'rel="next" href="([^"]+)"', html).group(1)
    params = dict(parse_qsl(urlsplit(unescape(nxt)).query))
    assert params == {"sort": "oldest", "page": "2"}
    page2 = client.get(unescape(nxt)).get_data(as_text=True)
    assert set(hit_ids(page2)).isdisjoint(hit_ids(html))
    assert re.search(r'<ol class="hits" start="11">', page2)


def test_typo_shows_corrected_results_with_a_way_back(client):
    html = client.get("/?q=allaince").get_data(as_text=True)
    assert result_count(html) > 0
    assert "Showing results for" in html and "Search instead for" in html
    assert re.search(r'href="/\?q=allaince&amp;correct=0"', html)
    strict = client.get("/?q=allaince&correct=0").get_data(as_text=True)
    assert result_count(strict) == 0 and "Showing results for" not in strict
    data = client.get("/api/search?q=allaince").get_json()
    assert data["corrected_from"] == "allaince" and data["query"] == "alliance"


def test_two_words_no_summary_has_together_find_nothing(client, summaries):
    words = ["cohesion", "hopelessness", "homework", "supervision", "panic", "goodbye"]
    texts = [(s.title + " " + s.body + " " + s.implications).lower() for s in summaries]
    pair = next(
        (a, b)
        for i, a in enumerate(words)
        for b in words[i + 1 :]
        if not any(a in t and b in t for t in texts) and any(a in t for t in texts)
    )
    html = client.get(f"/?q={pair[0]}+{pair[1]}").get_data(as_text=True)
    assert result_count(html) == 0
    assert "any of them" not in html


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-4",
        "page=999999",
        "sort=sideways",
        "from=last+year",
        "to=2019-13",
        "from=2022&to=2016",
        "q=%22unbalanced",
        "q=(((",
        "q=" + "x" * 12000,
        "topic=Not+A+Topic",
        "type=Nonsense",
        "q=%00%01",
        "any_topic=maybe",
    ],
)
def test_odd_parameters_never_fail(client, query):
    response = client.get("/?" + query)
    assert response.status_code == 200


def test_bad_page_and_sort_are_explained(client):
    html = client.get("/?q=alliance&sort=sideways&from=nonsense").get_data(as_text=True)
    assert html.count('class="notice"') >= 2


# --------------------------------------------------------------------------- summary page


def test_summary_page_shows_everything(client, summaries):
    s = next(x for x in summaries if x.citation.doi and x.title != SCRIPT_TITLE)
    html = client.get(f"/summary/{s.id}").get_data(as_text=True)
    assert unescape(s.title) in unescape(html)
    assert "Practice implications" in html
    assert s.implications.split(".")[0] in unescape(html)
    assert f'href="https://doi.org/{s.citation.doi}"' in html
    for topic in s.topics:
        assert f'href="/topics/{slugify(topic)}"' in html
    assert s.research_type in unescape(html)
    assert "More like this" in html
    similar = re.findall(r'class="related-list".*?</ol>', html, re.S)
    assert similar and f"/summary/{s.id}\"" not in similar[0]
    for fmt in ("ris", "bib", "csv"):
        assert f"/summary/{s.id}/export.{fmt}" in html


def test_summary_text_is_escaped(client, summaries):
    s = next(x for x in summaries if x.title == SCRIPT_TITLE)
    html = client.get(f"/summary/{s.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    search = client.get("/?q=escaping").get_data(as_text=True)
    assert "<script>alert(1)" not in search
    assert "&lt;script&gt;" in search


@pytest.mark.parametrize(
    "path",
    [
        "/summary/../../etc/passwd",
        "/summary/..%2F..%2Fetc%2Fpasswd",
        "/summary/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/summary/NOT-LOWERCASE",
        "/summary/does-not-exist",
        "/summary/" + "a" * 300,
        "/summary/x/export.ris",
        "/topics/no-such-topic",
        "/export.exe",
        "/no/such/page",
    ],
)
def test_unknown_and_malicious_paths_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "root:" not in response.get_data(as_text=True)
    assert "There is no page at this address" in response.get_data(as_text=True)


def test_wrong_method_is_405_page(client):
    response = client.post("/topics", data={})
    assert response.status_code in (400, 405)  # CSRF check may answer first
    response = client.delete("/")
    assert response.status_code in (400, 405)


# --------------------------------------------------------------------------- topics


def test_topics_page_lists_every_topic_with_counts(client, summaries):
    from explorer.corpus import load_taxonomy

    html = client.get("/topics").get_data(as_text=True)
    counts = Counter(t for s in summaries for t in s.topics)
    for topic in load_taxonomy().topics:
        match = re.search(
            rf'href="/topics/{slugify(topic)}"><span class="topic-name">{re.escape(str(escape_html(topic)))}'
            r'</span></a>\s*<span class="topic-count">(\d+)</span>',
            html,
        )
        assert match, topic
        assert int(match.group(1)) == counts.get(topic, 0)


def escape_html(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_topics_page_heatmap_and_cooccurrence(client, summaries):
    html = client.get("/topics").get_data(as_text=True)
    assert 'id="topic-year-heatmap"' in html and "<title" in html
    pairs = Counter()
    for s in summaries:
        ts = sorted(s.topics)
        for i, a in enumerate(ts):
            for b in ts[i + 1 :]:
                pairs[(a, b)] += 1
    (a, b), n = pairs.most_common(1)[0]
    first_pair = re.search(r'<ol class="pair-list">\s*<li><a href="[^"]+">(.*?)</a> '
                           r'<span class="pair-count">(\d+)</span>', html, re.S)
    assert int(first_pair.group(2)) == n
    # the heat map cell titles carry exact figures
    year_counts = Counter(s.year for s in summaries if "Empathy" in s.topics)
    year, count = year_counts.most_common(1)[0]
    assert f"Empathy, {year}: {count} summar" in html


def test_topic_page(client, summaries):
    topic = "Group Psychotherapy"
    html = client.get(f"/topics/{slugify(topic)}").get_data(as_text=True)
    members = sorted((s for s in summaries if topic in s.topics),
                     key=lambda s: s.published, reverse=True)
    assert f"{len(members)} summaries" in html
    listed = re.findall(r'class="list-title" href="/summary/([a-z0-9-]+)"', html)
    assert listed == [s.id for s in members]
    assert 'id="topic-years"' in html and "blog posts per year posted" in html
    assert "Often together with" in html
    terms = re.findall(r'class="chip" href="[^"]*" title="in \d+ of \d+ summaries">([^<]+)<', html)
    assert terms, "distinctive terms missing"
    assert any(t in ("group", "cohesion", "members") for t in terms[:5])


def test_topic_pages_for_all_topics_render(client):
    from explorer.corpus import load_taxonomy

    for topic in load_taxonomy().topics:
        assert client.get(f"/topics/{slugify(topic)}").status_code == 200


def test_static_assets_served_with_long_cache(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/site\.css\?v=[0-9a-f]+)"', html).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert "max-age" in response.headers.get("Cache-Control", "")
    assert client.get(re.search(r'src="(/static/site\.js[^"]*)"', html).group(1)).status_code == 200


def test_healthz(client, summaries):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "summaries": len(summaries),
                                   "pid": os.getpid()}
    assert response.headers["X-Content-Type-Options"] == "nosniff"
