"""In Chromium: a reader ticks the Source facet and sees only summaries added to the archive,
each labelled as such, then opens one and reads that it is not a blog post (issue #17)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_provenance import provenance_site
from tests.web_helpers import serve_site

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


def test_reader_filters_by_source_and_reads_the_label(browser, tmp_path):
    site = provenance_site(tmp_path)
    added = [s for s in site.summaries() if s.origin == "added"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serve_site(site, {}) as port:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(f"http://127.0.0.1:{port}/")
        facet = page.locator("fieldset.facet-source")
        assert facet.locator("legend").inner_text().strip().lower() == "source"
        box = facet.get_by_label(re.compile(r"^Added to this archive"))
        box.check()  # the page submits itself (auto-submit)
        page.wait_for_url(re.compile(r"source=added"))
        page.screenshot(path=SHOTS / "provenance-01-source-facet.png", full_page=True)
        count = page.locator(".results-count").inner_text()
        assert count.startswith(f"{len(added)} summaries")
        labels = page.locator(".hit-meta .origin-added").all_inner_texts()
        assert labels and set(labels) == {"Added to this archive"}
        assert page.locator("fieldset.facet-source input[value=added]").is_checked()
        page.locator(".hit-title a").first.click()
        page.wait_for_url(re.compile(r"/summary/"))
        eyebrow = page.locator(".summary-header .origin").inner_text()
        assert eyebrow.startswith("Added to this archive; not a blog post")
        page.screenshot(path=SHOTS / "provenance-02-added-summary.png", full_page=True)
        context.close()
    assert not errors, errors
