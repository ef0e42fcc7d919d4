"""The running site follows the corpus on disk: saves by other processes, `pprnet import`,
`pprnet tag --apply`, a `git pull`, an outside `pprnet build`.

A daemon thread compares `corpus_version.quick_stamp` (three stats) once a second and, every
``FULL_SCAN_EVERY`` checks, the corpus files' newest mtime too. When either moved it loads
the corpus in the background (requests keep being served from the old store meanwhile),
and applies the difference: changed and new summaries go into the store and the search
index, removed ones leave both, and the topic model is asked to retrain (it does nothing
when the saved model already matches the corpus). The store swaps its dict wholesale, so
a reader sees the old corpus or the new one, never a 5xx in between.
"""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from explorer.corpus import CorpusError, load_corpus
from explorer.corpus_version import corpus_files_mtime, quick_stamp
from explorer.search import IndexLockedError, IndexMissingError
from explorer.web.background import every_while_alive

if TYPE_CHECKING:
    from explorer.web.state import WebState

CHECK_SECONDS = 1.0
FULL_SCAN_EVERY = 5  # checks between scans of every file's mtime (in-place edits)
log = logging.getLogger(__name__)


@dataclass
class FollowReport:
    added: int = 0
    changed: int = 0
    removed: int = 0
    index_error: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


class CorpusFollower:
    """Keeps one `WebState`'s store and index in step with the corpus folder."""

    def __init__(self, st: WebState) -> None:
        self._state = weakref.ref(st)
        self._stamp = quick_stamp(st.corpus_dir, st.index_dir)
        self._files = corpus_files_mtime(st.corpus_dir)
        self._checks = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = every_while_alive(self, CHECK_SECONDS, _check_logged,
                                             name="pprnet-corpus-follow")

    def check(self, *, full: bool = False) -> FollowReport | None:
        """Reload and apply the corpus when its stamp moved; None when nothing moved."""
        st = self._state()
        if st is None:
            return None
        with self._lock:
            self._checks += 1
            stamp = quick_stamp(st.corpus_dir, st.index_dir)
            files = self._files
            if full or self._checks % FULL_SCAN_EVERY == 0:
                files = corpus_files_mtime(st.corpus_dir)
            if stamp == self._stamp and files == self._files:
                return None
            try:
                report = apply_corpus(st)
            except (CorpusError, OSError) as exc:
                self.last_error = str(exc)  # keep serving the old store; retry next time
                log.warning("cannot reload the corpus: %s", exc)
                return None
            self._stamp, self._files, self.last_error = stamp, files, report.index_error
            return report


def apply_corpus(st: WebState) -> FollowReport:
    """Bring the store and the index to the corpus on disk; retrain when anything changed."""
    loaded = load_corpus(st.corpus_dir, st.store.taxonomy)
    report = FollowReport()
    fresh = {s.id: s for s in loaded.summaries}
    old = {s.id: s for s in st.store.all()}
    changed = [s for sid, s in fresh.items()
               if sid not in old or replace(old[sid], path=None) != replace(s, path=None)]
    # A file that fails to load (half edited by hand) keeps its last good version served.
    broken = {p.path for p in loaded.errors}
    removed = [sid for sid, s in old.items() if sid not in fresh and s.path not in broken]
    if not changed and not removed:
        return report
    report.added = sum(1 for s in changed if s.id not in old)
    report.changed = len(changed) - report.added
    report.removed = len(removed)
    with st._save_lock:
        try:
            index = st.index()
            for summary in changed:
                index.add_or_replace(summary)
            for summary_id in removed:
                index.delete(summary_id)
        except (IndexMissingError, IndexLockedError) as exc:
            report.index_error = str(exc)
        for summary in changed:
            st.store.put(summary)
        for summary_id in removed:
            st.store.remove(summary_id)
    st.models.request_retrain()
    log.info("followed the corpus: %d new, %d changed, %d removed",
             report.added, report.changed, report.removed)
    return report


def _check_logged(follower: CorpusFollower) -> None:
    try:
        follower.check()
    except Exception:  # noqa: BLE001 - the site keeps serving; try again next second
        log.exception("following the corpus failed")
