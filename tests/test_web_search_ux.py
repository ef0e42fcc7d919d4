"""Markup behind the search page's and reading list's behaviour (their clicks are in
tests/test_browser_search_ux.py): study-year boxes that apply on their own like the other
filters, the filters' link back to the result count, and a list page whose heading counts
the list shown (the header counts the list kept in the browser)."""

from __future__ import annotations

import re

from tests.test_web_pages import result_count, text_of


def _tag(html: str, element_id: str) -> str:
    return re.search(rf'<input id="{element_id}"[^>]*>', html).group(0)


def test_study_year_boxes_apply_like_the_other_filters(client, site):
    year = sorted(int(s.citation.year) for s in site.summaries() if s.citation.year)[5]
    html = client.get(f"/?study_from={year}").get_data(as_text=True)
    for element_id in ("study_from", "study_to"):
        tag = _tag(html, element_id)
        # auto-submitted on change; text, not number: no spin buttons reloading per click
        assert 'class="auto-submit"' in tag and 'type="text"' in tag
        assert 'inputmode="numeric"' in tag and 'form="search"' in tag
    assert f'value="{year}"' in _tag(html, "study_from")
    assert 'value=""' in _tag(html, "study_to")
    # without JavaScript the Apply button still applies them
    assert "Apply filters</button>" in html


def test_filters_link_back_to_the_count_they_give(client, site):
    for url in ("/", "/?type=Meta-analysis", "/?q=zzzqqqxxy"):
        html = client.get(url).get_data(as_text=True)
        link = re.search(r'<p class="back-to-results js-only"><a href="#results-heading">'
                         r'(.*?)</a></p>', html, re.S)
        assert link, url
        total = result_count(html)
        noun = "summary" if total == 1 else "summaries"
        assert text_of(link.group(1)).startswith(f"Show {total:,} {noun}"), url
        assert 'id="results-heading"' in html


def test_list_heading_counts_the_list_shown(client, site):
    ids = sorted(s.id for s in site.summaries())[:2]
    html = client.get("/list?ids=" + ",".join(ids)).get_data(as_text=True)
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert text_of(heading) == "Reading list: 2 summaries"
    # the choices for a browser that already keeps another list start hidden (script shows them)
    assert re.search(r'<button[^>]*class="[^"]*keep-add[^"]*"[^>]*hidden', html)
    assert re.search(r'<p class="kept-note[^"]*"[^>]*hidden', html)
    one = client.get(f"/list?ids={ids[0]}").get_data(as_text=True)
    assert text_of(re.search(r"<h1>(.*?)</h1>", one, re.S).group(1)) == "Reading list: 1 summary"
    empty = client.get("/list").get_data(as_text=True)
    assert text_of(re.search(r"<h1>(.*?)</h1>", empty, re.S).group(1)) == "Reading list"
