"""The editor sets a summary's origin (issue #17): a blog post with its month by default, or
a summary added to the archive, with no posting month and the month it was added."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from explorer.corpus import load_corpus
from tests.test_web_editor import DRAFT, PASSWORD, sign_in
from tests.web_helpers import copy_site, make_app


@pytest.fixture()
def site(tmp_path):
    return copy_site(tmp_path)


@pytest.fixture()
def client(site):
    return make_app(site, EDITOR_PASSWORD=PASSWORD).test_client()


def save(client, **changes):  # type: ignore[no-untyped-def]
    token = sign_in(client)
    data = {"csrf_token": token, "action": "save", **DRAFT, "topic": "Empathy",
            "research_type": "Meta-analysis", **changes}
    return client.post("/editor/draft", data=data)


def saved(site, response):  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    new_id = response.headers["Location"].rsplit("/", 1)[1]
    return next(s for s in load_corpus(site.corpus_dir).summaries if s.id == new_id)


def test_the_form_offers_the_origins_with_blog_post_chosen(client):
    sign_in(client)
    html = client.get("/editor").get_data(as_text=True)
    assert re.search(r'name="origin" value="blog-post" checked> PPRNet blog post', html)
    assert re.search(r'name="origin" value="added"> Added to this archive', html)


def test_default_save_is_a_blog_post_with_the_month_entered(client, site):
    summary = saved(site, save(client))
    assert (summary.origin, summary.published, summary.added) == ("blog-post", "2024-05", None)
    text = (site.corpus_dir / f"{summary.id}.md").read_text(encoding="utf-8")
    assert "origin: blog-post\npublished: 2024-05\n" in text


def test_added_summary_gets_no_posting_month(client, site):
    summary = saved(site, save(client, origin="added"))
    month = dt.date.today().strftime("%Y-%m")
    assert (summary.origin, summary.published, summary.added) == ("added", "", month)
    assert summary.id == "talking-openly-about-alliance-ruptures"  # no month in a new id
    page = client.get(f"/summary/{summary.id}").get_data(as_text=True)
    assert "Added to this archive; not a blog post" in page


def test_editing_keeps_the_month_an_added_summary_was_added(client, site):
    first = saved(site, save(client, origin="added", added="2025-02"))
    assert first.added == "2025-02"
    again = saved(site, save(client, origin="added", added="2025-02", original_id=first.id,
                             title="A new title"))
    assert (again.id, again.added, again.title) == (first.id, "2025-02", "A new title")
    html = client.get(f"/editor/edit/{first.id}").get_data(as_text=True)
    assert 'name="origin" value="added" checked' in html
    assert 'name="added" value="2025-02"' in html


def test_blog_post_needs_its_month_and_origin_must_be_known(client):
    response = save(client, published="")
    assert response.status_code == 422
    assert "month the blog posted it" in response.get_data(as_text=True)
    response = save(client, origin="tweet")
    assert response.status_code == 422
    assert "unknown origin" in response.get_data(as_text=True)
