"""Save and load a trained `TopicModel` under ``index_dir/model``.

Every registered classifier (`explorer.tagger.registry`) returns the same
`classifiers.base.LinearTopics` (a weight row and an intercept per topic), so saving and
loading are the same for all of them: a new classifier needs no code here.

The model is derived data: when in doubt, refuse it and tell the user to rebuild. A model
from another scikit-learn version, another model format or an older corpus raises
`StaleModelError` with a "run `pprnet build`" message instead of loading something that
may mean different things; a missing one raises `ModelMissingError`; one whose files do
not match the checksums its save wrote raises `CorruptModelError`.

Files: ``meta.json`` (small: format, corpus fingerprint, scikit-learn version, date, the
config), ``data.json`` (word lists, ids, titles), ``arrays.npz`` (numbers; read with
``allow_pickle=False``, so a model file can never run code) and ``MANIFEST.json`` (size
and SHA-256 of each, see `explorer.integrity`). A save writes a fresh sibling
directory and swaps it in by rename, so readers see the old model or the new one; the
brief gap between the two renames is bridged by a retry in `load_model`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import sklearn

from explorer.atomicfile import fsync_dir
from explorer.integrity import MANIFEST, VERIFIED, CorruptError, write_manifest
from explorer.leftovers import temp_dir
from explorer.tagger.config import TaggerConfig
from explorer.tagger.features import FeatureSpace, TfidfBlock
from explorer.tagger.model import TopicModel
from explorer.tagger.residual import residual_arrays, residual_from_arrays

MODEL_DIRNAME = "model"
FORMAT_VERSION = 1
_REBUILD = "run `pprnet build` to retrain it"


class ModelError(Exception):
    """The topic model cannot be used; the message says what to do."""


class ModelMissingError(ModelError):
    """No model has been trained into this index folder yet."""


class StaleModelError(ModelError):
    """The saved model is from another scikit-learn, format or corpus, or is damaged."""


class CorruptModelError(StaleModelError):
    """The model's files do not match what its save wrote (see `explorer.integrity`)."""


class _Retry(Exception):
    pass


def model_dir(index_dir: Path | str) -> Path:
    return Path(index_dir) / MODEL_DIRNAME


# --------------------------------------------------------------------------- saving


@contextlib.contextmanager
def _swap_lock(index_dir: Path, *, shared: bool = False) -> Iterator[None]:
    """One writer at a time swaps the model directory (two builds at once stay correct);
    readers hold the lock shared, so none reads across the two renames of a swap."""
    try:
        handle = open(index_dir / ".model.lock", "a+")  # noqa: SIM115 - closed below
    except OSError:
        if not shared:
            raise
        yield  # a read-only index folder: nobody can be swapping the model in it
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _payload(model: TopicModel, build_id: str) -> tuple[dict, dict, dict[str, np.ndarray]]:
    meta = {
        "format": FORMAT_VERSION,
        "build_id": build_id,
        "fingerprint": model.fingerprint,
        "sklearn_version": model.sklearn_version,
        "created": model.created,
        "documents": len(model.doc_ids),
        "topics": model.topics,
        "research_types": model.research_types,
        "config": model.config.to_dict(),
        "train_seconds": model.train_seconds,
        "title_weight": model.space.title_weight,
        "journal_weight": model.space.journal_weight,
    }
    data = {
        "build_id": build_id,
        "text_vocabulary": model.space.text.vocabulary,
        "title_vocabulary": model.space.title.vocabulary,
        "journals": model.space.journals,
        "keyword_sets": [[list(v) for v in sets] for sets in model.keyword_sets],
        "doc_ids": model.doc_ids,
        "doc_titles": model.doc_titles,
    }
    docs = model.doc_matrix.tocsr()
    arrays = {
        "build_id": np.array(build_id),
        "text_idf": model.space.text.idf,
        "title_idf": model.space.title.idf,
        "topic_coef": model.topic_coef,
        "topic_intercept": model.topic_intercept,
        "platt": model.platt,
        "ranking": model.ranking,
        "thresholds": model.thresholds,
        "type_coef": model.type_coef,
        "type_intercept": model.type_intercept,
        "type_present": model.type_present,
        "doc_data": docs.data,
        "doc_indices": docs.indices,
        "doc_indptr": docs.indptr,
        "doc_shape": np.array(docs.shape, dtype=np.int64),
        "doc_labels": model.doc_labels,
        "cooc": model.cooc,
        "cooc_weight": np.array(model.cooc_weight, dtype=np.float64),
        "type_prior": model.type_prior,
        **residual_arrays(model.residual),
    }
    return meta, data, arrays


def save_model(model: TopicModel, index_dir: Path | str) -> None:
    """Write the model to ``index_dir/model`` atomically (temp directory + rename)."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    build_id = uuid.uuid4().hex
    meta, data, arrays = _payload(model, build_id)
    tmp = temp_dir(index_dir, "model")
    try:
        _write(tmp / "data.json", json.dumps(data, ensure_ascii=False).encode("utf-8"))
        with open(tmp / "arrays.npz", "wb") as handle:
            np.savez(handle, allow_pickle=False, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        # meta.json last: a directory with it is complete.
        _write(tmp / "meta.json", json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
        write_manifest(tmp, kind="topic-model", format_version=FORMAT_VERSION,
                       fingerprint=model.fingerprint)  # the checksums, for load_model
        final = model_dir(index_dir)
        with _swap_lock(index_dir):
            if final.exists():
                old = index_dir / f".model-old-{build_id}"
                os.rename(final, old)
                os.rename(tmp, final)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(tmp, final)
            fsync_dir(index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# --------------------------------------------------------------------------- loading


def read_meta(index_dir: Path | str) -> dict:
    """The saved model's metadata (for `pprnet build` and status pages)."""
    folder = model_dir(index_dir)
    path = folder / "meta.json"
    if not path.is_file():
        raise ModelMissingError(f"no topic model in {folder}: run `pprnet build` to train it")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StaleModelError(f"the topic model in {folder} is unreadable ({exc}): "
                              f"{_REBUILD}") from None
    if not isinstance(meta, dict):
        raise StaleModelError(f"the topic model in {folder} is damaged: {_REBUILD}")
    return meta


def check_meta(meta: dict, folder: Path, expected_fingerprint: str | None) -> None:
    """Raise StaleModelError unless the model fits this program and this corpus."""
    if meta.get("format") != FORMAT_VERSION:
        raise StaleModelError(
            f"the topic model in {folder} has format {meta.get('format')!r}, this program "
            f"reads format {FORMAT_VERSION}: {_REBUILD}")
    if meta.get("sklearn_version") != sklearn.__version__:
        raise StaleModelError(
            f"the topic model in {folder} was trained with scikit-learn "
            f"{meta.get('sklearn_version')}, this is {sklearn.__version__}: {_REBUILD}")
    if expected_fingerprint is not None and meta.get("fingerprint") != expected_fingerprint:
        raise StaleModelError(
            f"the topic model in {folder} is older than the corpus (the corpus changed "
            f"after it was trained on {meta.get('created', 'an unknown date')}): {_REBUILD}")


def _load_once(index_dir: Path, expected_fingerprint: str | None) -> TopicModel:
    folder = model_dir(index_dir)
    swapping = any(index_dir.glob(".model-old-*")) if index_dir.is_dir() else False
    if not (folder / "meta.json").is_file() and not (folder / MANIFEST).is_file():
        if swapping:
            raise _Retry
        read_meta(index_dir)  # raises ModelMissingError: no model was ever saved here
    try:  # the checksums first: a damaged meta.json is damage, not an old format
        VERIFIED.check(folder, background=False)
    except CorruptError as exc:
        if swapping:
            raise _Retry from None
        raise CorruptModelError(f"the topic model in {folder} is damaged ({exc}): "
                                f"{_REBUILD}") from None
    meta = read_meta(index_dir)
    check_meta(meta, folder, expected_fingerprint)
    try:
        data = json.loads((folder / "data.json").read_text(encoding="utf-8"))
        with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except FileNotFoundError:
        raise _Retry from None
    except Exception as exc:  # noqa: BLE001 - BadZipFile, zlib.error, EOFError, ValueError...
        raise CorruptModelError(f"the topic model in {folder} is damaged "
                                f"({type(exc).__name__}): {_REBUILD}") from None
    if str(arrays.get("build_id")) != meta.get("build_id") or \
            data.get("build_id") != meta.get("build_id"):
        raise _Retry  # files of two saves: a swap happened while reading
    try:
        return _assemble(meta, data, arrays)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise CorruptModelError(f"the topic model in {folder} is damaged ({exc!r}): "
                                f"{_REBUILD}") from None


def _assemble(meta: dict, data: dict, arrays: dict[str, np.ndarray]) -> TopicModel:
    space = FeatureSpace(
        text=TfidfBlock(list(data["text_vocabulary"]), arrays["text_idf"]),
        title=TfidfBlock(list(data["title_vocabulary"]), arrays["title_idf"]),
        journals=list(data["journals"]),
        title_weight=float(meta["title_weight"]),
        journal_weight=float(meta["journal_weight"]),
    )
    shape = tuple(int(v) for v in arrays["doc_shape"])
    doc_matrix = sp.csr_matrix((arrays["doc_data"], arrays["doc_indices"], arrays["doc_indptr"]),
                               shape=shape)
    model = TopicModel(
        topics=list(meta["topics"]),
        research_types=list(meta["research_types"]),
        config=TaggerConfig.from_dict(meta["config"]),
        space=space,
        topic_coef=arrays["topic_coef"],
        topic_intercept=arrays["topic_intercept"],
        platt=arrays["platt"],
        # Models saved before the ranking scale existed rank by Platt probabilities.
        ranking=arrays.get("ranking", np.zeros((0, 2))),
        thresholds=arrays["thresholds"],
        keyword_sets=[[tuple(v) for v in sets] for sets in data["keyword_sets"]],
        type_coef=arrays["type_coef"],
        type_intercept=arrays["type_intercept"],
        type_present=arrays["type_present"].astype(bool),
        doc_ids=list(data["doc_ids"]),
        doc_titles=list(data["doc_titles"]),
        doc_matrix=doc_matrix,
        doc_labels=arrays["doc_labels"],
        # Models saved before co-occurrence smoothing existed simply do without it.
        cooc=arrays.get("cooc", np.zeros((0, 0))),
        cooc_weight=float(arrays.get("cooc_weight", 0.0)),
        type_prior=arrays.get("type_prior", np.zeros(0)),
        residual=residual_from_arrays(arrays),
        fingerprint=str(meta["fingerprint"]),
        sklearn_version=str(meta["sklearn_version"]),
        created=str(meta["created"]),
        train_seconds=float(meta.get("train_seconds", 0.0)),
    )
    n_topics, n_features = len(model.topics), space.n_features
    if model.topic_coef.shape != (n_topics, n_features) or \
            model.doc_labels.shape != (len(model.doc_ids), n_topics) or \
            doc_matrix.shape[1] != len(space.text) or \
            (model.cooc.size and model.cooc.shape != (n_topics, n_topics)) or \
            not np.isfinite(model.cooc_weight) or \
            (model.cooc_weight != 0 and model.cooc.shape != (n_topics, n_topics)) or \
            model.residual.topic >= n_topics or \
            (model.ranking.size and model.ranking.shape != (n_topics, 2)):
        raise ValueError("array shapes do not match the word lists")
    return model


def load_model(index_dir: Path | str, *, expected_fingerprint: str | None = None) -> TopicModel:
    """Load the model of an index folder.

    Raises `ModelMissingError` when none was trained, `StaleModelError` when it comes from
    another scikit-learn version or model format, is damaged, or (given
    ``expected_fingerprint``, see `corpus_fingerprint`) was trained on another corpus.
    """
    index_dir = Path(index_dir)
    for attempt in range(5):
        try:
            if not index_dir.is_dir():
                return _load_once(index_dir, expected_fingerprint)
            with _swap_lock(index_dir, shared=True):
                return _load_once(index_dir, expected_fingerprint)
        except _Retry:
            time.sleep(0.02 * (attempt + 1))
    read_meta(index_dir)  # raises ModelMissingError when there is simply no model
    raise StaleModelError(f"the topic model in {model_dir(index_dir)} kept changing while "
                          "being read (is `pprnet build` running?): try again")
