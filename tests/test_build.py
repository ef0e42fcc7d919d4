"""`pprnet build` derives both halves of index/: the search index and the topic model."""

from __future__ import annotations

import json

from click.testing import CliRunner

from explorer.builder import index_staleness, model_unusable
from explorer.cli import main
from tests.web_helpers import make_summaries, write_corpus


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_build_makes_index_and_model_then_suggest_and_search_work(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus, make_summaries(40))
    assert model_unusable(index) is not None
    assert index_staleness(corpus, index) is not None
    result = run("build", "--corpus", str(corpus), "--index", str(index))
    assert result.exit_code == 0, result.output
    assert "trained the topic model" in result.output
    assert model_unusable(index) is None
    assert index_staleness(corpus, index) is None
    suggest = run("suggest", "--json", "--corpus", str(corpus), "--index", str(index),
                  str(next(corpus.glob("*.md"))))
    assert suggest.exit_code == 0, suggest.output
    assert json.loads(suggest.output)["topics"]
    found = run("search", "--json", "--corpus", str(corpus), "--index", str(index), "therapy")
    assert found.exit_code == 0 and json.loads(found.output)["total"] > 0


def test_build_no_model_leaves_model_alone(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus, make_summaries(30))
    result = run("build", "-q", "--no-model", "--corpus", str(corpus), "--index", str(index))
    assert result.exit_code == 0, result.output
    assert index_staleness(corpus, index) is None
    assert "pprnet build" in model_unusable(index)


def test_build_with_a_broken_corpus_changes_nothing(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus, make_summaries(30))
    assert run("build", "-q", "--corpus", str(corpus), "--index", str(index)).exit_code == 0
    model_meta = (index / "model" / "meta.json").read_bytes()
    (corpus / "bad.md").write_text("---\nid: x\ntopics: [Nope]\n---\n", encoding="utf-8")
    result = run("build", "-q", "--corpus", str(corpus), "--index", str(index))
    assert result.exit_code == 1
    assert "bad.md:" in result.output and "not rebuilt" in result.output
    assert (index / "model" / "meta.json").read_bytes() == model_meta


def test_an_index_of_another_format_is_stale_and_rebuilt(tmp_path):
    """An index written in an earlier layout is rebuilt by `pprnet serve`'s start-up check
    (and any search says to run `pprnet build`)."""
    from explorer.integrity import read_manifest, write_manifest
    from explorer.search.build import INDEX_FORMAT
    from explorer.search.store import current_dir

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_corpus(corpus, make_summaries(20))
    assert run("build", "-q", "--no-model", "--corpus", str(corpus), "--index", str(index)
               ).exit_code == 0
    live = current_dir(index)
    old = read_manifest(live)
    write_manifest(live, kind=old.kind, format_version=INDEX_FORMAT - 1,
                   fingerprint=old.fingerprint, unlisted_forbidden=old.unlisted_forbidden)
    assert f"format {INDEX_FORMAT - 1}" in (index_staleness(corpus, index) or "")
    found = run("search", "--corpus", str(corpus), "--index", str(index), "therapy")
    assert found.exit_code != 0 and "run `pprnet build`" in found.output
    assert run("build", "-q", "--no-model", "--corpus", str(corpus), "--index", str(index)
               ).exit_code == 0
    assert index_staleness(corpus, index) is None
