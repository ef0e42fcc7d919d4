"""The editor in Chromium when a draft is at risk: the sign-in expires before "Save" (the
page offers to sign in again and reopens the draft), and an edit of the APA reference box
is what gets saved."""

from __future__ import annotations

import re
import time

import pytest

from explorer.corpus import load_corpus
from tests.test_browser import DESKTOP, PASSWORD, SHOTS
from tests.web_helpers import copy_site, serve_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return copy_site(tmp_path_factory.mktemp("drafts-site"))


@pytest.fixture(scope="module")
def base(site):
    env = {"PPRNET_EDITOR_PASSWORD": PASSWORD,
           "PPRNET_SECRET_KEY": "browser-drafts-secret-" + "d" * 32}
    with serve_site(site, env) as port:
        yield f"http://127.0.0.1:{port}"


def test_sign_in_expires_before_save_and_the_draft_comes_back(browser, base, site):
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = next(s for s in sorted(site.summaries(), key=lambda s: s.id)
                  if s.citation.year and s.citation.year.isdigit() and s.citation.title)
    year, other = target.citation.year, str(int(target.citation.year) - 2)
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(base + "/editor")
    page.get_by_label("Editor password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#title")
    page.goto(f"{base}/editor/edit/{target.id}")
    box = page.get_by_label("Reference (APA style)")
    box.fill(box.input_value().replace(f"({year})", f"({other})"))
    added = "\n\nA paragraph typed just before the sign-in ran out."
    page.get_by_label("Summary", exact=True).fill(
        page.get_by_label("Summary", exact=True).input_value() + added)
    context.clear_cookies()  # the session expires while the editor types
    page.get_by_role("button", name="Save summary").click()
    page.wait_for_selector("#form-expired")
    assert page.locator("h1").inner_text() == "Your sign-in has expired"
    page.screenshot(path=SHOTS / "5-drafts-01-expired.png", full_page=True)
    page.get_by_label("Editor password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in and reopen the draft").click()
    page.wait_for_selector("#draft-restored")
    assert page.get_by_label("Summary", exact=True).input_value().endswith(added.strip())
    assert f"({other})" in page.get_by_label("Reference (APA style)").input_value()
    page.screenshot(path=SHOTS / "5-drafts-02-restored.png", full_page=True)
    page.get_by_role("button", name="Save summary").click()
    page.wait_for_url(re.compile(rf"/summary/{target.id}$"))
    assert "Saved your changes" in page.locator(".flash").inner_text()
    # another server worker may serve the page before it follows the save (within a second)
    deadline = time.monotonic() + 15
    while f"({other})" not in page.locator("main").inner_text() and time.monotonic() < deadline:
        page.wait_for_timeout(300)
        page.reload()
    assert f"({other})" in page.locator("main").inner_text()
    page.screenshot(path=SHOTS / "5-drafts-03-saved.png", full_page=True)
    context.close()
    saved = next(s for s in load_corpus(site.corpus_dir).summaries if s.id == target.id)
    assert saved.citation.year == other and saved.body.endswith(added.strip())
    # the expired page is a 400 on purpose: Chromium logs that; anything else is a fault
    errors = [e for e in errors if "status of 400 (Bad Request)" not in e]
    assert not errors, f"console errors (CSP violations?): {errors}"
