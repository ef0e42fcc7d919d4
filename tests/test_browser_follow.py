"""Follow, collect, cite in real headless Chromium: building a reading list (desktop with
JavaScript, phone without), printing it as a handout, copying a citation, walking results
with previous/next, and the topics heat map on a phone. Screenshots go beside the others
in ``test-artifacts/screenshots/`` (prefixed ``follow-``)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from explorer.apa import apa_text
from tests.test_browser import DESKTOP, PHONE, journeys
from tests.web_helpers import copy_site, serve_site

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return copy_site(tmp_path_factory.mktemp("follow-site"))


@pytest.fixture(scope="module")
def server(site):
    with serve_site(site, {"PPRNET_SECRET_KEY": "follow-test-secret-" + "f" * 32}) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture()
def journey(browser, server):
    with journeys(browser, server, SHOTS, "follow-") as start:
        yield start


def test_educator_builds_a_reading_list_and_prints_a_handout(journey, site):
    j = journey("1-list-desktop")
    page = j.page
    j.goto("/?sort=oldest")
    boxes = page.locator(".list-toggle")
    assert boxes.count() >= 3
    picked = [boxes.nth(i).get_attribute("value") for i in (0, 2)]
    boxes.nth(0).check()
    boxes.nth(2).check()
    assert page.locator(".list-nav .list-count").inner_text() == "2"
    j.shot("ticked")
    # the list survives a reload and a visit to a summary page, where a third is added
    page.reload()
    assert page.locator(".list-toggle:checked").count() == 2
    third = boxes.nth(4).get_attribute("value")
    j.goto(f"/summary/{third}")
    page.locator(".list-add").click()
    assert page.locator(".list-add").inner_text().startswith("In your reading list")
    assert page.locator(".list-nav .list-count").inner_text() == "3"
    page.locator(".list-nav").click()
    page.wait_for_url(re.compile(r"/list\?ids="))
    ids = parse_qs(urlsplit(page.url).query)["ids"][0].split(",")
    assert ids == [*picked, third]
    assert page.locator(".list-entry").count() == 3
    j.shot("list")
    # the handout: print media hides navigation and tools, keeps every entry
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".list-tools").is_visible()
    assert page.locator(".list-entry").count() == 3 and page.locator(".list-entry h2").first.is_visible()
    j.shot("print")
    page.emulate_media(media="screen")
    # remove one: the address and the stored list follow
    page.locator(".list-remove").first.click()
    page.wait_for_url(re.compile(r"/list\?ids="))
    assert parse_qs(urlsplit(page.url).query)["ids"][0].split(",") == [picked[1], third]
    assert page.locator(".list-nav .list-count").inner_text() == "2"


def test_phone_without_script_ticks_results_into_a_list(journey):
    j = journey("2-list-phone-noscript", viewport=PHONE, javascript=False)
    page = j.page
    j.goto("/?sort=newest")
    boxes = page.locator(".list-toggle")
    chosen = [boxes.nth(i).get_attribute("value") for i in (1, 3)]
    boxes.nth(1).check()
    boxes.nth(3).check()
    page.get_by_role("button", name="Open ticked results as a reading list").click()
    page.wait_for_url(re.compile(r"/list\?"))
    assert page.locator(".list-entry").count() == 2
    assert [page.locator(".list-entry").nth(i).get_attribute("id") for i in (0, 1)] == [
        f"entry-{c}" for c in chosen]
    j.no_horizontal_scroll()
    j.shot("list")


def test_researcher_copies_a_citation(browser, server, site):
    summary = site.summaries()[5]
    context = browser.new_context(viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    try:
        page = context.new_page()
        page.goto(f"{server}/summary/{summary.id}")
        page.get_by_role("button", name="Copy citation").click()
        page.locator(".copy-status", has_text="Copied.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == apa_text(summary.citation)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / "follow-3-copy-citation.png", full_page=True)
    finally:
        context.close()


def test_previous_and_next_follow_the_search_order(journey):
    j = journey("4-prev-next")
    page = j.page
    j.goto("/?sort=oldest")
    order = [urlsplit(a.get_attribute("href")).path.rsplit("/", 1)[1]
             for a in page.locator(".hit-title a").all()]
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/summary/.*pos=1"))
    assert page.locator("a[rel=prev]").count() == 0
    page.get_by_role("link", name="Next result ›").click()
    page.wait_for_url(re.compile(r"pos=2"))
    assert urlsplit(page.url).path == f"/summary/{order[1]}"
    page.get_by_role("link", name="Next result ›").click()
    page.wait_for_url(re.compile(r"pos=3"))
    page.get_by_role("link", name="‹ Previous result").click()
    page.wait_for_url(re.compile(r"pos=2"))
    j.shot("summary-2")
    page.get_by_role("link", name="Back to your search").click()
    page.wait_for_url(re.compile(r"/\?sort=oldest$"))


def test_phone_heat_map_scrolls_with_labels_in_view(journey):
    j = journey("5-heatmap-phone", viewport=PHONE)
    page = j.page
    j.goto("/topics")
    scroller = page.locator("#topic-year-heatmap .heatmap-scroll")
    sizes = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert sizes[0] > sizes[1], "the cells should scroll sideways on a phone"
    j.no_horizontal_scroll()
    scroller.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    label = page.locator("#topic-year-heatmap .heatmap-labels a").first
    box = label.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    last_year = page.locator("#topic-year-heatmap svg text.label").last
    year_box = last_year.bounding_box()
    assert year_box and year_box["x"] + year_box["width"] <= PHONE["width"]
    j.shot("scrolled")
