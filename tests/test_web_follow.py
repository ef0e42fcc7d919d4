"""Follow, collect, cite: Atom feeds, reading lists, APA citations, JSON twins, per_page,
clean URLs and navigation that remembers the search (Flask test client)."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import feedparser
import pytest

from explorer.apa import apa_text
from explorer.records import Citation, slugify
from tests.web_helpers import SCRIPT_TITLE


def hit_links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'class="hit-title"><a href="([^"]+)"', html)]


def newest_first(summaries):
    return sorted(summaries, key=lambda s: (s.published, s.id), reverse=True)


# --------------------------------------------------------------------------- feeds


def test_feed_is_valid_atom_newest_first_with_ids_dates_and_content(client, summaries):
    response = client.get("/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    entries = feed.entries
    assert len(entries) == min(50, len(summaries))
    published = [e.published[:7] for e in entries]
    assert published == sorted(published, reverse=True)
    ids = [e.id for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("tag:") for i in ids)
    by_id = {s.id: s for s in summaries}
    first = entries[0]
    summary = by_id[first.link.rsplit("/", 1)[1]]
    assert first.title == summary.title
    assert first.updated.startswith(summary.published + "-01T00:00:00")
    assert apa_text(summary.citation) == first.summary
    assert "Practice implications" in first.content[0].value
    assert summary.implications.split(".")[0] in unescape(first.content[0].value)
    assert feed.feed.updated.startswith(newest_first(summaries)[0].published)
    assert {t.term for t in first.tags} == set(summary.topics)


def test_feed_follows_the_search_parameters_and_escapes_text(client, summaries):
    topic = summaries[0].topics[0]
    feed = feedparser.parse(client.get("/feed.atom", query_string={"topic": topic}).data)
    assert not feed.bozo
    expected = {s.id for s in summaries if topic in s.topics}
    assert {e.link.rsplit("/", 1)[1] for e in feed.entries} == expected
    assert topic in feed.feed.title
    # the summary whose title carries markup: the XML stays well-formed, the title intact
    scripted = [e for e in feed.entries if e.title == SCRIPT_TITLE]
    assert scripted and b"<script>" not in client.get(
        "/feed.atom", query_string={"topic": topic}).data.replace(b"&lt;script&gt;", b"")


def test_feed_is_linked_from_search_and_topic_pages(client, summaries):
    html = client.get("/?q=alliance").get_data(as_text=True)
    link = re.search(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)"', html)
    assert link and unescape(link.group(1)) == "/feed.atom?q=alliance"
    assert 'class="follow" href="/feed.atom?q=alliance"' in html
    topic = summaries[0].topics[0]
    page = client.get(f"/topics/{slugify(topic)}").get_data(as_text=True)
    assert 'type="application/atom+xml"' in page and "Follow this topic" in page
    feed_href = unescape(re.search(r'class="follow" href="([^"]+)"', page).group(1))
    assert dict(parse_qsl(urlsplit(feed_href).query)) == {"topic": topic}


# --------------------------------------------------------------------------- reading lists


def test_list_page_shows_the_chosen_summaries_in_order_with_handout_parts(client, summaries):
    chosen = [summaries[5], summaries[2], summaries[9]]
    html = client.get("/list?ids=" + ",".join(s.id for s in chosen)).get_data(as_text=True)
    titles = re.findall(r'<h2 id="title-[^"]+"><a href="/summary/([^"]+)"', html)
    assert titles == [s.id for s in chosen]
    for s in chosen:
        assert unescape(apa_text(s.citation).split(" https://")[0]).split(".")[0] in unescape(html)
    assert html.count("Practice implications") == len(chosen)
    assert "3 summaries" in html


def test_list_accepts_repeated_ids_from_the_no_script_form_and_reports_unknown(client, summaries):
    a, b = summaries[1].id, summaries[3].id
    html = client.get(f"/list?ids={a}&ids={b}&ids={a}&ids=no-such-summary&ids=../etc")
    text = html.get_data(as_text=True)
    assert re.findall(r'<h2 id="title-([^"]+)"', text) == [a, b]
    assert "no-such-summary" in text and "not found" in text


def test_list_remove_links_drop_one_entry(client, summaries):
    ids = [summaries[0].id, summaries[1].id, summaries[2].id]
    html = client.get("/list?ids=" + ",".join(ids)).get_data(as_text=True)
    removes = [unescape(h) for h in re.findall(r'href="([^"]+)" data-id="[^"]+" class="list-remove"', html)]
    assert removes[1] == f"/list?ids={ids[0]},{ids[2]}"


def test_empty_list_explains_how_to_fill_it(client):
    html = client.get("/list").get_data(as_text=True)
    assert "This reading list is empty" in html and "Add to reading list" in html


@pytest.mark.parametrize("fmt", ["ris", "bib", "csv", "txt"])
def test_list_exports_only_the_chosen_summaries(client, summaries, fmt):
    chosen = [summaries[4], summaries[7]]
    response = client.get(f"/list/export.{fmt}?ids={chosen[0].id},{chosen[1].id}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    dois = re.findall(r"10\.1000/webtest\.\d+", text)
    assert sorted(set(dois)) == sorted({s.citation.doi for s in chosen})
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 2


def test_list_json_twin(client, summaries):
    ids = [summaries[6].id, summaries[8].id]
    data = client.get(f"/api/list?ids={','.join(ids)},missing-one").get_json()
    assert [s["id"] for s in data["summaries"]] == ids
    assert data["missing"] == ["missing-one"] and data["total"] == 2
    html = client.get(f"/list?ids={','.join(ids)}").get_data(as_text=True)
    assert f'href="/api/list?ids={ids[0]},{ids[1]}"' in html


def test_search_results_can_be_ticked_into_a_list_without_script(client):
    html = client.get("/?q=alliance").get_data(as_text=True)
    assert '<form id="pick" class="pick-form" method="get" action="/list">' in html
    boxes = re.findall(r'<input type="checkbox" id="pick-[^"]+" name="ids" value="([^"]+)" form="pick"', html)
    assert boxes and len(boxes) == len(hit_links(html))


# --------------------------------------------------------------------------- citations


def test_apa_reference_follows_apa7():
    article = Citation(authors=["Smith, J. A.", "Lee, K.", "Ortiz, M."], year="2020",
                       title="Alliance ruptures in groups", journal="Psychotherapy",
                       volume="57", issue="2", pages="101–110", doi="10.1037/pst0000001")
    assert apa_text(article) == (
        "Smith, J. A., Lee, K., & Ortiz, M. (2020). Alliance ruptures in groups. "
        "Psychotherapy, 57(2), 101–110. https://doi.org/10.1037/pst0000001")
    chapter = Citation(authors=["Lambert, M. J."], year="2013", title="The efficacy of therapy",
                       journal="Bergin and Garfield's handbook (6th ed.)",
                       editors=["Lambert, M. J."], publisher="Wiley", pages="169–218")
    assert apa_text(chapter) == (
        "Lambert, M. J. (2013). The efficacy of therapy. In M. J. Lambert (Ed.), "
        "Bergin and Garfield's handbook (6th ed.) (pp. 169–218). Wiley.")
    two_eds = Citation(authors=["A, B."], year="2001", title="T", journal="Book",
                       editors=["Norcross, J. C.", "Lambert, M. J."])
    assert "In J. C. Norcross & M. J. Lambert (Eds.), Book." in apa_text(two_eds)
    many = Citation(authors=[f"Author{i}, A." for i in range(1, 25)], year="2019", title="X",
                    journal="J")
    text = apa_text(many)
    assert "Author19, A., . . . Author24, A. (2019)" in text and "Author20," not in text
    assert apa_text(Citation(title="Untitled")).startswith("(n.d.).")
    book = Citation(authors=["Wampold, B. E.", "Imel, Z. E."], year="2015",
                    title="The great psychotherapy debate (2nd ed.)", publisher="Routledge")
    assert apa_text(book) == ("Wampold, B. E., & Imel, Z. E. (2015). The great psychotherapy "
                              "debate (2nd ed.). Routledge.")


def test_summary_page_offers_apa_citation_with_copy_button(client, summaries):
    s = summaries[3]
    html = client.get(f"/summary/{s.id}").get_data(as_text=True)
    assert 'id="apa-citation"' in html and "Copy citation" in html
    copy_text = re.search(r'data-copy-text="([^"]+)"', html).group(1)
    assert unescape(copy_text) == apa_text(s.citation)
    assert f"<i>{s.citation.journal}, {s.citation.volume}</i>" in html
    for fmt in ("ris", "bib", "csv", "txt"):
        assert f'href="/summary/{s.id}/export.{fmt}"' in html
    assert f'href="/api/summaries/{s.id}"' in html


# --------------------------------------------------------------------------- JSON twins


def test_pages_link_their_json_twins(client, summaries):
    html = client.get("/?q=alliance&topic=Empathy").get_data(as_text=True)
    twin = unescape(re.search(r'class="json-link" href="([^"]+)"', html).group(1))
    assert twin == "/api/search?q=alliance&topic=Empathy"
    topic = summaries[0].topics[0]
    slug = slugify(topic)
    page = client.get(f"/topics/{slug}").get_data(as_text=True)
    assert f'href="/api/topics/{slug}"' in page
    data = client.get(f"/api/topics/{slug}").get_json()
    assert data["name"] == topic
    assert {s["id"] for s in data["summaries"]} == {s.id for s in summaries if topic in s.topics}
    assert sum(data["per_year"].values()) == data["count"]
    assert client.get("/api/topics/no-such-topic").status_code == 404


def test_api_per_page_is_bounded(client, summaries):
    data = client.get("/api/search?per_page=3").get_json()
    assert len(data["hits"]) == 3 and data["pages"] == -(-len(summaries) // 3)
    assert len(client.get("/api/search?per_page=100").get_json()["hits"]) == len(summaries)
    for bad in ("0", "101", "abc", "-1"):
        response = client.get(f"/api/search?per_page={bad}")
        assert response.status_code == 400
        assert "per_page" in response.get_json()["error"]["message"]


def test_openapi_documents_the_new_endpoints():
    from explorer.web.api import openapi_document

    doc = openapi_document()
    assert {"/api/topics/{slug}", "/api/list"} <= set(doc["paths"])
    names = [p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]]
    assert "per_page" in names


# --------------------------------------------------------------------------- clean URLs


def test_empty_parameters_redirect_to_the_clean_address(client):
    response = client.get("/?q=dropout&from=&to=&sort=&topic=")
    assert response.status_code == 302
    assert response.headers["Location"] == "/?q=dropout"
    assert client.get("/?from=&to=").headers["Location"] == "/"


def test_links_on_the_search_page_carry_no_empty_parameters(client):
    html = client.get("/?q=alliance").get_data(as_text=True)
    for href in re.findall(r'href="(/[^"]*\?[^"]*)"', html):
        for key, value in parse_qsl(urlsplit(unescape(href)).query, keep_blank_values=True):
            assert value != "", f"{href} carries an empty {key}"


# --------------------------------------------------------------------------- navigation


def test_result_links_carry_the_search_and_the_rank(client):
    html = client.get("/?sort=oldest&type=Meta-analysis&page=1").get_data(as_text=True)
    links = hit_links(html)
    assert dict(parse_qsl(urlsplit(links[2]).query)) == {
        "sort": "oldest", "type": "Meta-analysis", "pos": "3"}
    html = client.get("/?sort=oldest&page=2").get_data(as_text=True)
    first = dict(parse_qsl(urlsplit(hit_links(html)[0]).query))
    assert first == {"sort": "oldest", "pos": "11"}


def test_summary_page_returns_to_the_search_and_walks_its_order(client):
    order = []
    page = 1
    while True:
        html = client.get(f"/?sort=oldest&page={page}").get_data(as_text=True)
        links = hit_links(html)
        if not links:
            break
        order += [urlsplit(link).path.rsplit("/", 1)[1] for link in links]
        page += 1
    assert len(order) > 11
    rank = 10  # the last result of page 1: its next result is on page 2
    html = client.get(f"/summary/{order[rank - 1]}?sort=oldest&pos={rank}").get_data(as_text=True)
    back = unescape(re.search(r'<nav class="breadcrumb"[^>]*>\s*<a href="([^"]+)"', html).group(1))
    assert back == "/?sort=oldest"
    prev = unescape(re.search(r'rel="prev" href="([^"]+)"', html).group(1))
    nxt = unescape(re.search(r'rel="next" href="([^"]+)"', html).group(1))
    assert urlsplit(prev).path == f"/summary/{order[rank - 2]}"
    assert urlsplit(nxt).path == f"/summary/{order[rank]}"
    assert dict(parse_qsl(urlsplit(nxt).query))["pos"] == str(rank + 1)
    assert f"Summary {rank} of {len(order)}" in html
    # from page 2 the way back leads to page 2
    html = client.get(f"/summary/{order[rank]}?sort=oldest&pos={rank + 1}").get_data(as_text=True)
    back = unescape(re.search(r'<nav class="breadcrumb"[^>]*>\s*<a href="([^"]+)"', html).group(1))
    assert back == "/?sort=oldest&page=2"


def test_stale_rank_keeps_the_way_back_but_no_wrong_neighbours(client, summaries):
    html = client.get(f"/summary/{summaries[0].id}?q=alliance&pos=9999").get_data(as_text=True)
    assert "Back to your search" in html
    assert 'rel="next"' not in html and 'rel="prev"' not in html


def test_summary_without_search_context_links_to_search(client, summaries):
    html = client.get(f"/summary/{summaries[0].id}").get_data(as_text=True)
    assert re.search(r'<nav class="breadcrumb"[^>]*>\s*<a href="/">Search</a>', html)
    assert 'rel="next"' not in html


# --------------------------------------------------------------------------- charts


def test_histogram_labels_every_few_years():
    from explorer.web import charts

    years = list(range(2013, 2027))
    svg = str(charts.year_histogram({y: 1 for y in years}, years, chart_id="h"))
    labels = [int(x) for x in re.findall(r'class="label"[^>]*>(\d{4})<', svg)]
    assert labels[0] == 2013 and labels[-1] == 2026
    assert 4 <= len(labels) <= charts.HISTOGRAM_LABELS
    gaps = {b - a for a, b in zip(labels, labels[1:], strict=False)}
    assert max(gaps) <= 4
    assert charts.label_positions(1, 6) == [0]
    assert charts.label_positions(5, 6) == [0, 2, 4]
    assert charts.label_positions(2, 6) == [0, 1]
    assert all(b - a >= 2 for a, b in zip(charts.label_positions(9, 6),
                                           charts.label_positions(9, 6)[1:], strict=False))


def test_heatmap_labels_sit_outside_the_scrolling_cells():
    from explorer.web import charts

    html = str(charts.heatmap(["Alpha", "Beta"], [2019, 2020], {"Alpha": {2019: 2}},
                              chart_id="hm", title_text="T", row_href=lambda r: f"/t/{r}"))
    labels_part, cells_part = html.split('<div class="heatmap-scroll"', 1)
    assert 'href="/t/Alpha"' in labels_part and "<svg" not in labels_part
    assert "<svg" in cells_part and "Alpha, 2019: 2 summaries" in cells_part
