"""The "To tag" queue in Chromium: untagged summaries open with suggestions ticked, "Save and
next" walks the queue; "Suggest tags" lands with the suggestions in view."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest

from explorer.corpus import write_summary
from tests.test_browser import DESKTOP, PASSWORD, SHOTS
from tests.web_helpers import copy_site, serve_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def untagged_site(tmp_path_factory):
    """A site whose three newest summaries lost their tags (as after an import)."""
    site = copy_site(tmp_path_factory.mktemp("queue-site"))
    newest = sorted(site.summaries(), key=lambda s: (s.published, s.id), reverse=True)[:3]
    for summary in newest:
        write_summary(replace(summary, topics=[], research_type=None), site.corpus_dir,
                      overwrite=True)
    return site, [s.id for s in newest]


@pytest.fixture(scope="module")
def base(untagged_site):
    site, _ = untagged_site
    env = {"PPRNET_EDITOR_PASSWORD": PASSWORD,
           "PPRNET_SECRET_KEY": "browser-queue-secret-" + "q" * 32}
    with serve_site(site, env) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture()
def page(browser, base):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/editor")
    page.get_by_label("Editor password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#title")
    yield page
    context.close()
    assert not errors, f"console errors (CSP violations?): {errors}"


def test_to_tag_queue_with_save_and_next(page, untagged_site):
    site, ids = untagged_site
    page.get_by_role("link", name="To tag").first.click()
    page.wait_for_selector("#queue-list")
    listed = page.locator("#queue-list li a").all_inner_texts()
    assert len(listed) == 3
    page.screenshot(path=SHOTS / "4-queue-01-list.png", full_page=True)
    page.locator("#start-queue").click()
    for step, summary_id in enumerate(ids, start=1):
        # a save re-indexes and queues a retrain: on a busy machine that can take a while
        page.wait_for_url(re.compile(rf"/editor/edit/{summary_id}\?queue=1"), timeout=60_000)
        ticked = page.locator(".suggest-list input[type=checkbox]:checked")
        assert ticked.count() >= 1, "suggestions come ticked in the queue"
        assert page.locator("input[name=research_type]:checked").count() == 1
        page.screenshot(path=SHOTS / f"4-queue-{step + 1:02d}-item.png", full_page=True)
        page.get_by_role("button", name="Save and next").click()
    page.wait_for_selector("#queue-empty", timeout=60_000)
    flashes = " ".join(page.locator(".flash").all_inner_texts())
    assert "The queue is empty" in flashes and "Saved your changes" in flashes
    page.screenshot(path=SHOTS / "4-queue-05-done.png", full_page=True)
    tagged = {s.id: s for s in site.summaries()}
    assert all(tagged[i].topics and tagged[i].research_type for i in ids)


def test_suggest_tags_keeps_the_suggestions_in_view(page):
    page.get_by_label("Title", exact=True).fill("Alliance ruptures and their repair")
    page.get_by_label("Published (month)").fill("2025-04")
    page.get_by_label("Summary", exact=True).fill(
        "Ruptures in the working alliance between client and therapist were common. When "
        "therapists named the rupture and invited the client to talk about it, the alliance "
        "was repaired and clients improved more. Clients rated the bond after each session.")
    page.get_by_role("button", name="Suggest tags").click()
    page.wait_for_selector(".suggest-list")
    assert page.url.endswith("#suggestions")
    # the browser scrolls to the fragment (polled from here: the page's CSP forbids the
    # eval that Playwright's wait_for_function would need)
    deadline = time.monotonic() + 10
    while page.evaluate("window.scrollY") <= 300 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert page.evaluate("window.scrollY") > 300
    box = page.locator(".suggest-list").bounding_box()
    assert box is not None and box["y"] < DESKTOP["height"]  # on screen without scrolling
    page.screenshot(path=SHOTS / "4-queue-06-suggestions-in-view.png")
