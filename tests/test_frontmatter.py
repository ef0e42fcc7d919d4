"""explorer.frontmatter: the one splitter of '---' front matter (corpus and suggest)."""

from __future__ import annotations

import pytest

from explorer.commands.tagger_commands import parse_input
from explorer.frontmatter import FrontMatterError, normalize_newlines, split_front_matter


def test_splits_yaml_and_body_with_the_body_line():
    front = split_front_matter("---\nid: a\ntitle: T\n---\nBody one.\n\nBody two.")
    assert front is not None
    assert front.yaml_text == "id: a\ntitle: T"
    assert front.body == "Body one.\n\nBody two."
    assert front.body_line == 5 and front.yaml_line == 2


def test_yaml_document_end_mark_closes_it_too():
    front = split_front_matter("---\nid: a\n...\ntext")
    assert front is not None and front.body == "text" and front.body_line == 4


def test_no_opening_mark_means_no_front_matter():
    assert split_front_matter("# A heading\n---\nnot front matter") is None
    assert split_front_matter("") is None


def test_unclosed_front_matter_names_line_one():
    with pytest.raises(FrontMatterError, match="not closed") as info:
        split_front_matter("---\nid: a\ntitle: T\n")
    assert info.value.line == 1
    assert isinstance(info.value, ValueError)


def test_newlines_and_byte_order_mark_are_normalized():
    assert normalize_newlines("\ufeff---\r\nid: a\r---\n") == "---\nid: a\n---\n"


def test_suggest_input_and_corpus_reader_agree_on_an_unclosed_file():
    from explorer.corpus import parse_summary_text
    from explorer.records import Taxonomy

    text = "---\ntitle: Alliance\n"
    with pytest.raises(ValueError, match="not closed"):
        parse_input(text)
    summary, problems = parse_summary_text(text, "x.md", Taxonomy(topics=[], research_types=[]))
    assert summary is None
    assert [(p.line, p.message) for p in problems] == [
        (1, "front matter is not closed: add a '---' line after it")
    ]
