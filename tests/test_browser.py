"""End-to-end journeys in real headless Chromium (Playwright driving Debian's chromium).

A real server (``pprnet serve`` in a subprocess, on a free 127.0.0.1 port) serves a small
corpus this module writes, with its index built. Three journeys from the issue:

* a researcher searches, sees highlighted results and opens a summary;
* an educator ticks two topics and a year range, and the counts and URL follow (with
  JavaScript on a desktop, and again without JavaScript on a phone);
* the editor signs in, pastes a new summary, accepts the suggested tags, saves, and
  finds it by search.

Screenshots of every step go to ``test-artifacts/screenshots/`` (printed at the start).
A missing browser is a failure, not a skip: ``scripts/test`` installs Debian's chromium.
"""

from __future__ import annotations

import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web_helpers import copy_site, serve_site

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "test-artifacts" / "screenshots"
PASSWORD = "browser-test editor passphrase"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ALLIANCE = "Alliance and Therapeutic Relationship"
EMPATHY = "Empathy"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def shots(request) -> Path:
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    message = f"browser screenshots: {SHOTS}"
    if reporter is not None:
        reporter.write_line(message)
    print(message)
    return SHOTS


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return copy_site(tmp_path_factory.mktemp("browser-site"))


@pytest.fixture(scope="module")
def server(site):
    """``pprnet serve`` on a free port; yields its base URL."""
    env = {"PPRNET_EDITOR_PASSWORD": PASSWORD,
           "PPRNET_SECRET_KEY": "browser-test-secret-" + "s" * 32}
    with serve_site(site, env) as port:
        yield f"http://127.0.0.1:{port}"




class Journey:
    """A page plus step-numbered screenshots and a record of console errors."""

    def __init__(self, browser, base: str, name: str, shots: Path, *, viewport=DESKTOP,
                 javascript: bool = True) -> None:
        self.context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
        # a step waits at most this long: a loaded two-core machine once took over 15 s
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        self.base, self.name, self.shots, self.step = base, name, shots, 0
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, label: str) -> None:
        self.step += 1
        self.page.screenshot(path=self.shots / f"{self.name}-{self.step:02d}-{label}.png",
                             full_page=True)

    def params(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query)

    def count(self) -> int:
        text = self.page.locator(".results-count").inner_text()
        match = re.match(r"\s*([\d,]+)", text)
        return int(match.group(1).replace(",", "")) if match else 0

    def no_horizontal_scroll(self) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.page.viewport_size["width"], f"page is {width}px wide"

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"console errors (CSP violations?): {self.errors}"


@contextmanager
def journeys(browser, server: str, shots: Path, prefix: str = ""):
    """``start(name, **options)`` opens a `Journey` named ``prefix + name``; every one
    opened is closed (and its console errors checked) on the way out."""
    shots.mkdir(parents=True, exist_ok=True)
    opened: list[Journey] = []

    def start(name: str, **kwargs) -> Journey:
        j = Journey(browser, server, prefix + name, shots, **kwargs)
        opened.append(j)
        return j

    yield start
    for j in opened:
        j.close()


@pytest.fixture()
def journey(browser, server, shots):
    with journeys(browser, server, shots) as start:
        yield start


# --------------------------------------------------------------------------- journeys


def test_researcher_searches_and_opens_a_summary(journey, site):
    j = journey("1-researcher")
    page = j.page
    j.goto("/")
    j.shot("home")
    page.get_by_label(re.compile("Search .* research summaries")).fill("alliance rupture")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=alliance\+rupture"))
    expected = sum(
        1 for s in site.summaries()
        if all(w in (s.title + s.body + s.implications + s.citation.title).lower()
               for w in ("alliance", "rupture"))
    )
    assert j.count() == expected > 0
    marks = page.locator(".hit mark")
    assert marks.count() > 0
    marked = {w.lower().rstrip("s") for m in marks.all_inner_texts() for w in m.split()}
    # the typed words, and the alliance's synonyms from the vocabulary file
    assert marked <= {"alliance", "rupture", "therapeutic", "relationship", "working",
                      "bond"} and marked & {"alliance", "rupture"}
    j.shot("results")
    first = page.locator(".hit-title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/summary/[a-z0-9-]+(\?.*)?$"))
    assert page.locator("h1").inner_text() == title
    assert page.get_by_role("heading", name="Practice implications").is_visible()
    assert page.get_by_role("heading", name="More like this").is_visible()
    assert page.locator("a.doi").get_attribute("href").startswith("https://doi.org/")
    j.shot("summary")
    page.go_back()
    page.wait_for_url(re.compile(r"q=alliance\+rupture"))
    assert j.count() == expected


def _expected(site, topics, lo, hi) -> int:
    return sum(1 for s in site.summaries()
               if all(t in s.topics for t in topics) and lo <= s.year <= hi)


def test_educator_filters_by_two_topics_and_years(journey, site):
    j = journey("2-educator")
    page = j.page
    j.goto("/")
    total = j.count()
    j.shot("browse")
    page.get_by_label(re.compile(r"^Alliance and Therapeutic Relationship")).check()
    page.wait_for_url(re.compile(r"topic=Alliance"))
    assert j.params()["topic"] == [ALLIANCE]
    assert j.count() == _expected(site, [ALLIANCE], 0, 9999) < total
    j.shot("one-topic")
    page.locator("label", has_text=re.compile(r"^Empathy")).first.click()
    page.wait_for_url(re.compile(r"topic=Empathy"))
    assert j.params()["topic"] == [ALLIANCE, EMPATHY]
    both = _expected(site, [ALLIANCE, EMPATHY], 0, 9999)
    assert j.count() == both > 0
    j.shot("two-topics")
    page.locator("#from").select_option("2017")
    page.wait_for_url(re.compile(r"from=2017"))
    page.locator("#to").select_option("2022")
    page.wait_for_url(re.compile(r"to=2022"))
    params = j.params()
    assert params["from"] == ["2017"] and params["to"] == ["2022"]
    assert params["topic"] == [ALLIANCE, EMPATHY]
    in_range = _expected(site, [ALLIANCE, EMPATHY], 2017, 2022)
    assert j.count() == in_range and 0 < in_range < both
    assert page.locator(".chip-selected").count() == 3  # two topics and the date range
    # the year facet lists each matching year's count in its bar titles
    years = {s.year for s in site.summaries()
             if ALLIANCE in s.topics and EMPATHY in s.topics and 2017 <= s.year <= 2022}
    for year in years:
        assert page.locator(f'#year-histogram a[aria-label^="{year}: "]').count() == 1
    j.shot("years")
    # focus returned to the control that changed (keyboard users keep their place)
    assert page.evaluate("document.activeElement.id") == "to"
    page.get_by_label("Match any ticked topic").check()
    page.wait_for_url(re.compile(r"any_topic=1"))
    either = sum(1 for s in site.summaries()
                 if (ALLIANCE in s.topics or EMPATHY in s.topics) and 2017 <= s.year <= 2022)
    assert j.count() == either > in_range
    j.shot("any-topic")
    # the back button walks the URL states back
    page.go_back()
    page.wait_for_url(lambda url: "any_topic" not in url)
    assert j.count() == in_range
    page.go_back()
    page.wait_for_url(lambda url: "to=2022" not in url)
    assert "to" not in j.params() and j.params()["from"] == ["2017"]
    # removing one chip keeps the rest
    page.locator(".chip-selected", has_text="Empathy").click()
    page.wait_for_url(lambda url: "Empathy" not in url)
    assert j.params()["topic"] == [ALLIANCE] and j.params()["from"] == ["2017"]
    assert j.count() == _expected(site, [ALLIANCE], 2017, 9999)
    j.shot("chip-removed")


def test_educator_without_javascript_on_a_phone(journey, site):
    j = journey("2b-educator-phone-nojs", viewport=PHONE, javascript=False)
    page = j.page
    j.goto("/")
    j.no_horizontal_scroll()
    j.shot("browse")
    page.get_by_role("link", name=re.compile("^Filters")).click()
    page.get_by_label(re.compile(r"^Alliance and Therapeutic Relationship")).check()
    page.locator("label", has_text=re.compile(r"^Empathy")).first.click()
    page.locator("#from").select_option("2016")
    page.locator("#to").select_option("2023")
    j.shot("ticked")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"to=2023"))
    params = j.params()
    assert params["topic"] == [ALLIANCE, EMPATHY]
    assert j.count() == _expected(site, [ALLIANCE, EMPATHY], 2016, 2023) > 0
    j.no_horizontal_scroll()
    j.shot("results")


def test_editor_adds_a_summary_and_finds_it(journey, site):
    j = journey("3-editor")
    page = j.page
    j.goto("/editor")
    page.get_by_label("Editor password").fill(PASSWORD)
    j.shot("sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#title")
    page.get_by_label("Title", exact=True).fill("Naming ruptures helps repair the alliance")
    page.get_by_label("Published (month)").fill("2025-03")
    page.get_by_label("Reference (APA style)").fill(
        "Haddad, R., & Tanaka, Y. (2024). Naming the rupture: Alliance repair in brief "
        "psychotherapy. Psychotherapy Research, 34(2), 201–214. "
        "https://doi.org/10.1080/10503307.2024.999999"
    )
    page.get_by_label("Summary", exact=True).fill(
        "Ruptures in the working alliance between client and therapist were common. When "
        "therapists named the rupture and invited the client to talk about it, the alliance "
        "was repaired and clients improved more.\n\nClients rated the bond with their "
        "therapist after each session."
    )
    page.get_by_label("Practice implications").fill(
        "Therapists can name tension in the relationship and ask about it directly."
    )
    j.shot("draft")
    page.get_by_role("button", name="Suggest tags").click()
    page.wait_for_selector(".suggest-list")
    assert page.locator("#cit_journal").input_value() == "Psychotherapy Research"
    suggested = page.locator(".suggest-list input[type=checkbox]:checked")
    assert suggested.count() >= 1
    accepted = [suggested.nth(i).get_attribute("value") for i in range(suggested.count())]
    assert ALLIANCE in accepted
    assert page.locator("input[name=research_type]:checked").count() == 1
    assert page.get_by_role("heading", name="Most similar summaries in the archive").is_visible()
    j.shot("suggestions")
    page.get_by_role("button", name="Save summary").click()
    page.wait_for_url(re.compile(r"/summary/2025-03-naming-ruptures"))
    assert "Saved a new summary" in page.locator(".flash").inner_text()
    assert page.locator("h1").inner_text() == "Naming ruptures helps repair the alliance"
    shown = page.locator(".summary-topics .chip").all_inner_texts()
    assert sorted(shown) == sorted(accepted)
    j.shot("saved")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label(re.compile("Search .* research summaries")).fill("naming ruptures repair")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=naming"))
    titles = page.locator(".hit-title").all_inner_texts()
    assert "Naming ruptures helps repair the alliance" in titles
    j.shot("found")
    assert (site.corpus_dir / "2025-03-naming-ruptures-helps-repair-the-alliance.md").is_file()


@pytest.mark.parametrize("viewport_name, viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_main_pages_fit_the_screen(journey, site, viewport_name, viewport):
    j = journey(f"4-pages-{viewport_name}", viewport=viewport)
    summary_id = sorted(site.summaries(), key=lambda s: s.published)[-1].id
    for label, path in [("search", "/?q=therapist"), ("summary", f"/summary/{summary_id}"),
                        ("topics", "/topics"), ("topic", "/topics/empathy"),
                        ("editor", "/editor")]:
        j.goto(path)
        j.no_horizontal_scroll()
        j.shot(label)
    # keyboard: the skip link comes first and focus is visible
    j.goto("/")
    j.page.keyboard.press("Tab")
    assert j.page.evaluate("document.activeElement.className") == "skip-link"
    outline = j.page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_home_page_query_is_ranked_by_relevance(journey, server):
    """The browse page's sort select says "Newest first"; a query typed there and sent
    with Enter must still be ranked by relevance (issue 10)."""
    j = journey("10-relevance")
    page = j.page
    j.goto("/")
    assert page.locator("#sort option:checked").inner_text() == "Newest first"
    page.get_by_label(re.compile("Search .* research summaries")).fill("alliance therapist")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=alliance\+therapist"))
    assert j.params().get("sort", [""]) == [""]
    assert page.locator("#sort option:checked").inner_text() == "Relevance"
    shown = [href.split("?", 1)[0].rsplit("/", 1)[-1] for href in
             page.locator(".hit-title a").evaluate_all("els => els.map(e => e.href)")]
    api = page.request.get(server + "/api/search?q=alliance+therapist&sort=relevance").json()
    assert shown and shown == [h["id"] for h in api["hits"]][:len(shown)]
    scores = [h["score"] for h in api["hits"]]
    assert scores == sorted(scores, reverse=True)
    j.shot("ranked")
