"""The app's long-lived objects: the corpus store, one SearchIndex, the tagger model.

One instance per app (``app.extensions["pprnet"]``), shared by every request thread.
The index and the model are opened lazily and kept: opening is the expensive part, and
`SearchIndex` is thread-safe. Saving a summary goes through `WebState.save`, which keeps
the three in step: the corpus file is written atomically first (the source of truth),
then the index is updated so search finds the summary at once, then the in-memory store.
The tagger model keeps serving and is retrained in the background after saves
(`ModelHolder`).

A rebuild (``pprnet build``, in any process) reads the corpus first and swaps its new
index in a while later; a summary saved in between is in the corpus but not in the new
index. So recent saves are kept in a journal and indexed again whenever the index
pointer moves: checked on every use of the index while the journal is not empty, and
once a second by a small watcher thread, so it happens even if no request comes.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import Response, current_app, request

from explorer.cache import BoundedCache
from explorer.corpus import CorpusError, write_summary
from explorer.corpus_version import bump
from explorer.records import Summary, Taxonomy
from explorer.search import IndexLockedError, IndexMissingError, SearchIndex
from explorer.search.store import pointer_stamp
from explorer.web.background import every_while_alive
from explorer.web.corpus_follow import CorpusFollower
from explorer.web.corpus_store import CorpusStore
from explorer.web.healing import INDEX, MODEL, Healer, public_message
from explorer.web.model_holder import ModelHolder

# How long a save stays in the journal: longer than any rebuild takes from reading the
# corpus to swapping its index in.
JOURNAL_SECONDS = 3600.0
# How old the page cache's view of the index pointer may be: a rebuild shows this late.
STAMP_SECONDS = 1.0
# How old a request thread's view of the index may be: another worker's save or an outside
# rebuild is searched this late (a save through this worker, at once).
INDEX_RECHECK_SECONDS = 0.5
log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class SaveResult:
    status: str  # "created", "updated" or "unchanged"
    summary: Summary
    index_error: str | None = None  # saved to the corpus, but the index could not follow


class WebState:
    def __init__(self, corpus_dir: Path, index_dir: Path, store: CorpusStore) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.index_dir = Path(index_dir)
        self.store = store
        self._index: SearchIndex | None = None
        self.models = ModelHolder(self.corpus_dir, self.index_dir, lambda: self.store.taxonomy)
        self.follower = CorpusFollower(self)
        self._lock = threading.Lock()
        self._save_lock = threading.RLock()  # save() -> index() may replay the journal
        # derived output (charts, topic pages), keyed by corpus version: see `cached`
        self.cache: BoundedCache[tuple, Any] = BoundedCache(500)
        # rendered pages; `cached_page` skips it when PAGE_CACHE_SIZE makes it size 0
        self.pages: BoundedCache[tuple, Any] = BoundedCache(256)
        # id -> (monotonic time of the save, summary): see the module docstring
        self._journal: OrderedDict[str, tuple[float, Summary]] = OrderedDict()
        self._journal_stamp = pointer_stamp(self.index_dir)
        self._stamp: tuple[int, int] | None = None
        self._stamp_at = float("-inf")
        self._watcher: threading.Thread | None = None
        self.healer = Healer(self.corpus_dir, self.index_dir)

    @property
    def taxonomy(self) -> Taxonomy:
        return self.store.taxonomy

    # ------------------------------------------------------------------ index

    def index(self) -> SearchIndex:
        """The app's one SearchIndex; IndexMissingError (shown as 503) until it is built."""
        index = self._index
        if index is None:
            with self._lock:
                if self._index is None:
                    self._index = SearchIndex.open(self.index_dir,
                                                   recheck_seconds=INDEX_RECHECK_SECONDS)
                index = self._index
        if self._journal and pointer_stamp(self.index_dir) != self._journal_stamp:
            self._replay_journal(index)
        return index

    def index_stamp(self) -> tuple[int, int] | None:
        """The index pointer's stamp for the page cache, looked up at most once a second.

        Not a stat per page view: os.stat lets go of the GIL, and under load getting it
        back cost more than serving the cached page (py-spy under bench/load.py).
        """
        now = time.monotonic()
        if now - self._stamp_at >= STAMP_SECONDS:
            self._stamp, self._stamp_at = pointer_stamp(self.index_dir), now
        return self._stamp

    def _replay_journal(self, index: SearchIndex) -> None:
        """Index the recent saves again after a rebuild swapped in a new index."""
        with self._save_lock:
            stamp = pointer_stamp(self.index_dir)
            if stamp is None or stamp == self._journal_stamp:
                return
            cutoff = time.monotonic() - JOURNAL_SECONDS
            for summary_id in [k for k, (when, _) in self._journal.items() if when < cutoff]:
                del self._journal[summary_id]
            try:
                for _, summary in self._journal.values():
                    index.add_or_replace(summary)
            except Exception:  # noqa: BLE001 - retried on the next use of the index
                log.exception("could not index the recent saves again after a rebuild")
                return
            log.info("indexed %d recent save(s) again after a rebuild", len(self._journal))
            self._journal_stamp = stamp

    # ------------------------------------------------------------------ model

    def heal(self, part: str, why: str) -> str:
        """Have a damaged or missing ``part`` (INDEX or MODEL) rebuilt in the background;
        returns the calm sentence to show meanwhile. ``why`` (with paths) is only logged."""
        return public_message(part, self.healer.request(part, why))

    def model(self) -> tuple[Any, str | None]:
        """(model, None), or (None, why the editor gets no suggestions: one sentence,
        without paths; a damaged or missing model is being rebuilt meanwhile)."""
        model, why = self.models.get()
        if model is None and self.models.damage:
            return None, self.heal(MODEL, self.models.damage)
        return model, why

    def warm(self) -> None:
        """Do the one-off work (topic terms, index arrays) before the first visitor waits."""
        from explorer.search import SearchRequest

        stats = self.store.stats()
        if self.taxonomy.topics:
            stats.distinctive_terms(self.taxonomy.topics[0])
        try:
            self.index().search(SearchRequest(q="therapy"))
        except IndexMissingError as exc:  # damaged or missing: rebuild before anyone asks
            self.heal(INDEX, str(exc))
        self.model()  # likewise for the model (and the first suggestion is not slow)

    # ------------------------------------------------------------------ cache

    def cached(self, key: tuple, make: Callable[[], T]) -> T:
        """Memoise derived output (charts, topic pages) per corpus version: a save bumps
        the version, so stale entries are never read again and age out of the bound."""
        return self.cache.get_or_make((self.store.version, *key), make)

    # ------------------------------------------------------------------ save

    def save(self, summary: Summary, *, overwrite: bool) -> SaveResult:
        """Write the corpus file, update the index, then the store (in that order)."""
        with self._save_lock:
            status = write_summary(
                summary, self.corpus_dir, overwrite=overwrite, taxonomy=self.taxonomy
            )
            summary.path = str(self.corpus_dir / f"{summary.id}.md")
            index_error = None
            if status != "unchanged" or self.store.get(summary.id) != summary:
                self._journal[summary.id] = (time.monotonic(), summary)
                self._journal.move_to_end(summary.id)
                if self._watcher is None:
                    self._watcher = every_while_alive(self, STAMP_SECONDS, _replay_after_rebuild,
                                                      name="pprnet-rebuild-watch")
                try:
                    self.index().add_or_replace(summary)
                except IndexMissingError as exc:  # replayed from the journal once healed
                    index_error = self.heal(INDEX, str(exc))
                except IndexLockedError as exc:
                    index_error = str(exc)
                except Exception as exc:  # noqa: BLE001 - the file is saved; the index is derived
                    log.exception("indexing %s failed", summary.id)
                    index_error = f"the search index could not be updated ({type(exc).__name__})"
                if index_error:
                    self._journal_stamp = None  # try again on the next use of the index
                self.store.put(summary)
                bump(self.index_dir)
                self.models.request_retrain()
            return SaveResult(status, summary, index_error)


def _replay_after_rebuild(st: WebState) -> None:
    """Replay the journal soon after a rebuild, request or not (every `STAMP_SECONDS`, in
    a thread that ends with its WebState)."""
    if st._journal and pointer_stamp(st.index_dir) != st._journal_stamp:
        with contextlib.suppress(IndexMissingError):
            st.index()  # replays the journal


def state() -> WebState:
    return current_app.extensions["pprnet"]


def cached_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve repeated anonymous GETs of a page from memory.

    Only visitors without a session cookie are served from the cache: their pages carry no
    flash message, CSRF token or editor controls, so the same URL gives the same HTML.
    The key includes the corpus version (bumped by every save: visible at once) and the
    index pointer's stamp (moved by a rebuild: visible within `STAMP_SECONDS`).
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        st = state()
        if not st.pages.size or request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]):
            return view(*args, **kwargs)
        # The raw query bytes, not request.full_path: that decodes them as UTF-8 and a
        # URL carrying other bytes would turn into a 500.
        # (the site root too: a page's links start with it, and request.path does not)
        key = (request.host, request.script_root, request.path, request.query_string,
               st.store.version, st.index_stamp())
        cached = st.pages.get(key)
        if cached is not None:
            return cached if isinstance(cached, str) else _rebuild(cached)
        result = view(*args, **kwargs)
        if isinstance(result, str):
            st.pages.put(key, result)
        elif isinstance(result, Response) and result.status_code == 200 and not result.is_streamed:
            kept = {k: v for k, v in result.headers.items() if k.startswith("X-")}
            st.pages.put(key, (result.get_data(), result.mimetype, kept))
        return result

    return wrapper


def _rebuild(cached: tuple[bytes, str, dict[str, str]]) -> Response:
    data, mimetype, headers = cached
    response = Response(data, mimetype=mimetype)
    response.headers.update(headers)
    return response


__all__ = ["CorpusError", "SaveResult", "WebState", "cached_page", "state"]
