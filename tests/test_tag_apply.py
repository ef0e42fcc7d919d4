"""`pprnet dump --untagged` → `suggest --batch` → `tag --apply`: a backlog tagged in one go."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.corpus import load_corpus, write_summary
from explorer.tagger import save_model, train_model
from explorer.tagger.synthetic import synthetic_corpus, taxonomy_yaml


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tag")
    corpus, index = root / "corpus", root / "index"
    summaries, taxonomy = synthetic_corpus(48, seed=5)
    corpus.mkdir()
    (corpus / "taxonomy.yaml").write_text(taxonomy_yaml(taxonomy), encoding="utf-8")
    for summary in summaries:
        write_summary(summary, corpus, taxonomy=taxonomy)
    loaded = load_corpus(corpus)
    save_model(train_model(loaded.summaries, loaded.taxonomy), index)
    return corpus, index


@pytest.fixture()
def backlog(trained, tmp_path) -> tuple[Path, Path, list[str]]:
    """A copy of the corpus where three summaries lost their tags, one only its type."""
    corpus, index = trained
    copy = tmp_path / "corpus"
    shutil.copytree(corpus, copy)
    summaries = load_corpus(copy).summaries
    stripped = [s.id for s in summaries[:3]]
    for summary in summaries[:3]:
        write_summary(replace(summary, topics=[], research_type=None), copy, overwrite=True)
    write_summary(replace(summaries[3], research_type=None), copy, overwrite=True)
    return copy, index, [*stripped, summaries[3].id]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _suggestions(corpus: Path, index: Path, tmp_path: Path) -> Path:
    dumped = run("dump", "--untagged", "--corpus", str(corpus))
    assert dumped.exit_code == 0
    backlog = tmp_path / "backlog.jsonl"
    backlog.write_text(dumped.stdout, encoding="utf-8")
    out = run("suggest", "--batch", str(backlog), "--corpus", str(corpus), "--index", str(index))
    assert out.exit_code == 0, out.output
    path = tmp_path / "suggestions.jsonl"
    path.write_text(out.stdout, encoding="utf-8")
    return path


def test_dry_run_then_apply_fills_only_what_is_missing(backlog, tmp_path):
    corpus, index, ids = backlog
    before = {s.id: s for s in load_corpus(corpus).summaries}
    suggestions = _suggestions(corpus, index, tmp_path)
    assert len(suggestions.read_text().splitlines()) == 4
    snapshot = {p.name: p.read_bytes() for p in corpus.glob("*.md")}
    dry = run("tag", "--apply", str(suggestions), "--dry-run", "--corpus", str(corpus),
              "--index", str(tmp_path / "idx"))
    assert dry.exit_code == 0, dry.output
    assert "4 would be tagged" in dry.output and "dry run: nothing written" in dry.output
    assert {p.name: p.read_bytes() for p in corpus.glob("*.md")} == snapshot
    real = run("tag", "--apply", str(suggestions), "--corpus", str(corpus),
               "--index", str(tmp_path / "idx"))
    assert real.exit_code == 0, real.output
    assert "4 tagged, 0 skipped, 0 errors" in real.output
    after = {s.id: s for s in load_corpus(corpus).summaries}
    for sid in ids[:3]:
        assert after[sid].topics and after[sid].research_type
    assert after[ids[3]].topics == before[ids[3]].topics  # its own topics kept
    assert after[ids[3]].research_type
    assert run("dump", "--untagged", "--corpus", str(corpus)).stdout == ""
    assert (tmp_path / "idx" / "corpus-version").is_file()  # a running site is told


def test_min_score_and_bad_lines(backlog, tmp_path):
    corpus, index, ids = backlog
    suggestions = _suggestions(corpus, index, tmp_path)
    high = run("tag", "--apply", str(suggestions), "--min-score", "1", "--dry-run",
               "--corpus", str(corpus))
    assert high.exit_code == 0 and "0 would be tagged" in high.output
    assert "no suggestion at or above score 1" in high.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "no-such-summary", "topics": []}\nnot json\n'
                   + json.dumps({"id": ids[0], "notice": "too little text", "topics": []})
                   + "\n", encoding="utf-8")
    res = run("tag", "--apply", str(bad), "--corpus", str(corpus))
    assert res.exit_code == 1
    assert f"{bad}:1: no summary with this id" in res.output
    assert f"{bad}:2: not valid JSON" in res.output
    assert "skipped" in res.output and "too little text" in res.output
    assert run("tag", "--apply", str(bad), "--min-score", "2").exit_code == 2
