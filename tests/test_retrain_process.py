"""The topic model is retrained in a child process: it saves a model, leaves a current one
alone, reports failures in one line and saves nothing when cancelled."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace

import pytest

from explorer.corpus import load_corpus, write_summary
from explorer.tagger import load_model, read_meta
from explorer.web.model_holder import ModelHolder
from explorer.web.retrain_process import RetrainFailed, TrainingProcess
from tests.web_helpers import copy_site


@pytest.fixture()
def site(tmp_path):
    return copy_site(tmp_path)


def _add_one(site) -> None:
    """One more summary on disk, as a save in the editor would write it."""
    first = site.summaries()[0]
    write_summary(replace(first, id=first.id + "-again", title=first.title + " (again)"),
                  site.corpus_dir)


def test_a_current_model_is_left_alone_and_a_changed_corpus_is_trained(site):
    before = read_meta(site.index_dir)["build_id"]
    assert TrainingProcess(site.corpus_dir, site.index_dir).run() is False
    assert read_meta(site.index_dir)["build_id"] == before
    _add_one(site)
    assert TrainingProcess(site.corpus_dir, site.index_dir).run() is True
    assert read_meta(site.index_dir)["build_id"] != before
    assert len(load_model(site.index_dir).doc_ids) == len(site.summaries())


def test_a_damaged_model_is_retrained_even_when_the_corpus_is_unchanged(site):
    (site.index_dir / "model" / "meta.json").write_text("{not json", encoding="utf-8")
    assert TrainingProcess(site.corpus_dir, site.index_dir).run() is True
    assert len(load_model(site.index_dir).doc_ids) == len(site.summaries())


def test_a_failure_is_one_clear_line_and_the_old_model_stays(site, tmp_path):
    before = read_meta(site.index_dir)["build_id"]
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    with pytest.raises(RetrainFailed, match="nothing to train on"):
        TrainingProcess(empty, site.index_dir).run()
    assert read_meta(site.index_dir)["build_id"] == before


def test_a_cancelled_child_saves_nothing_and_cannot_run(site):
    _add_one(site)
    before = read_meta(site.index_dir)["build_id"]
    process = TrainingProcess(site.corpus_dir, site.index_dir)
    process.cancel()
    with pytest.raises(RetrainFailed, match="cancelled"):
        process.run()
    assert read_meta(site.index_dir)["build_id"] == before


def test_the_child_does_nothing_when_its_input_ends_without_go(site):
    _add_one(site)
    before = read_meta(site.index_dir)["build_id"]
    done = subprocess.run([sys.executable, "-m", "explorer.web.retrain_process",
                           str(site.corpus_dir), str(site.index_dir)],
                          input="", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == ""
    assert read_meta(site.index_dir)["build_id"] == before


def test_the_child_needs_both_folders(site):
    done = subprocess.run([sys.executable, "-m", "explorer.web.retrain_process",
                           str(site.corpus_dir)], input="go\n", capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "usage:" in done.stderr


def test_a_failed_background_retrain_keeps_the_old_model_serving(site):
    taxonomy = load_corpus(site.corpus_dir).taxonomy
    holder = ModelHolder(site.corpus_dir, site.index_dir, lambda: taxonomy, delay=0.05)
    old, why = holder.get()
    assert old is not None and why is None
    shutil.rmtree(site.corpus_dir)
    site.corpus_dir.mkdir()  # every summary gone: nothing to train on
    holder.request_retrain()
    assert holder.wait_idle(timeout=120)
    assert holder.last_error is not None and "nothing to train on" in holder.last_error
    assert holder.get()[0] is old and holder.retrains == 0
