"""The README's first five minutes (issue #17): its commands, screenshots and figures hold."""

from __future__ import annotations

import re
import struct
from collections import Counter

from explorer.corpus import load_corpus
from tests.conftest import BUNDLED_CORPUS

REPO = BUNDLED_CORPUS.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_opens_with_run_then_test_then_screenshots_then_the_tour():
    commands = re.findall(r"^(scripts/\w+)", README, flags=re.MULTILINE)
    assert commands[:2] == ["scripts/run", "scripts/test"]
    first_image = README.index("](docs/")
    assert README.index("scripts/test") < first_image < README.index("## A short tour")


def test_screenshots_exist_are_png_and_small():
    images = re.findall(r"\]\((docs/[\w.-]+\.png)\)", README)
    assert len(set(images)) >= 4
    for name in set(images):
        data = (REPO / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = struct.unpack(">II", data[16:24])
        assert 600 <= width <= 1400 and height >= 400, (name, width, height)
        assert len(data) < 150_000, (name, len(data))
    assert (REPO / "scripts" / "screenshots").is_file()


def test_introduces_setup_documents_the_port_and_links_the_corpus_readme():
    assert "scripts/run --port" in README
    assert re.search(r"`scripts/setup` creates `\.venv`", README)
    assert "](corpus/README.md)" in README


def test_where_the_summaries_come_from_matches_the_corpus():
    line = next(line for line in README.splitlines()
                if line.startswith("**Where the summaries come from:**"))
    origins = Counter(s.origin for s in load_corpus(BUNDLED_CORPUS).summaries)
    assert f"{origins['blog-post']} stand for real PPRNet blog posts" in line
    assert f"{origins['added']} were added to this archive" in line
