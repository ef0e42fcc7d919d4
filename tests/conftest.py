"""Shared fixtures: paths to the repository, the shared folder and the seed page."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED_PAGE = SHARED / "seed" / "pprnet_blog_page.txt"
BUNDLED_CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED_PAGE.is_file():
        pytest.fail(f"seed page missing: {SEED_PAGE} (../shared must sit beside the repo)")
    return SEED_PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def taxonomy():
    from explorer.corpus import load_taxonomy

    return load_taxonomy(BUNDLED_CORPUS)
