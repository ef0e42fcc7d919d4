"""The site's topic model: loaded lazily, followed on disk, retrained in the background.

Why here and not in `WebState`: the model has a life of its own. A save makes it a little
out of date; it keeps serving (suggestions say what it was trained on) while a background
thread retrains it from the corpus on disk and swaps the new one in atomically
(`persist.save_model` renames a finished folder into place). The training itself runs in
a child process (`retrain_process`), so it neither waits for nor slows down the request
threads, which share this process's GIL; it is started at the first save of a burst so
that its imports are done by the time the burst ends. Bursts of saves are
coalesced into one training run: it starts once no save came for ``delay`` seconds (at
most ``MAX_WAIT_FACTOR`` times that after the first).

Several worker processes may serve one index folder. Each follows the model's files, not
its own memory: ``model/meta.json``'s inode and mtime are checked at most once a second,
so a model trained by another worker, or by an outside `pprnet build`, is picked up by
all. Only one process trains at a time (an exclusive lock on ``index/.retrain.lock``),
and one that finds, once it holds the lock, a model already trained on the corpus as it
now stands on disk just loads it.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from explorer.records import Summary, Taxonomy
from explorer.web.retrain_process import TrainingProcess

CHECK_SECONDS = 1.0  # how stale this process's view of the model files may be
MAX_WAIT_FACTOR = 10  # a stream of saves postpones retraining by at most this many delays
log = logging.getLogger(__name__)


def model_stamp(index_dir: Path) -> tuple[int, int] | None:
    """Identity of the saved model's files: a swap makes a new ``meta.json`` (new inode)."""
    try:
        st = os.stat(index_dir / "model" / "meta.json")
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


@contextlib.contextmanager
def retrain_lock(index_dir: Path) -> Iterator[None]:
    """One trainer at a time across processes (blocking: the second waits, then checks)."""
    with open(index_dir / ".retrain.lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class ModelHolder:
    """(model, why not) for request threads; ``request_retrain`` after every save."""

    def __init__(self, corpus_dir: Path, index_dir: Path, taxonomy: Callable[[], Taxonomy],
                 *, delay: float | None = 2.0) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.index_dir = Path(index_dir)
        self._taxonomy = taxonomy
        self.delay = delay  # None: never retrain in the background
        self._model: Any = None
        self._why: str | None = None
        self._stamp: tuple[int, int] | None = None
        self._loaded = False
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self._wanted = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._fingerprint: tuple[int, str] | None = None  # (store version, fingerprint)
        self.damage: str | None = None  # why the saved model could not be read (for healing)
        self.retrains = 0  # models this process trained and swapped in
        self.last_error: str | None = None

    # ------------------------------------------------------------------ serving

    def get(self) -> tuple[Any, str | None]:
        """The current model, or (None, why there are no suggestions)."""
        now = time.monotonic()
        # Without a usable model every request looks at the files again (one stat), so a
        # rebuild that repairs it is served at once; a working model is re-checked per second.
        if self._loaded and self._model is not None and now - self._checked < CHECK_SECONDS:
            return self._model, self._why
        with self._lock:
            self._checked = now
            stamp = model_stamp(self.index_dir)
            if not self._loaded or stamp != self._stamp:
                self._load(stamp)
            return self._model, self._why

    def _load(self, stamp: tuple[int, int] | None) -> None:
        try:
            from explorer.tagger import ModelError, load_model
            from explorer.tagger.freshness import incompatibility
        except ImportError as exc:  # a broken install: search still works
            self._model, self._why = None, f"topic suggester unavailable ({exc})"
            self._loaded, self._stamp = True, stamp
            return
        self.damage = None
        try:
            model = load_model(self.index_dir)
            why = incompatibility(model, self._taxonomy())
            self._model, self._why = (None, why) if why else (model, None)
        except ModelError as exc:
            self._model, self._why, self.damage = None, str(exc), str(exc)
        except (OSError, ValueError) as exc:
            self._model = None
            self._why = f"cannot load the topic model ({exc}): run `pprnet build`"
            self.damage = str(exc)
        self._loaded, self._stamp = True, stamp

    def trained_on(self, corpus: list[Summary], version: int) -> dict | None:
        """What the serving model learnt from, against the corpus now served."""
        from explorer.tagger import corpus_fingerprint
        from explorer.tagger.freshness import trained_on

        model, _ = self.get()
        if model is None:
            return None
        cached = self._fingerprint
        if cached is None or cached[0] != version:
            cached = (version, corpus_fingerprint(corpus))
            self._fingerprint = cached
        return trained_on(model, corpus, fingerprint=cached[1])

    # ------------------------------------------------------------------ retraining

    def request_retrain(self) -> None:
        """Ask for a retrain soon; many requests in a burst make one training run."""
        if self.delay is None:
            return
        self._wanted.set()
        self._idle.clear()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=_retrain_loop, args=(weakref.ref(self),),
                                            daemon=True, name="pprnet-retrain")
            self._thread.start()

    def wait_idle(self, timeout: float) -> bool:
        """True once no retrain is wanted or running (for tests and the benchmark)."""
        return self._idle.wait(timeout)

    def retrain_now(self, process: TrainingProcess | None = None) -> bool:
        """Train on the corpus on disk unless the saved model already matches it; swap in.

        ``process`` is a child started earlier (its imports done meanwhile); without it
        one is started here. Returns True when this call trained a model. Raises
        `RetrainFailed` when the training process fails (the old model keeps serving).
        """
        from explorer.tagger import load_model

        process = process or TrainingProcess(self.corpus_dir, self.index_dir)
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            with retrain_lock(self.index_dir):
                trained = process.run()
        finally:
            process.cancel()
        if not trained:
            self._checked = float("-inf")  # trained elsewhere: load it now
            return False
        model = load_model(self.index_dir)
        with self._lock:
            self._model, self._why, self.damage = model, None, None
            self._loaded, self._stamp = True, model_stamp(self.index_dir)
            self._checked = time.monotonic()
        self.retrains += 1
        log.info("retrained the topic model on %d summaries in %.1f s",
                 len(model.doc_ids), model.train_seconds)
        return True


def _retrain_loop(ref: weakref.ref[ModelHolder]) -> None:
    """Wait for requests, let a burst settle, train; ends with its holder."""
    while True:
        holder = ref()
        if holder is None:
            return
        wanted, delay = holder._wanted, holder.delay or 0.0
        del holder
        if not wanted.wait(timeout=5.0):
            holder = ref()
            if holder is None:
                return
            holder._idle.set()
            del holder
            continue
        started = time.monotonic()
        wanted.clear()
        holder = ref()
        if holder is None:
            return
        process = TrainingProcess(holder.corpus_dir, holder.index_dir)  # imports meanwhile
        del holder
        while wanted.wait(timeout=delay) and time.monotonic() - started < delay * MAX_WAIT_FACTOR:
            wanted.clear()  # another save: wait for the burst to end
        wanted.clear()
        holder = ref()
        if holder is None:
            process.cancel()
            return
        try:
            holder.retrain_now(process)
            holder.last_error = None
        except Exception as exc:  # noqa: BLE001 - the old model keeps serving
            holder.last_error = f"{type(exc).__name__}: {exc}"
            log.exception("background retraining of the topic model failed")
        if not wanted.is_set():
            holder._idle.set()
        del holder
