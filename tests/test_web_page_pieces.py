"""The cached pieces search pages are built from give what the plain way gives: query
strings as `urlencode` writes them, links as `url_for` builds them, the histogram as
drawn from scratch, facet checkboxes that a browser submits as before."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from explorer.web import charts, viewhelpers
from explorer.web.search_page import FacetValue
from tests.web_helpers import make_app, template_site

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(st.lists(st.tuples(st.sampled_from(["q", "topic", "type", "from"]), _text), max_size=6))
def test_encode_is_urlencode(items: list[tuple[str, str]]) -> None:
    assert viewhelpers.encode(items) == urlencode(items)


def test_cached_url_for_is_url_for() -> None:
    app = make_app(template_site())
    from flask import url_for

    with app.test_request_context("/?q=x"):
        for endpoint, values in [("search.search_page", {}), ("static", {"filename": "site.css",
                                 "v": "abc"}), ("summary.summary_page", {"summary_id": "a-b"}),
                                 ("topics.topics_page", {})]:
            assert viewhelpers.cached_url_for(endpoint, **values) == url_for(endpoint, **values)
            assert viewhelpers.cached_url_for(endpoint, **values) == url_for(endpoint, **values)
        assert viewhelpers.cached_url_for("search.search_page", _external=True) == url_for(
            "search.search_page", _external=True)
    with app.test_request_context("/?q=x", base_url="http://example.org/archive/"):
        assert viewhelpers.cached_url_for("search.search_page") == "/archive/"


def test_histogram_pieces_make_the_same_chart_for_every_range() -> None:
    counts = {2013: 3, 2015: 10, 2016: 0, 2020: 7}
    years = list(range(2013, 2021))
    svg = str(charts.year_histogram(counts, years, chart_id="h", selected=(2014, 2016),
                                    href=lambda y: f"/?from={y}&to={y}"))
    again = str(charts.year_histogram(counts, years, chart_id="h", selected=(2014, 2016),
                                      href=lambda y: f"/?from={y}&to={y}"))
    assert svg == again
    assert svg.startswith('<svg id="h" class="chart chart-histogram" viewBox="0 0 176 74"')
    assert svg.endswith("</svg>") and svg.count("<a ") == 3  # years with summaries link
    assert 'class="bar bar-out"' in svg and 'href="/?from=2015&amp;to=2015"' in svg
    assert [int(y) for y in re.findall(r'class="label"[^>]*>(\d{4})<', svg)][0] == 2013
    other = str(charts.year_histogram(counts, years, chart_id="h"))
    assert 'bar-out' not in other  # the cached bars follow the selection


def test_facet_items_submit_what_the_template_did() -> None:
    values = [FacetValue('Trauma and/or PTSD', 4, True), FacetValue('A "quoted" <name>', 0, False)]
    html = str(viewhelpers.facet_items("topic", values))
    boxes = re.findall(r'<input type="checkbox" id="([^"]+)" name="(\w+)" value="([^"]*)"'
                       r'[^>]*?( checked)?>', html)
    assert [(unescape(v), bool(c)) for _i, _n, v, c in boxes] == [
        ("Trauma and/or PTSD", True), ('A "quoted" <name>', False)]
    assert all(f'<label for="{i}">' in html for i, _n, _v, _c in boxes)
    assert '<span class="count">4</span>' in html and "<name>" not in html
