"""The search page tells the truth (issue 10): relevance for words from every form,
newest when browsing, topic counts that follow the topic mode (checked against what
ticking each topic gives, in the page and the JSON API), two labelled date filters, and
plain notices for odd input."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.test_web_pages import hit_ids, result_count, text_of


def sort_options(html: str) -> dict[str, str]:
    """Label -> submitted value of the sort select's options, and which is selected."""
    select = re.search(r'<select id="sort".*?</select>', html, re.S).group(0)
    return {label: value + (" selected" if sel else "") for value, sel, label in
            re.findall(r'<option value="([^"]*)"( selected)?>([^<]+)</option>', select)}


def test_browse_page_default_sort_submits_nothing_so_words_rank_by_relevance(client):
    browse = client.get("/").get_data(as_text=True)
    options = sort_options(browse)
    assert options["Newest first"] == " selected"  # the default: an empty value
    words = client.get("/?q=alliance&sort=", follow_redirects=True).get_data(as_text=True)
    assert sort_options(words)["Relevance"] == " selected"
    api = client.get("/api/search?q=alliance&sort=").get_json()
    scores = [h["score"] for h in api["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert hit_ids(words) == [h["id"] for h in api["hits"]][: len(hit_ids(words))]


def test_links_of_a_word_search_keep_relevance(client):
    html = client.get("/?q=therapy&sort=", follow_redirects=True).get_data(as_text=True)
    links = re.findall(r'href="(/\?[^"]+)"', html)
    assert links
    for link in links:
        params = dict(parse_qsl(urlsplit(link.replace("&amp;", "&")).query))
        assert params.get("sort", "") in ("", "relevance", "oldest"), link


def test_browsing_is_newest_first(client):
    data = client.get("/api/search").get_json()
    published = [h["published"] for h in data["hits"]]
    assert published == sorted(published, reverse=True)


@pytest.mark.parametrize("any_topic", ["", "1"])
def test_topic_counts_follow_the_mode_in_page_and_api(client, site, any_topic):
    topics = [t for t, _ in _common_topics(site)[:2]]
    base = "/api/search?" + "&".join(f"topic={t}" for t in topics) + f"&any_topic={any_topic}"
    data = client.get(base).get_json()
    page = client.get(base.replace("/api/search", "/")).get_data(as_text=True)
    for topic, shown in data["facets"]["topics"].items():
        if any_topic:
            expected = client.get(f"/api/search?topic={topic}").get_json()["total"]
        elif topic in topics:
            expected = data["total"]
        else:
            expected = client.get(base + f"&topic={topic}").get_json()["total"]
        assert shown == expected, (topic, any_topic)
        label = re.search(rf'facet-name">{re.escape(topic)}</span> <span class="count">(\d+)',
                          page.replace("&amp;", "&"))
        if label:
            assert int(label.group(1)) == shown


def _common_topics(site):
    counts: dict[str, int] = {}
    for s in site.summaries():
        for t in s.topics:
            counts[t] = counts.get(t, 0) + 1
    return sorted(counts.items(), key=lambda kv: -kv[1])


def test_two_labelled_date_filters(client, site):
    html = client.get("/").get_data(as_text=True)
    assert "<legend>Study year</legend>" in html and "<legend>Posted</legend>" in html
    year = site.summaries()[3].citation.year
    data = client.get(f"/api/search?study_from={year}&study_to={year}&per_page=100").get_json()
    expected = {s.id for s in site.summaries() if s.citation.year == year}
    assert data["total"] == len(expected)
    html = client.get(f"/?study_from={year}&study_to={year}").get_data(as_text=True)
    assert f"Study year {year} – {year}" in text_of(html)
    posted = client.get("/?from=2016&to=2016").get_data(as_text=True)
    assert "Posted 2016 – 2016" in text_of(posted)


def test_nothing_searchable_says_so_and_browses(client, site):
    for q in ("(((", "NOT", "title:"):
        html = client.get("/", query_string={"q": q}).get_data(as_text=True)
        assert result_count(html) == len(site.summaries())
        assert "has no words to search for" in text_of(html)


def test_page_past_the_last(client, site):
    html = client.get("/?page=999").get_data(as_text=True)
    pages = -(-len(site.summaries()) // 10)
    assert f"Page 999 is past the last page ({pages})." in text_of(html)
    assert "Nothing matches" not in html and "Go to the last page" in html


def test_notices_are_plain_sentences(client):
    html = client.get("/?q=year:abc&sort=bogus&topic=Nope&from=xx").get_data(as_text=True)
    notices = re.findall(r'<p class="notice" role="status">([^<]+)</p>', html)
    assert len(notices) >= 4
    for notice in notices:
        assert notice.rstrip().endswith("."), notice
        assert notice[0].isupper(), notice
