"""Shared fixtures: paths to the repository, the shared folder and the seed page, and the
built web test site (`site`, `client`, `summaries`) that the read-only web tests share.

A module that needs another site (a writable copy, other settings) defines its own
`site`/`client` fixture, which takes precedence over these.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# ../shared beside the checkout; a git worktree elsewhere names it with PPRNET_SHARED.
SHARED = Path(os.environ.get("PPRNET_SHARED") or REPO.parent / "shared")
SEED_PAGE = SHARED / "seed" / "pprnet_blog_page.txt"
BUNDLED_CORPUS = REPO / "corpus"
CHROMIUM = os.environ.get("PPRNET_CHROMIUM", "/usr/bin/chromium")

# Strict mode for the whole suite (and the servers it starts): an exception that production
# would turn into a degraded answer (explorer/strict.py) fails the test instead of hiding in
# a notice. Tests of the degraded answer itself use the `lenient` fixture.
os.environ.setdefault("PPRNET_STRICT", "1")


@pytest.fixture
def lenient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production behaviour for one test: degrade and log instead of raising."""
    monkeypatch.setenv("PPRNET_STRICT", "0")


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED_PAGE.is_file():
        pytest.fail(f"seed page missing: {SEED_PAGE} (../shared must sit beside the repo)")
    return SEED_PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def taxonomy():
    from explorer.corpus import load_taxonomy

    return load_taxonomy(BUNDLED_CORPUS)


@pytest.fixture(scope="module")
def site():
    """The template web site (corpus + index + model), built once per process: read-only."""
    from tests.web_helpers import template_site

    return template_site()


@pytest.fixture(scope="module")
def client(site):
    """A Flask test client of the app serving `site` with the default settings."""
    from tests.web_helpers import make_app

    return make_app(site).test_client()


@pytest.fixture(scope="module")
def summaries(site):
    """The summaries of `site`, as loaded from its corpus folder."""
    return site.summaries()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test; missing browser = failure, not skip."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: run scripts/setup (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium "
                    "(scripts/test does: apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
