"""The topic explorer: ``/topics`` (counts, topics × years heat map, co-occurrence) and
``/topics/<slug>`` (one topic by year, its neighbours, its distinctive terms, its
summaries). Figures and charts come from `TopicStats` and are cached per corpus version.
"""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, get_template_attribute, render_template, request
from markupsafe import Markup

from explorer.records import slugify
from explorer.web.charts import heatmap, mini_bar, year_bars
from explorer.web.state import cached_page, state
from explorer.web.viewhelpers import search_url

bp = Blueprint("topics", __name__)


def topic_or_404(slug: str) -> str:
    """The topic named by a URL slug; 404 for a slug that names none (page and API alike)."""
    topic = state().taxonomy.topic_from_slug(slug)
    if topic is None:
        abort(404)
    return topic


@bp.get("/topics")
@cached_page
def topics_page() -> str:
    st = state()

    def context() -> dict:
        stats = st.store.stats()
        topics = st.taxonomy.topics
        peak = max(stats.topic_counts.values(), default=0)
        rows = [
            (t, slugify(t), stats.topic_counts[t], mini_bar(stats.topic_counts[t], peak))
            for t in topics
        ]
        heat = heatmap(
            topics,
            stats.years,
            stats.topic_years,
            chart_id="topic-year-heatmap",
            title_text="Blog posts per topic and year posted",
            row_href=lambda t: f"/topics/{slugify(t)}",
        )
        pairs = stats.top_pairs(20)
        pair_peak = max((n for _, _, n in pairs), default=0)
        pair_rows = [
            (a, b, n, mini_bar(n, pair_peak), search_url([], topic=[a, b])) for a, b, n in pairs
        ]
        types = [(t, stats.type_counts.get(t, 0)) for t in st.taxonomy.research_types]
        return {"rows": rows, "heat": heat, "stats": stats, "pairs": pair_rows, "types": types}

    # Only the data and charts are cached: the page itself carries per-session bits.
    return render_template("topics.html", **st.cached(("topics",), context))


@bp.get("/topics/<slug>")
@cached_page
def topic_page(slug: str) -> str:
    st = state()
    topic = topic_or_404(slug)

    def context() -> dict:
        stats = st.store.stats()
        summaries = stats.by_topic.get(topic, [])
        chart = year_bars(
            stats.topic_years.get(topic, {}),
            stats.years,
            chart_id="topic-years",
            title_text=f"{topic}: blog posts per year posted",
            href=lambda y: search_url([], topic=topic, from_=str(y), to=str(y)),
        )
        co = stats.co_topics(topic)
        co_peak = max((n for _, n in co), default=0)
        return {
            "topic": topic,
            "slug": slug,
            "summaries": summaries,
            "summary_list": summary_list(summaries),
            "count": stats.topic_counts.get(topic, 0),
            "undated": stats.topic_undated.get(topic, 0),
            "chart": chart,
            "year_rows": [(y, stats.topic_years.get(topic, Counter())[y]) for y in stats.years],
            "co": [(t, slugify(t), n, mini_bar(n, co_peak)) for t, n in co],
            "terms": stats.distinctive_terms(topic),
            "search_link": search_url([], topic=topic),
            "feed_link": search_url([], path="/feed.atom", topic=topic),
        }

    # the list's links depend on the script root (a proxy may mount the site elsewhere)
    return render_template("topic.html",
                           **st.cached(("topic", slug, request.script_root), context))


def summary_list(summaries: list) -> Markup:
    """The ``<li>`` items of a topic's summaries (the ``summary_item`` macro's markup), made
    once per corpus version: the list is the same for every visitor, and a topic of a
    large archive lists thousands of summaries (a macro call each, every view)."""
    item = get_template_attribute("_macros.html", "summary_item")
    return Markup("".join(item(s) for s in summaries))
