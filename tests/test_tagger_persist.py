"""Saving and loading the topic model: round trip, atomic swap, stale and missing models."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from explorer.integrity import read_manifest, write_manifest
from explorer.tagger import (
    CorruptModelError,
    ModelMissingError,
    StaleModelError,
    TopicModel,
    corpus_fingerprint,
    load_model,
    read_meta,
    save_model,
    train_model,
)
from explorer.tagger.features import fields_of
from explorer.tagger.persist import model_dir
from explorer.tagger.synthetic import synthetic_corpus


@pytest.fixture(scope="module")
def corpus():
    return synthetic_corpus(50, seed=11)


@pytest.fixture(scope="module")
def model(corpus) -> TopicModel:
    summaries, taxonomy = corpus
    return train_model(summaries, taxonomy)


def _suggest(model: TopicModel, summary) -> dict:
    f = fields_of(summary)
    return model.suggest(f.title, f.text, journal=f.journal)


def test_round_trip_gives_identical_suggestions(tmp_path, model, corpus):
    summaries, _ = corpus
    save_model(model, tmp_path)
    loaded = load_model(tmp_path)
    for summary in summaries[:10]:
        assert loaded.suggest(summary.title) == model.suggest(summary.title)
        assert _suggest(loaded, summary) == _suggest(model, summary)
    np.testing.assert_array_equal(loaded.topic_coef, model.topic_coef)
    assert loaded.config == model.config
    assert loaded.doc_ids == model.doc_ids


def test_saved_metadata_names_corpus_library_and_date(tmp_path, model, corpus):
    import sklearn

    summaries, _ = corpus
    save_model(model, tmp_path)
    meta = read_meta(tmp_path)
    assert meta["fingerprint"] == corpus_fingerprint(summaries)
    assert meta["sklearn_version"] == sklearn.__version__
    assert meta["created"][:4].isdigit() and "T" in meta["created"]
    assert meta["documents"] == len(summaries)


def test_model_lives_under_index_model_and_save_leaves_no_temp_dirs(tmp_path, model):
    (tmp_path / "whoosh").mkdir()  # the search index's neighbour folder is left alone
    save_model(model, tmp_path)
    save_model(model, tmp_path)  # replacing an existing model
    assert (tmp_path / "model" / "meta.json").is_file()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".model-")]
    assert leftovers == []
    assert (tmp_path / "whoosh").is_dir()


def test_failed_save_keeps_the_previous_model(tmp_path, model, monkeypatch):
    save_model(model, tmp_path)
    before = (tmp_path / "model" / "meta.json").read_text()
    import explorer.tagger.persist as persist

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(persist.np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        save_model(model, tmp_path)
    assert (tmp_path / "model" / "meta.json").read_text() == before
    assert load_model(tmp_path).doc_ids == model.doc_ids
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".model-tmp")]


def test_missing_model_says_run_pprnet_build(tmp_path):
    with pytest.raises(ModelMissingError, match="pprnet build"):
        load_model(tmp_path)
    with pytest.raises(ModelMissingError, match="pprnet build"):
        load_model(tmp_path / "does-not-exist")


def _reseal(index_dir: Path) -> None:
    """New checksums for edited files: a model *saved* that way (by another version of
    the program), not one damaged on disk, which the checksums alone would refuse."""
    folder = model_dir(index_dir)
    old = read_manifest(folder)
    write_manifest(folder, kind=old.kind, format_version=old.format_version,
                   fingerprint=old.fingerprint)


def _edit_meta(index_dir: Path, **changes) -> None:
    path = model_dir(index_dir) / "meta.json"
    meta = json.loads(path.read_text())
    meta.update(changes)
    path.write_text(json.dumps(meta))
    _reseal(index_dir)


def test_model_from_another_scikit_learn_is_stale(tmp_path, model):
    save_model(model, tmp_path)
    _edit_meta(tmp_path, sklearn_version="0.24.2")
    with pytest.raises(StaleModelError, match=r"scikit-learn 0\.24\.2.*pprnet build"):
        load_model(tmp_path)


def test_model_of_another_format_is_stale(tmp_path, model):
    save_model(model, tmp_path)
    _edit_meta(tmp_path, format=999)
    with pytest.raises(StaleModelError, match="format.*pprnet build"):
        load_model(tmp_path)


def test_model_of_an_older_corpus_is_stale(tmp_path, model, corpus):
    summaries, _ = corpus
    save_model(model, tmp_path)
    assert load_model(tmp_path, expected_fingerprint=corpus_fingerprint(summaries))
    changed = corpus_fingerprint(summaries[:-1])
    with pytest.raises(StaleModelError, match="older than the corpus.*pprnet build"):
        load_model(tmp_path, expected_fingerprint=changed)


@pytest.mark.parametrize("damage", ["meta", "arrays", "data", "shapes"])
def test_damaged_model_is_a_clear_error_not_a_crash(tmp_path, model, damage):
    save_model(model, tmp_path)
    folder = model_dir(tmp_path)
    if damage == "meta":
        (folder / "meta.json").write_text("{not json")
    elif damage == "arrays":
        (folder / "arrays.npz").write_bytes(b"garbage")
    elif damage == "data":
        data = json.loads((folder / "data.json").read_text())
        del data["text_vocabulary"]
        (folder / "data.json").write_text(json.dumps(data))
        _reseal(tmp_path)  # past the checksums: the loader's own checks must catch it
    else:
        data = json.loads((folder / "data.json").read_text())
        data["text_vocabulary"] = data["text_vocabulary"][:-3]
        (folder / "data.json").write_text(json.dumps(data))
        _reseal(tmp_path)
    with pytest.raises(CorruptModelError, match="damaged.*pprnet build"):
        load_model(tmp_path)


@pytest.mark.parametrize("damage", ["garble", "manifest deleted", "extra file"])
def test_a_model_file_changed_after_its_save_is_damaged(tmp_path, model, damage):
    save_model(model, tmp_path)
    folder = model_dir(tmp_path)
    if damage == "garble":  # same size, different bytes: only the checksum tells
        raw = bytearray((folder / "data.json").read_bytes())
        raw[len(raw) // 2] ^= 0x20
        (folder / "data.json").write_bytes(bytes(raw))
    elif damage == "manifest deleted":
        (folder / "MANIFEST.json").unlink()
    else:
        (folder / "arrays-2.npz").write_bytes(b"planted")
    with pytest.raises(CorruptModelError, match="damaged.*pprnet build"):
        load_model(tmp_path)


def test_readers_never_see_a_half_written_model(tmp_path, model):
    """Loads running while the model is replaced get the old or the new one, never an error."""
    save_model(model, tmp_path)
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                load_model(tmp_path)
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for _ in range(8):
            save_model(model, tmp_path)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []


def test_cooccurrence_smoothing_survives_the_round_trip(tmp_path, corpus):
    summaries, taxonomy = corpus
    from explorer.tagger import TaggerConfig

    smoothed = train_model(summaries, taxonomy, config=TaggerConfig(cooc_weight=0.3))
    save_model(smoothed, tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.cooc_weight == 0.3
    assert np.array_equal(loaded.cooc, smoothed.cooc)
    assert _suggest(loaded, summaries[0]) == _suggest(smoothed, summaries[0])


def test_model_saved_before_smoothing_existed_still_loads(tmp_path, model, corpus):
    summaries, _ = corpus
    save_model(model, tmp_path)
    path = model_dir(tmp_path) / "arrays.npz"
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files if k not in ("cooc", "cooc_weight")}
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    _reseal(tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.cooc_weight == 0.0
    assert _suggest(loaded, summaries[0]) == _suggest(model, summaries[0])


def test_smoothing_weight_without_its_matrix_is_a_clear_error(tmp_path, model):
    save_model(model, tmp_path)
    path = model_dir(tmp_path) / "arrays.npz"
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files if k != "cooc"}
    arrays["cooc_weight"] = np.array(0.3)
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    _reseal(tmp_path)
    with pytest.raises(StaleModelError, match="damaged.*pprnet build"):
        load_model(tmp_path)
