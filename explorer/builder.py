"""Derive everything in ``index/`` from the corpus: the search index and the topic model.

One place decides what a build is, so `pprnet build` and `pprnet serve` (which builds when
the index is missing or stale) cannot drift apart. A corpus with errors is never built:
the index that is live stays live.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from explorer.corpus import LoadResult, load_corpus
from explorer.integrity import VERIFIED, CorruptError, read_manifest
from explorer.leftovers import sweep_temporaries
from explorer.search import build_index
from explorer.search.build import INDEX_FORMAT
from explorer.search.store import IndexMissingError, build_lock, current_dir
from explorer.tagger import ModelError, corpus_fingerprint, load_model, save_model, train_model
from explorer.tagger.persist import model_dir


class BuildRefused(Exception):
    """The corpus cannot be built (errors, or no summaries); the message says why."""


@dataclass
class BuildReport:
    """What a build's callers act on: whether the (secondary) topic model failed."""

    model_seconds: float | None = None
    model_error: str | None = None


def _newest_mtime(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        try:
            newest = max(newest, path.stat().st_mtime)
        except OSError:
            continue
    return newest


def corpus_mtime(corpus_dir: Path) -> float:
    """When the corpus last changed: its newest summary file, taxonomy or the folder."""
    return _newest_mtime([corpus_dir, *corpus_dir.glob("*.md"), corpus_dir / "taxonomy.yaml"])


def index_staleness(corpus_dir: Path, index_dir: Path) -> str | None:
    """Why the search index must be (re)built, or None when it is current."""
    try:
        live = current_dir(index_dir)
    except IndexMissingError:
        return "no search index yet"
    built = _newest_mtime([live, *live.iterdir()])
    if corpus_mtime(corpus_dir) > built:
        return "the corpus changed since the index was built"
    try:
        version = read_manifest(live).format_version
    except CorruptError:
        return None  # damage, which `damage` reports
    if version != INDEX_FORMAT:
        return f"the index was written in format {version}, this program writes {INDEX_FORMAT}"
    return None


def damage(index_dir: Path) -> list[str]:
    """What in ``index_dir`` no longer matches the checksums its build wrote (the live
    search index, the model), one line each; empty when nothing is damaged. Missing
    parts are not damage: `index_staleness` and `model_unusable` report those."""
    found = []
    try:
        folders = [("search index", current_dir(index_dir))]
    except IndexMissingError:
        folders = []
    model = model_dir(index_dir)
    if model.is_dir() and any(model.iterdir()):
        folders.append(("topic model", model))
    for what, folder in folders:
        try:
            VERIFIED.check(folder, background=False)
        except CorruptError as exc:
            found.append(f"the {what} in {folder} is damaged ({exc})")
    return found


def model_unusable(index_dir: Path) -> str | None:
    """Why the topic model must be (re)trained — missing, damaged, or from another
    scikit-learn version or model format — or None when it loads."""
    try:
        load_model(index_dir)
    except ModelError as exc:
        return str(exc)
    return None


def load_buildable(corpus_dir: Path) -> LoadResult:
    """Load the corpus, refusing (with every problem listed) when it cannot be built."""
    result = load_corpus(corpus_dir)
    if result.errors:
        listing = "\n".join(str(p) for p in result.errors)
        raise BuildRefused(
            f"{listing}\n{len(result.errors)} error(s) in {corpus_dir}: "
            "index and model not rebuilt (run `pprnet check`)"
        )
    if not result.summaries:
        raise BuildRefused(f"{corpus_dir}: no summaries to build from")
    return result


def build_all(
    corpus_dir: Path,
    index_dir: Path,
    *,
    progress: bool = False,
    with_index: bool = True,
    with_model: bool = True,
    say: Callable[[str], None] = lambda _msg: None,
) -> BuildReport:
    """Build the search index and train the topic model from a clean corpus.

    The model is secondary: if training fails the site still searches, so the failure is
    reported in ``model_error`` instead of undoing the index.
    """
    import time

    result = load_buildable(corpus_dir)
    assert result.taxonomy is not None
    report = BuildReport()
    if with_index:
        stats = build_index(result.summaries, index_dir, progress=progress,
                            taxonomy=result.taxonomy,
                            fingerprint=corpus_fingerprint(result.summaries))
        say(f"indexed {stats['documents']} summaries in {stats['seconds']:.1f} s "
            f"({stats['bytes'] / 1e6:.1f} MB)")
    else:  # build_index sweeps what killed builds left; a model-only build does it here
        with build_lock(index_dir, timeout=600):
            sweep_temporaries(index_dir, time.time())
    if with_model:
        say("training the topic model…")
        start = time.perf_counter()
        try:
            save_model(train_model(result.summaries, result.taxonomy), index_dir)
        except (ValueError, OSError, ModelError) as exc:
            report.model_error = str(exc)
        else:
            report.model_seconds = time.perf_counter() - start
            say(f"trained the topic model in {report.model_seconds:.1f} s")
    return report
