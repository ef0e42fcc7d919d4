"""The "To tag" queue over HTTP: what it lists, pre-ticked suggestions, Save and next."""

from __future__ import annotations

import re
from dataclasses import replace

from explorer.corpus import write_summary
from tests.test_web_editor import PASSWORD, sign_in, token_of
from tests.web_helpers import copy_site, make_app


def _site_with_untagged(tmp_path, n: int = 2):
    site = copy_site(tmp_path)
    newest = sorted(site.summaries(), key=lambda s: (s.published, s.id), reverse=True)
    for summary in newest[:n]:
        write_summary(replace(summary, topics=[], research_type=None), site.corpus_dir,
                      overwrite=True)
    write_summary(replace(newest[n], research_type=None), site.corpus_dir, overwrite=True)
    return site, [s.id for s in newest[: n + 1]]


def test_queue_lists_untagged_and_needs_sign_in(tmp_path):
    site, ids = _site_with_untagged(tmp_path)
    client = make_app(site, EDITOR_PASSWORD=PASSWORD).test_client()
    assert client.get("/editor/queue").status_code == 302  # to the sign-in page
    sign_in(client)
    html = client.get("/editor/queue").get_data(as_text=True)
    listed = re.findall(r'href="/editor/edit/([^"?]+)\?queue=1"', html)
    assert listed[1:] == ids  # "start" link first, then newest first
    assert "no research type" in html


def test_save_and_next_walks_the_queue_and_wraps(tmp_path):
    site, ids = _site_with_untagged(tmp_path)
    client = make_app(site, EDITOR_PASSWORD=PASSWORD).test_client()
    sign_in(client)
    page = client.get(f"/editor/edit/{ids[0]}?queue=1").get_data(as_text=True)
    assert 'id="save-next-button"' in page and 'name="queue" value="1"' in page
    ticked = re.findall(r'name="topic" value="([^"]+)" checked', page)
    assert ticked
    chosen_type = re.search(r'name="research_type" value="([^"]+)" checked', page)
    assert chosen_type
    form = {"csrf_token": token_of(page), "action": "save_next", "queue": "1",
            "original_id": ids[0], "reviewed": "1", "topic": ticked,
            "research_type": chosen_type.group(1)}
    summary = next(s for s in site.summaries() if s.id == ids[0])
    form.update(title=summary.title, published=summary.published, body=summary.body,
                implications=summary.implications,
                citation_text=summary.citation.formatted())
    saved = client.post("/editor/draft", data=form)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/editor/queue/next?after={ids[0]}")
    nxt = client.get(saved.headers["Location"])
    assert nxt.headers["Location"].endswith(f"/editor/edit/{ids[1]}?queue=1")
    # after the last one, the queue wraps to what is still waiting
    wrap = client.get(f"/editor/queue/next?after={ids[2]}")
    assert wrap.headers["Location"].endswith(f"/editor/edit/{ids[1]}?queue=1")


def test_empty_queue_says_so(tmp_path):
    site = copy_site(tmp_path)
    client = make_app(site, EDITOR_PASSWORD=PASSWORD).test_client()
    sign_in(client)
    assert 'id="queue-empty"' in client.get("/editor/queue").get_data(as_text=True)
    done = client.get("/editor/queue/next", follow_redirects=True).get_data(as_text=True)
    assert "The queue is empty" in done


def test_the_next_in_the_queue_counts_a_save_made_through_another_worker(tmp_path):
    """Two apps on one site are two server workers; neither follows the corpus in the
    background here, so only the editor's own check can see the other's save."""
    site, ids = _site_with_untagged(tmp_path)
    worker_a = make_app(site, EDITOR_PASSWORD=PASSWORD, FOLLOW_CORPUS=False).test_client()
    worker_b = make_app(site, EDITOR_PASSWORD=PASSWORD, FOLLOW_CORPUS=False).test_client()
    sign_in(worker_a)
    sign_in(worker_b)
    listed = worker_b.get("/editor/queue").get_data(as_text=True)
    assert f"/editor/edit/{ids[0]}?queue=1" in listed
    page = worker_a.get(f"/editor/edit/{ids[0]}?queue=1").get_data(as_text=True)
    summary = next(s for s in site.summaries() if s.id == ids[0])
    saved = worker_a.post("/editor/draft", data={
        "csrf_token": token_of(page), "action": "save_next", "queue": "1",
        "original_id": ids[0], "reviewed": "1", "topic": ["Empathy"],
        "research_type": "Randomized controlled trial", "title": summary.title,
        "published": summary.published, "body": summary.body,
        "implications": summary.implications,
        "citation_text": summary.citation.formatted()})
    assert saved.status_code == 302
    # worker B is asked for the next one: what it sends the editor to is still untagged
    nxt = worker_b.get(f"/editor/queue/next?after={ids[2]}")
    assert nxt.headers["Location"].endswith(f"/editor/edit/{ids[1]}?queue=1")
    assert f"/editor/edit/{ids[0]}?queue=1" not in worker_b.get("/editor/queue").get_data(
        as_text=True)
