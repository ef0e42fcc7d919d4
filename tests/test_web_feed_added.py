"""Feeds carry summaries added to the archive, by the month they were added.

The search's "newest first" orders blog posts by posting month and puts summaries with
none (added to the archive, not blog posts) last. A feed is what a reader follows to hear
of new summaries, so one added this month must come first in it, dated by that month,
not by its study's year and not cut off behind fifty older blog posts; and a feed limited
to blog posts, or to a range of posting months, must still leave it out.
"""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from explorer.web import feeds
from tests.web_helpers import build_site, make_app, make_summaries, write_corpus


@pytest.fixture(scope="module")
def added_site(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root: Path = tmp_path_factory.mktemp("feed-added")
    summaries = make_summaries(12)
    for s, added in zip(summaries[1:4], ("2026-11", "2026-10", None), strict=True):
        s.origin, s.published, s.added = "added", "", added
    write_corpus(root / "corpus", summaries)
    build_site(root / "corpus", root / "index")
    app = make_app(type("Site", (), {"corpus_dir": root / "corpus",
                                      "index_dir": root / "index"})())
    return app.test_client(), summaries


def entries(client, query: str = "") -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    response = client.get("/feed.atom" + query)
    assert response.status_code == 200
    feed = feedparser.parse(response.get_data())
    return [(e.link.rsplit("/", 1)[1], e.published[:7]) for e in feed.entries]


def test_the_newest_added_summaries_lead_the_feed_dated_by_their_month(added_site) -> None:  # type: ignore[no-untyped-def]
    client, summaries = added_site
    got = entries(client)
    assert got[:2] == [(summaries[1].id, "2026-11"), (summaries[2].id, "2026-10")]
    assert {sid for sid, _ in got} == {s.id for s in summaries}
    dates = [date for _, date in got]
    assert dates == sorted(dates, reverse=True)
    # a blog post keeps its posting month
    post = summaries[5]
    assert (post.id, post.published) in got


def test_they_are_not_cut_off_behind_older_blog_posts(added_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client, summaries = added_site
    monkeypatch.setattr(feeds, "FEED_SIZE", 3)
    got = entries(client, "?x=small")  # (a URL of its own: the page cache keeps answers)
    assert [sid for sid, _ in got] == [summaries[1].id, summaries[2].id, got[2][0]]
    assert len(got) == 3 and got[2][1] < "2026"


def test_a_topic_feed_carries_its_added_summary_first(added_site) -> None:  # type: ignore[no-untyped-def]
    client, summaries = added_site
    topic = summaries[2].topics[0]
    got = entries(client, f"?topic={topic}")
    assert got[0] == (summaries[2].id, "2026-10")
    assert all(topic in next(s for s in summaries if s.id == sid).topics for sid, _ in got)


def test_blog_post_and_posting_month_feeds_leave_them_out(added_site) -> None:  # type: ignore[no-untyped-def]
    client, summaries = added_site
    added = {s.id for s in summaries[1:4]}
    only_posts = entries(client, "?source=blog-post")
    assert only_posts and not added & {sid for sid, _ in only_posts}
    in_range = entries(client, "?from=2015")
    assert in_range and not added & {sid for sid, _ in in_range}
    only_added = entries(client, "?source=added")
    assert [sid for sid, _ in only_added][:2] == [summaries[1].id, summaries[2].id]
    assert {sid for sid, _ in only_added} == added
