"""Corpus loading, validation (path:line messages) and atomic, non-clobbering writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from explorer.corpus import (
    CorpusError,
    SummaryExistsError,
    load_corpus,
    parse_summary_text,
    render_summary,
    write_summary,
)
from explorer.records import Citation, Summary

GOOD = """---
id: 2020-01-good
origin: blog-post
published: 2020-01
title: "A good summary"
citation:
  authors: ["Doe, J.", "Roe, R."]
  year: 2019
  title: "A study"
  journal: "Psychotherapy"
  doi: "10.1037/xyz"
topics: ["Empathy", "Adherence"]
research_type: "Meta-analysis"
---
The body text.

## Practice Implications
What to do.
"""


def make(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def sample(**changes) -> Summary:
    base = dict(
        id="2021-05-sample",
        published="2021-05",
        title="Sample",
        body="Body words.",
        implications="Do this.",
        citation=Citation(authors=["Doe, J."], year="2020", title="T", journal="J"),
        topics=["Empathy"],
        research_type="Meta-analysis",
    )
    base.update(changes)
    return Summary(**base)


def test_good_file_loads(tmp_path, taxonomy):
    make(tmp_path, "a.md", GOOD)
    result = load_corpus(tmp_path, taxonomy)
    assert not result.errors
    (s,) = result.summaries
    assert s.topics == ["Empathy", "Adherance"]  # alias folded to the site's spelling
    assert s.citation.authors == ["Doe, J.", "Roe, R."]
    assert s.body == "The body text."
    assert s.implications == "What to do."


def test_every_problem_reported_with_path_and_line(tmp_path, taxonomy):
    make(tmp_path, "a.md", GOOD)
    make(tmp_path, "dup.md", GOOD)  # duplicate id
    make(tmp_path, "topic.md", GOOD.replace("2020-01-good", "t1").replace('"Empathy"', '"Empaty"'))
    make(
        tmp_path,
        "month.md",
        GOOD.replace("2020-01-good", "m1").replace("published: 2020-01", "published: 2020-13"),
    )
    make(
        tmp_path,
        "nomonth.md",
        GOOD.replace("2020-01-good", "m2").replace("published: 2020-01\n", ""),
    )
    make(
        tmp_path,
        "yaml.md",
        GOOD.replace("2020-01-good", "y1").replace('title: "A good summary"', 'title: "unclosed'),
    )
    make(
        tmp_path,
        "notitle.md",
        GOOD.replace("2020-01-good", "n1").replace('title: "A good summary"\n', ""),
    )
    make(
        tmp_path,
        "nobody.md",
        GOOD.replace("2020-01-good", "b1").split("---\nThe body")[0] + "---\n",
    )
    make(tmp_path, "nofm.md", "Just text\n")
    result = load_corpus(tmp_path, taxonomy)
    messages = [str(p) for p in result.errors]

    def find(name: str, fragment: str) -> str:
        hits = [m for m in messages if f"{name}:" in m and fragment in m]
        assert hits, (name, fragment, messages)
        return hits[0]

    assert find("dup.md", "duplicate id").split(":")[1] == "2"
    topic_msg = find("topic.md", "unknown topic 'Empaty'")
    assert "did you mean 'Empathy'" in topic_msg
    assert topic_msg.split(":")[1] == "12"
    assert find("month.md", "bad 'published'").split(":")[1] == "4"
    find("nomonth.md", "missing 'published'")
    assert find("yaml.md", "malformed YAML").split(":")[1] in {"5", "6", "7"}
    find("notitle.md", "missing 'title'")
    find("nobody.md", "missing body")
    assert find("nofm.md", "front matter").split(":")[1] == "1"
    assert len(result.summaries) == 1


def test_untagged_is_a_warning_not_an_error(tmp_path, taxonomy):
    make(tmp_path, "u.md", GOOD.replace('topics: ["Empathy", "Adherence"]', "topics: []"))
    result = load_corpus(tmp_path, taxonomy)
    assert not result.errors
    assert any("untagged" in str(w) for w in result.warnings)


def test_binary_and_non_mapping_files_reported(tmp_path, taxonomy):
    (tmp_path / "bin.md").write_bytes(b"\xff\xfe\x00garbage")
    make(tmp_path, "list.md", "---\n- a\n- b\n---\nBody\n")
    result = load_corpus(tmp_path, taxonomy)
    assert {Path(p.path).name for p in result.errors} == {"bin.md", "list.md"}


def test_render_then_parse_roundtrip(taxonomy):
    s = sample(
        citation=Citation(
            authors=['O\'Brien, "Q".'],
            year="in press",
            title='A "quoted": title',
            journal="J",
            editors=["Ed, A."],
            publisher="Pub",
        )
    )
    parsed, problems = parse_summary_text(render_summary(s), "x.md", taxonomy)
    assert parsed is not None, problems
    parsed.path = None
    assert parsed == s


def test_write_is_atomic_and_refuses_to_clobber(tmp_path, taxonomy):
    s = sample()
    assert write_summary(s, tmp_path, taxonomy=taxonomy) == "created"
    assert write_summary(s, tmp_path, taxonomy=taxonomy) == "unchanged"
    other = sample(body="A different body.")
    with pytest.raises(CorpusError, match="different summary"):
        write_summary(other, tmp_path, taxonomy=taxonomy)
    assert "Body words." in (tmp_path / "2021-05-sample.md").read_text()
    assert write_summary(other, tmp_path, overwrite=True, taxonomy=taxonomy) == "updated"
    assert "A different body." in (tmp_path / "2021-05-sample.md").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["2021-05-sample.md"]  # no temp files left


def test_failed_write_leaves_old_file(tmp_path, taxonomy, monkeypatch):
    write_summary(sample(), tmp_path, taxonomy=taxonomy)

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write_summary(sample(body="new"), tmp_path, overwrite=True, taxonomy=taxonomy)
    assert "Body words." in (tmp_path / "2021-05-sample.md").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["2021-05-sample.md"]


def test_bad_id_refused(tmp_path, taxonomy):
    with pytest.raises(CorpusError) as info:
        write_summary(sample(id="../../etc/passwd"), tmp_path, taxonomy=taxonomy)
    assert not isinstance(info.value, SummaryExistsError)


def test_a_clash_is_its_own_error_class_with_the_id_and_path(tmp_path, taxonomy):
    write_summary(sample(), tmp_path, taxonomy=taxonomy)
    with pytest.raises(SummaryExistsError) as info:
        write_summary(sample(body="Another body."), tmp_path, taxonomy=taxonomy)
    assert info.value.summary_id == "2021-05-sample"
    assert info.value.path == tmp_path / "2021-05-sample.md"
    assert isinstance(info.value, CorpusError)  # callers catching CorpusError still do


# ------------------------------------------------------------------ origins (issue #17)

ADDED = GOOD.replace("origin: blog-post\npublished: 2020-01\n", "origin: added\nadded: 2026-11\n")


def test_origins_load_with_their_months(tmp_path, taxonomy):
    make(tmp_path, "a.md", GOOD)
    make(tmp_path, "b.md", ADDED.replace("2020-01-good", "b"))
    make(tmp_path, "c.md", ADDED.replace("2020-01-good", "c").replace("added: 2026-11\n", ""))
    result = load_corpus(tmp_path, taxonomy)
    assert not result.problems, result.problems
    by_id = {s.id: s for s in result.summaries}
    assert (by_id["2020-01-good"].origin, by_id["2020-01-good"].published) == ("blog-post", "2020-01")
    assert (by_id["b"].origin, by_id["b"].published, by_id["b"].added) == ("added", "", "2026-11")
    assert by_id["b"].year is None and by_id["c"].added is None


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (GOOD.replace("origin: blog-post\n", ""), 2, "missing 'origin': one of 'blog-post', 'added'"),
        (GOOD.replace("origin: blog-post", "origin: tweet"), 3, "unknown origin 'tweet'"),
        (GOOD.replace("published: 2020-01\n", ""), 2, "missing 'published' month"),
        (ADDED.replace("added: 2026-11", "added: 2026-11\npublished: 2020-01"), 5,
         "was never posted: remove it"),
        (GOOD.replace("published: 2020-01", "published: 2020-01\nadded: 2021-02"), 5,
         "'added' is for summaries added to the archive"),
        (ADDED.replace("added: 2026-11", "added: soon"), 4, "bad 'added' month 'soon'"),
    ],
)
def test_origin_rules_are_enforced_with_path_and_line(tmp_path, taxonomy, text, line, fragment):
    make(tmp_path, "x.md", text)
    result = load_corpus(tmp_path, taxonomy)
    messages = [str(p) for p in result.errors]
    assert any(m.startswith(f"{tmp_path / 'x.md'}:{line}: ") and fragment in m
               for m in messages), messages
    assert not result.summaries


def test_blog_post_of_unknown_month_is_a_warning(tmp_path, taxonomy):
    make(tmp_path, "a.md", GOOD.replace("published: 2020-01", "published: null"))
    result = load_corpus(tmp_path, taxonomy)
    assert not result.errors
    assert [p.line for p in result.warnings] == [4]
    assert "unknown posting month" in result.warnings[0].message
    assert result.summaries[0].published == ""


def test_render_round_trips_both_origins(tmp_path, taxonomy):
    added = sample(id="added-one", published="", origin="added", added="2026-11")
    undated = sample(id="undated-post", published="")
    for summary in (sample(), added, undated):
        text = render_summary(summary)
        parsed, problems = parse_summary_text(text, "x.md", taxonomy)
        assert parsed is not None and not [p for p in problems if p.severity == "error"], problems
        assert (parsed.origin, parsed.published, parsed.added) == (
            summary.origin, summary.published, summary.added)
    assert "published" not in render_summary(added)
    assert "published: null" in render_summary(undated)


def test_origins_come_from_the_taxonomy_file(tmp_path):
    from explorer.corpus import load_taxonomy

    (tmp_path / "taxonomy.yaml").write_text(
        "topics: [Empathy]\norigins:\n  journal-club:\n    name: Journal club\n"
        "    posted: false\n    label: Discussed at our journal club\n", encoding="utf-8")
    tax = load_taxonomy(tmp_path)
    assert tax.origin_ids() == ["journal-club"]
    assert tax.origin("Journal Club").label == "Discussed at our journal club"
    make(tmp_path, "a.md", GOOD.replace('["Empathy", "Adherence"]', '["Empathy"]'))
    messages = [str(p) for p in load_corpus(tmp_path).errors]
    assert any("unknown origin 'blog-post': one of 'journal-club'" in m for m in messages)
    (tmp_path / "taxonomy.yaml").write_text(
        "topics: [Empathy]\norigins:\n  odd: {name: Odd}\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="posted: true"):
        load_taxonomy(tmp_path)
