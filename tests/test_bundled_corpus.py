"""The bundled archive: valid, large enough, every topic and type covered, our own prose."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from explorer.citation import looks_like_citation
from explorer.corpus import load_corpus
from tests.conftest import BUNDLED_CORPUS

MIN_SUMMARIES = 160
MIN_PER_TOPIC = 5
MIN_PER_TYPE = 10


@pytest.fixture(scope="module")
def bundled(taxonomy):
    return load_corpus(BUNDLED_CORPUS, taxonomy)


def test_validates_cleanly(bundled):
    assert not bundled.errors, "\n".join(map(str, bundled.errors))


def test_size_and_coverage(bundled, taxonomy):
    summaries = bundled.summaries
    assert len(summaries) >= MIN_SUMMARIES
    topics = Counter(t for s in summaries for t in s.topics)
    thin = {t: topics.get(t, 0) for t in taxonomy.topics if topics.get(t, 0) < MIN_PER_TOPIC}
    assert not thin, thin
    types = Counter(s.research_type for s in summaries)
    thin_types = {t: types.get(t, 0) for t in taxonomy.research_types if types.get(t, 0) < MIN_PER_TYPE}
    assert not thin_types, thin_types
    assert all(s.research_type for s in summaries)
    assert all(1 <= len(s.topics) <= 6 for s in summaries)


def test_ids_unique_and_match_file_names(bundled):
    ids = [s.id for s in bundled.summaries]
    assert len(ids) == len(set(ids))
    for s in bundled.summaries:
        assert s.path.endswith(f"/{s.id}.md"), s.path


def test_lengths_within_the_house_style(bundled):
    bad = []
    for s in bundled.summaries:
        body, impl = len(s.body.split()), len(s.implications.split())
        if not (140 <= body <= 320 and 55 <= impl <= 160):
            bad.append((s.id, body, impl))
    assert not bad, bad


def test_months_in_range_and_citations_present(bundled):
    for s in bundled.summaries:
        if s.published:
            assert s.origin == "blog-post", s.id
            assert "2013-01" <= s.published <= "2026-12", s.id
        c = s.citation
        assert c.authors and c.year and c.title, s.id
        if c.doi:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", c.doi), (s.id, c.doi)


def _seed_prose_sentences(seed_text: str) -> list[str]:
    lines = seed_text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.fullmatch(r"[A-Z][a-z]+ \d{4}", line.strip()))
    prose = [line for line in lines[start:] if len(line.split()) > 30 and not looks_like_citation(line)]
    sentences = []
    for paragraph in prose:
        for sentence in re.split(r"(?<=[.?!])\s+", paragraph):
            if len(sentence.split()) >= 6:
                sentences.append(_norm(sentence))
    return sentences


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9%]+", text.lower().replace("\u2019", "'")))


def test_no_sentence_of_the_seed_prose_is_reused(bundled, seed_text):
    sentences = _seed_prose_sentences(seed_text)
    assert len(sentences) > 60  # the check really looked at the seed's prose
    corpus_text = _norm(" ".join(f"{s.body} {s.implications}" for s in bundled.summaries))
    reused = [s for s in sentences if s in corpus_text]
    assert not reused, reused[:3]


def test_no_long_word_run_shared_with_the_seed(bundled, seed_text):
    """Lightly reworded copies share long runs of words; original prose does not."""
    n = 10
    seed_words = _norm(" ".join(_seed_prose_sentences(seed_text))).split()
    seed_grams = {tuple(seed_words[i:i + n]) for i in range(len(seed_words) - n + 1)}
    shared = []
    for s in bundled.summaries:
        words = _norm(f"{s.body} {s.implications}").split()
        grams = {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}
        if grams & seed_grams:
            shared.append((s.id, " ".join(next(iter(grams & seed_grams)))))
    assert not shared, shared


def test_readme_counts_match_pprnet_check(bundled, taxonomy):
    from explorer.commands.corpus_commands import count_table

    readme = (BUNDLED_CORPUS / "README.md").read_text(encoding="utf-8")
    block = readme.split("As `pprnet check` prints them:")[1].split("```")[1].strip("\n")
    assert block == count_table(bundled.summaries, taxonomy)


def test_every_summary_has_an_origin_and_added_ones_no_posting_month(bundled, taxonomy):
    """Blog posts keep their post month; added summaries carry none (issue #17)."""
    origins = Counter(s.origin for s in bundled.summaries)
    assert set(origins) <= set(taxonomy.origin_ids())
    assert origins["blog-post"] > 0 and origins["added"] > 0
    for s in bundled.summaries:
        if s.origin == "added":
            assert not s.published, s.id
        else:
            assert s.added is None, s.id
    undated = [s.id for s in bundled.summaries if s.origin == "blog-post" and not s.published]
    assert len(undated) <= 1, undated
