"""Train the topic model in a child process, so that a retrain has a core of its own.

Why not a thread of the serving process: that thread shares the process's GIL with the
request threads. While searches kept coming, training got about a third of one core and
the new model served 22 to 24 s after a save instead of 9 (`bench/retrain_bench.py`), and
every search waited on the training's Python work in turn. A child process trains on
another core; the server only waits for it and then loads the saved files.

The child is started as soon as a save asks for a retrain, so that its imports
(scikit-learn, NLTK: about 2 s) overlap the wait for a burst of saves to end; it then
waits for "go" on its standard input. It loads the corpus from disk, does nothing when the
saved model was already trained on exactly that corpus and is usable, and otherwise
trains and saves atomically (`explorer.tagger.persist.save_model` renames a finished
folder into place), so a child that crashes or is killed leaves the old model serving.
It prints ``trained`` or ``current``. Run as a module:
``python -m explorer.web.retrain_process CORPUS_DIR INDEX_DIR``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import explorer

TIMEOUT_SECONDS = 900.0  # far beyond any training of this archive; a hung child is killed
GO = "go"


class RetrainFailed(RuntimeError):
    """The child process could not train or save the model; the message says why."""


class TrainingProcess:
    """A child that imports the tagger now and trains when `run` tells it to."""

    def __init__(self, corpus_dir: Path, index_dir: Path) -> None:
        package_root = str(Path(explorer.__file__).resolve().parent.parent)
        paths = [package_root, *filter(None, [os.environ.get("PYTHONPATH")])]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        command = [sys.executable, "-m", __name__, str(corpus_dir), str(index_dir)]
        try:
            self._child: subprocess.Popen[str] | None = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, env=env)
            self._error: str | None = None
        except OSError as exc:
            self._child, self._error = None, f"cannot start the training process ({exc})"

    def run(self, timeout: float = TIMEOUT_SECONDS) -> bool:
        """Train now: True when a model was trained and saved, False when the saved one
        was already current. Raises `RetrainFailed` with the child's last error line."""
        child = self._child
        if child is None:
            raise RetrainFailed(self._error or "the training process was cancelled")
        try:
            out, err = child.communicate(GO + "\n", timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            self.cancel()
            raise RetrainFailed(f"training did not finish within {timeout:g} s") from exc
        finally:
            self._child = None
        if child.returncode != 0:
            lines = [line.strip() for line in err.splitlines() if line.strip()]
            raise RetrainFailed(lines[-1] if lines else
                                f"the training process exited with status {child.returncode}")
        return out.strip() == "trained"

    def cancel(self) -> None:
        """Stop the child (it has saved nothing unless it got "go" and finished)."""
        child, self._child = self._child, None
        if child is not None and child.poll() is None:
            child.kill()
            child.communicate()


def train_or_confirm(corpus_dir: Path, index_dir: Path) -> str:
    """What the child does after "go": ``current`` or ``trained`` (model saved)."""
    from explorer.corpus import load_corpus
    from explorer.tagger import ModelError, corpus_fingerprint, load_model, save_model, train_model
    from explorer.tagger.freshness import incompatibility

    loaded = load_corpus(corpus_dir)
    if not loaded.summaries or loaded.taxonomy is None:
        raise RetrainFailed(f"no summaries or taxonomy in {corpus_dir}: nothing to train on")
    fingerprint = corpus_fingerprint(loaded.summaries)
    try:
        saved = load_model(index_dir, expected_fingerprint=fingerprint)
        if incompatibility(saved, loaded.taxonomy) is None:
            return "current"
    except (ModelError, OSError, ValueError):
        pass  # missing, stale, damaged or another corpus: train
    save_model(train_model(loaded.summaries, loaded.taxonomy), index_dir)
    return "trained"


def main(argv: list[str] | None = None) -> int:
    """Import, wait for "go" (end of input: the server gave up, do nothing), train."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m explorer.web.retrain_process CORPUS_DIR INDEX_DIR",
              file=sys.stderr)
        return 2
    import explorer.corpus  # noqa: F401 - the imports are what the wait for "go" hides
    import explorer.tagger  # noqa: F401

    if sys.stdin.readline().strip() != GO:
        return 0
    try:
        print(train_or_confirm(Path(args[0]), Path(args[1])))
    except RetrainFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
