"""What crawlers are told: ``/robots.txt`` keeps them off the endless search and filter
URLs, ``/sitemap.xml`` names every summary and topic page once, and a summary page
opened from a search names its address without the search.

The rules are read as a crawler reads them (RFC 9309: ``*`` wildcards, the longest
matching rule wins), and a crawl of the whole site through the app checks the point of
it all: obeying the rules, a crawler reaches every summary while fetching no URL with a
query string and about one page per summary and topic; following every link instead, it
is still fetching search pages long after that.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from explorer.records import slugify
from explorer.web import crawlers

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from crawl import crawl, robots_allows, robots_rules  # noqa: E402

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def topics_of(client) -> list[str]:  # type: ignore[no-untyped-def]
    return client.application.extensions["pprnet"].taxonomy.topics


def rules_of(client) -> list[tuple[bool, str]]:  # type: ignore[no-untyped-def]
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return robots_rules(response.get_data(as_text=True))


@pytest.mark.parametrize("url", [
    "/", "/topics", "/topics/empathy", "/summary/2013-02-what-to-do", "/sitemap.xml",
    "/static/site.css", "/static/site.js?v=827fb2d21e", "/healthz",
])
def test_pages_worth_indexing_are_allowed(client, url: str) -> None:  # type: ignore[no-untyped-def]
    assert robots_allows(rules_of(client), url)


@pytest.mark.parametrize("url", [
    "/?q=alliance", "/?topic=Empathy&type=Meta-analysis", "/?page=2",
    "/summary/2013-02-what-to-do?q=alliance&pos=3", "/topics/empathy?x=1",
    "/export.bib?q=alliance", "/export.ris", "/summary/2013-02-what-to-do/export.bib",
    "/api/search?q=x", "/api/topics", "/feed.atom", "/list", "/list?ids=a,b", "/editor",
    "/editor/queue",
])
def test_searches_filters_and_downloads_are_disallowed(client, url: str) -> None:  # type: ignore[no-untyped-def]
    assert not robots_allows(rules_of(client), url)


def test_the_page_assets_it_links_are_allowed(client, summaries) -> None:  # type: ignore[no-untyped-def]
    """A search engine renders a page with its style sheet and script, whose links carry
    a version in a query string."""
    rules = rules_of(client)
    page = client.get(f"/summary/{summaries[0].id}").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert any("?v=" in a for a in assets)
    assert all(robots_allows(rules, a) for a in assets)


def test_robots_rules_are_read_as_rfc_9309_says() -> None:
    """The reader the checks above rely on: groups, wildcards, end anchors, precedence."""
    rules = robots_rules("User-agent: other\nDisallow: /\n\nUser-agent: *\n"
                         "Disallow: /*?\nAllow: /keep?$\nDisallow: /a/*/b\n# note\n")
    assert rules == [(False, "/*?"), (True, "/keep?$"), (False, "/a/*/b")]
    assert robots_allows(rules, "/x") and not robots_allows(rules, "/x?y")
    assert robots_allows(rules, "/keep?")  # the longer rule wins
    assert not robots_allows(rules, "/keep?more")  # "$": not this one
    assert not robots_allows(rules, "/a/1/2/b") and robots_allows(rules, "/a/b")
    assert robots_rules("User-agent: other\nDisallow: /\n") == []


def test_robots_txt_names_the_sitemap_with_the_site_address(client) -> None:  # type: ignore[no-untyped-def]
    text = client.get("/robots.txt", base_url="https://explorer.example.org").get_data(
        as_text=True)
    assert "Sitemap: https://explorer.example.org/sitemap.xml" in text.splitlines()


def test_a_site_below_a_root_path_keeps_its_rules_and_sitemap_there(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/robots.txt", base_url="https://example.org/explorer")
    rules = robots_rules(response.get_data(as_text=True))
    assert not robots_allows(rules, "/explorer/?q=alliance")
    assert robots_allows(rules, "/explorer/summary/x")
    assert "Sitemap: https://example.org/explorer/sitemap.xml" in response.get_data(
        as_text=True)


def test_the_sitemap_names_every_summary_and_topic_page_once(client, summaries) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sitemap.xml", base_url="https://explorer.example.org")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    top = ET.fromstring(response.get_data())
    assert top.tag == f"{NS}urlset"
    locations = [el.text for el in top.iter(f"{NS}loc")]
    assert len(locations) == len(set(locations))
    expected = {"/", "/topics", *(f"/topics/{slugify(t)}" for t in topics_of(client)),
                *(f"/summary/{s.id}" for s in summaries)}
    assert set(locations) == {f"https://explorer.example.org{p}" for p in expected}
    for location in locations[:5] + locations[-5:]:  # and each of them is a page
        assert client.get(location).status_code == 200, location


def test_a_large_archive_gets_a_sitemap_index_of_parts(client, summaries,  # type: ignore[no-untyped-def]
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crawlers, "SITEMAP_LIMIT", 15)
    # (each URL here carries ?v=small: the page cache keeps the answers by URL, and the
    # other tests ask the same paths with the real limit)
    pages = 2 + len(topics_of(client)) + len(summaries)
    top = ET.fromstring(client.get("/sitemap.xml?v=small").get_data())
    assert top.tag == f"{NS}sitemapindex"
    parts = [el.text for el in top.iter(f"{NS}loc")]
    assert len(parts) == -(-pages // 15)
    seen: list[str] = []
    for n, part in enumerate(parts, 1):
        assert part == f"http://localhost/sitemap-{n}.xml"
        body = ET.fromstring(client.get(f"/sitemap-{n}.xml?v=small").get_data())
        names = [el.text for el in body.iter(f"{NS}loc")]
        assert 0 < len(names) <= 15
        seen += names
    assert len(seen) == len(set(seen)) == pages
    assert client.get(f"/sitemap-{len(parts) + 1}.xml?v=small").status_code == 404
    assert client.get("/sitemap-0.xml?v=small").status_code == 404


def test_a_single_sitemap_has_no_parts(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/sitemap-1.xml").status_code == 404


def test_a_summary_opened_from_a_search_names_its_plain_address(client, summaries) -> None:  # type: ignore[no-untyped-def]
    sid = summaries[0].id
    page = client.get(f"/summary/{sid}?q=alliance&pos=2",
                      base_url="https://explorer.example.org").get_data(as_text=True)
    assert f'<link rel="canonical" href="https://explorer.example.org/summary/{sid}">' in page


def test_a_crawler_obeying_the_rules_reaches_every_summary_without_searching(  # type: ignore[no-untyped-def]
        client, summaries) -> None:
    polite = crawl(client, polite=True, max_pages=2000)
    assert polite["summaries_reached"] == len(summaries)
    assert polite["with_query_string"] == 0 and polite["left_in_queue"] == 0
    # the home page, the topic list, the topic pages, the summaries, and a few plain
    # pages their links lead to (static files, the sitemap...)
    assert polite["pages_fetched"] <= 2 + len(topics_of(client)) + len(summaries) + 15
    follows_all = crawl(client, polite=False, max_pages=polite["pages_fetched"] * 3)
    assert follows_all["left_in_queue"] > 0  # still going at three times the pages
    assert follows_all["with_query_string"] > follows_all["pages_fetched"] / 2
