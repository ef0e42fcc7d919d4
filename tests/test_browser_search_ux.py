"""What a reader clicks on the search page, the reading list and the editor's source
choice, in real headless Chromium: controls that follow the address after Back, study
years that apply on their own, a phone that lands on the new count after a filter, radios
beside their labels, and a shared list that does not overwrite the one kept in the browser.
Screenshots go beside the others in ``test-artifacts/screenshots/`` (prefixed ``ux-``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_browser import DESKTOP, PHONE, journeys
from tests.web_helpers import copy_site, serve_site

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "ux-test editor passphrase"
META = "Meta-analysis"
LIST_KEY = "pprnet-reading-list"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return copy_site(tmp_path_factory.mktemp("ux-site"))


@pytest.fixture(scope="module")
def server(site):
    env = {"PPRNET_EDITOR_PASSWORD": PASSWORD,
           "PPRNET_SECRET_KEY": "ux-test-secret-" + "u" * 32}
    with serve_site(site, env) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture()
def journey(browser, server):
    with journeys(browser, server, SHOTS, "ux-") as start:
        yield start


def _in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and -2 <= box["y"] < page.viewport_size["height"]


def _scrolled_to(page, selector: str) -> None:
    """Wait until a link's (smooth) scroll has brought `selector` near the top."""
    page.wait_for_function("s => Math.abs(document.querySelector(s)"
                           ".getBoundingClientRect().top) < 60", arg=selector)


def test_back_shows_the_filters_of_the_address(journey, site):
    j = journey("1-back")
    page = j.page
    j.goto("/?q=alliance")
    unfiltered = j.count()
    meta = page.get_by_label(re.compile(f"^{META}"))
    meta.check()
    page.wait_for_url(re.compile(r"type=Meta"))
    assert j.count() < unfiltered
    page.go_back()
    page.wait_for_url(lambda url: "type=" not in url)
    page.wait_for_load_state("load")
    assert j.count() == unfiltered
    assert not meta.is_checked(), "Back shows a filter the results do not use"
    j.shot("after-back")
    # the next search carries only what the page shows
    page.locator("#q").fill("therapist")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=therapist"))
    assert "type" not in j.params()


def test_a_study_year_box_applies_when_left(journey, site):
    j = journey("2-study-year")
    page = j.page
    j.goto("/")
    box = page.locator("#study_from")
    box.fill("2015")
    assert "study_from" not in page.url  # typing alone does not reload
    box.press("Tab")
    page.wait_for_url(re.compile(r"study_from=2015"))
    assert j.count() == sum(1 for s in site.summaries()
                            if s.citation.year and int(s.citation.year) >= 2015) > 0
    assert page.locator("#study_from").input_value() == "2015"
    assert page.evaluate("document.activeElement.id") == "study_from"
    j.shot("applied")


def test_a_filter_on_a_phone_lands_on_the_new_count(journey, site):
    j = journey("3-phone-filter", viewport=PHONE)
    page = j.page
    j.goto("/")
    page.get_by_role("link", name=re.compile("^Filters")).click()
    _scrolled_to(page, "#filters")
    # while the filters show, the count of their results is pinned at the foot of the screen
    back = page.locator(".back-to-results a")
    assert back.is_visible() and _in_view(page, ".back-to-results a")
    page.get_by_label(re.compile(f"^{META}")).check()
    page.wait_for_url(re.compile(r"type=Meta"))
    page.wait_for_load_state("load")
    expected = sum(1 for s in site.summaries() if s.research_type == META)
    assert j.count() == expected > 0
    assert _in_view(page, "#results-heading"), "the new count is off screen"
    assert page.evaluate("document.activeElement.id") == "results-heading"
    j.shot("landed")
    # from deep in the filters, the pinned link shows the count and leads back up to it
    page.locator("#study_to").scroll_into_view_if_needed()
    assert not _in_view(page, "#results-heading")
    assert back.inner_text().startswith(f"Show {expected} summar")
    back.click()
    _scrolled_to(page, "#results-heading")
    j.shot("back-to-count")


def test_desktop_hides_the_pinned_count(journey):
    j = journey("4-desktop-count", viewport=DESKTOP)
    j.goto("/")
    assert not j.page.locator(".back-to-results").is_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_editor_source_radios_sit_before_their_labels(journey, viewport):
    j = journey(f"5-origin-{viewport['width']}", viewport=viewport)
    page = j.page
    j.goto("/editor")
    page.get_by_label("Editor password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    labels = page.locator(".origin-choice label.radio")
    labels.first.wait_for()
    assert labels.count() >= 2
    for i in range(labels.count()):
        label = labels.nth(i)
        radio, text = label.locator("input[type=radio]"), label.inner_text().strip()
        lbox, rbox = label.bounding_box(), radio.bounding_box()
        assert rbox["width"] < 30, f"radio {text!r} is {rbox['width']}px wide"
        assert rbox["x"] - lbox["x"] < 10, f"radio {text!r} is not at its label's start"
        # one line: the radio and its words share the label's single row
        line = float(label.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 24"))
        assert lbox["height"] < 2 * line, f"{text!r} wraps under its radio"
    labels.last.click()
    assert labels.last.locator("input").is_checked()
    page.locator(".origin-choice").screenshot(path=SHOTS / f"ux-5-origin-{viewport['width']}.png")


def test_keeping_a_shared_list_does_not_drop_the_kept_one(journey, site):
    ids = sorted(s.id for s in site.summaries())
    mine, shared = ids[:3], ids[3:5]
    j = journey("6-shared-list")
    page = j.page
    j.goto("/")
    page.evaluate("([k, v]) => localStorage.setItem(k, JSON.stringify(v))", [LIST_KEY, mine])
    j.goto("/list?ids=" + ",".join(shared))
    # the heading counts the list shown, the header the one kept in this browser
    assert "2 summaries" in page.locator("h1").inner_text()
    assert page.locator(".list-nav .list-count").inner_text() == "3"
    note = page.locator(".kept-note")
    assert note.is_visible() and "3 summaries" in note.inner_text()
    keep = page.locator(".keep-list")
    assert keep.inner_text().startswith("Replace my list")
    j.shot("shared")
    page.get_by_role("button", name="Add these to my list").click()
    stored = page.evaluate("k => JSON.parse(localStorage.getItem(k))", LIST_KEY)
    assert stored == mine + shared
    assert page.locator(".list-nav .list-count").inner_text() == "5"
    # removing an entry of the shared list leaves the kept list alone
    page.locator(".list-remove").first.click()
    page.wait_for_url(re.compile(r"/list\?ids=" + shared[1] + "$"))
    assert page.evaluate("k => JSON.parse(localStorage.getItem(k))", LIST_KEY) == mine + shared
    # replacing is a choice of its own
    page.locator(".keep-list").click()
    assert page.evaluate("k => JSON.parse(localStorage.getItem(k))", LIST_KEY) == [shared[1]]
    assert page.locator(".list-nav .list-count").inner_text() == "1"
    assert page.locator(".keep-list").inner_text() == "Kept in this browser"
    assert not page.locator(".kept-note").is_visible()
    j.shot("replaced")


def test_keeping_a_list_with_none_kept_is_one_click(journey, site):
    ids = sorted(s.id for s in site.summaries())[:2]
    j = journey("7-first-list")
    page = j.page
    j.goto("/list?ids=" + ",".join(ids))
    assert not page.locator(".kept-note").is_visible()
    assert not page.locator(".keep-add").is_visible()
    page.get_by_role("button", name="Keep this list in this browser").click()
    assert page.evaluate("k => JSON.parse(localStorage.getItem(k))", LIST_KEY) == ids
    assert page.locator(".list-nav .list-count").inner_text() == "2"
