"""The cached pieces search pages are built from give what the plain way gives: query
strings as `urlencode` writes them, links as `url_for` builds them, the histogram as
drawn from scratch, facet checkboxes that a browser submits as before."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.search.messages import Hit
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


_APP = []


@settings(deadline=None)  # the first example also makes the app
@given(st.lists(st.tuples(st.sampled_from(["q", "topic", "from", "to", "page", "sort", "x"]),
                          _text), max_size=6), st.integers(1900, 2100))
def test_histogram_year_link_is_search_url(items: list[tuple[str, str]], year: int) -> None:
    """The bars' links, made from the query encoded once, are `search_url`'s."""
    from explorer.web.search_page import year_link

    if not _APP:
        _APP.append(make_app(template_site()))
    with _APP[0].test_request_context("/?" + urlencode(items)):
        assert year_link()(year) == viewhelpers.search_url(from_=str(year), to=str(year))


def test_topic_page_list_is_the_macro_per_summary() -> None:
    """The cached list of a topic's summaries is the ``summary_item`` macro of each."""
    from flask import get_template_attribute

    from explorer.web.state import state
    from explorer.web.topics import summary_list

    app = make_app(template_site())
    with app.test_request_context("/topics/x", base_url="http://example.org/archive/"):
        stats = state().store.stats()
        summaries = max(stats.by_topic.values(), key=len)
        assert len(summaries) > 3
        item = get_template_attribute("_macros.html", "summary_item")
        made = str(summary_list(summaries))
        assert made == "".join(str(item(s)) for s in summaries)
        assert made.count('href="/archive/summary/') == len(summaries)


# The search template's result loop before `explorer.web.hitlist` wrote it in Python.
_HIT_LOOP = """{% for hit in resp.hits %}
      <li class="hit">
        <article>
          <h2 class="hit-title"><a href="{{ result_link(hit.id, (resp.page - 1) * resp.per_page + loop.index) }}">{{ hit.title_html|safe }}</a></h2>
          <p class="hit-meta">
            {% if hit.published %}<time datetime="{{ hit.published }}">{{ hit.published|month }}</time>{% elif hit.origin == "added" %}<span class="origin-added">Added to this archive</span>{% else %}<span class="origin-undated">Blog post, month unknown</span>{% endif %}
            {% if hit.citation %}<span class="sep" aria-hidden="true">·</span> <span class="hit-cite">{{ hit.citation }}</span>{% endif %}
          </p>
          {% if hit.snippet_html %}<p class="snippet">{{ hit.snippet_html|safe }}</p>{% endif %}
          <div class="hit-tags">
            {% if hit.research_type %}<span class="type-badge">{{ hit.research_type }}</span>{% endif %}
            {{ search_chips(hit.topics) }}
          </div>
          <p class="hit-pick"><input type="checkbox" id="pick-{{ hit.id }}" name="ids" value="{{ hit.id }}" form="pick" class="list-toggle" data-title="{{ hit.title }}">
            <label for="pick-{{ hit.id }}">Add to reading list</label></p>
        </article>
      </li>
      {% endfor %}"""  # noqa: E501

_hits = st.lists(st.builds(
    Hit, id=st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True), title=_text,
    published=st.sampled_from(["", "2019-06", "2019-13", "2019"]),
    topics=st.lists(st.sampled_from(["Empathy", "A & B", '"Q" <x>']), max_size=3),
    research_type=st.none() | _text, citation=_text, score=st.just(1.0),
    snippet_html=st.sampled_from(["", "… a <mark>b</mark> &amp; c …"]),
    title_html=st.sampled_from(["T", "<mark>T</mark> &lt;x&gt;"]),
    origin=st.sampled_from(["", "blog-post", "added", "other"])), max_size=4)


@settings(deadline=None)  # the first example also makes the app
@given(_hits, st.integers(1, 4), st.lists(st.tuples(st.sampled_from(["q", "topic", "page"]),
                                                    _text), max_size=3))
def test_hit_items_write_what_the_template_loop_wrote(hits: list, page: int,
                                                      args: list[tuple[str, str]]) -> None:
    from types import SimpleNamespace

    from explorer.web.hitlist import hit_items

    if not _APP:
        _APP.append(make_app(template_site()))
    app = _APP[0]
    resp = SimpleNamespace(hits=hits, page=page, per_page=10)
    with app.test_request_context("/?" + urlencode(args)):
        expected = app.jinja_env.from_string(_HIT_LOOP).render(resp=resp)
    with app.test_request_context("/?" + urlencode(args)):
        assert str(hit_items(hits, (page - 1) * 10)) == expected


@settings(deadline=None)  # the first example also makes the app
@given(st.lists(st.integers(1990, 2030), max_size=8),
       st.none() | st.sampled_from(["2015", "2015-03", "", "x"]) | st.integers(1990, 2030).map(str))
def test_year_options_are_the_template_loop(years: list[int], selected: str | None) -> None:
    if not _APP:
        _APP.append(make_app(template_site()))
    loop = _APP[0].jinja_env.from_string(
        '{% for y in years %}<option value="{{ y }}"{% if chosen == y|string %} selected'
        "{% endif %}>{{ y }}</option>{% endfor %}")
    assert str(viewhelpers.year_options(years, selected)) == loop.render(years=years,
                                                                        chosen=selected)


def test_topic_page_chips_are_the_macros_markup() -> None:
    app = make_app(template_site())
    from flask import get_template_attribute

    for base in ("http://localhost/", "http://example.org/archive/"):
        with app.test_request_context("/summary/x", base_url=base):
            macro = get_template_attribute("_macros.html", "topic_chips")
            for topics in (["Alliance and Therapeutic Relationship"],
                           ['A & B "quoted" <x>', "Trauma and/or PTSD", "Älter"], []):
                assert str(viewhelpers.topic_page_chips(topics)) == str(
                    macro(topics, link="topic"))
