"""`SearchIndex`: the one entry point for searching and updating the index.

Thread model: every thread keeps its own Whoosh searcher (Whoosh readers share file
handles and are not safe across threads) and reopens it only when the index changed:
the pointer file moved to a rebuilt index, or a commit made a new generation. Per-
document arrays and postings caches are shared by all threads of one generation.
Writes (the editor's add/replace/delete) take a process-wide lock plus Whoosh's own
file lock, waiting up to ``lock_timeout`` seconds before `IndexLockedError`.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.index import EmptyIndexError, LockError
from whoosh.util.filelock import try_for

from explorer import strict
from explorer.integrity import VERIFIED, CorruptError, read_manifest, refresh_manifest
from explorer.records import Summary, Taxonomy
from explorer.search import postings
from explorer.search import query as q
from explorer.search.build import INDEX_FORMAT, TAXONOMY_FILE
from explorer.search.correction import FEW_RESULTS, correction
from explorer.search.evaluator import Evaluator
from explorer.search.facet_names import resolve_topic, resolve_type
from explorer.search.facets import facets as count_facets
from explorer.search.hits import build_hits, page_order, stored_fields
from explorer.search.messages import Hit, SearchRequest, SearchResponse
from explorer.search.origins import source_counts, source_filter
from explorer.search.reference import parse_query
from explorer.search.schema import document_for
from explorer.search.snapshot import Snapshot
from explorer.search.store import (
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    corrupt,
    current_dir,
    missing,
    pointer_stamp,
)
from explorer.textproc import analyze

log = logging.getLogger(__name__)


class _Local(threading.local):
    """One thread's open index and searcher (Whoosh objects: typed Any, Whoosh has no types)."""

    dir_name: str | None = None
    ix: Any = None
    searcher: Any = None
    stamp: tuple[int, int] | None = None
    checked_at: float = float("-inf")  # when `_searcher` last looked at the disk
    changes: int = -1  # the index's count of changes made in this process, then


class SearchIndex:
    """A search index folder, opened for searching and incremental updates."""

    def __init__(self, index_dir: Path, *, lock_timeout: float = 10.0,
                 recheck_seconds: float = 0.0) -> None:
        self.index_dir = Path(index_dir)
        self.lock_timeout = lock_timeout
        # How long a thread may go on with its searcher before looking at the disk again
        # for a rebuild or another process's commit (0: before every search). Changes made
        # through this object are seen at once: they count up `_changes`.
        self.recheck_seconds = recheck_seconds
        self._changes = 0
        self._local = _Local()
        self._snapshots: dict[object, Snapshot] = {}
        self._snap_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._taxonomy: Taxonomy | None = None
        self._taxonomy_dir: str | None = None

    @classmethod
    def open(cls, index_dir: Path, *, lock_timeout: float = 10.0,
             recheck_seconds: float = 0.0) -> SearchIndex:
        """Open the live index; IndexMissingError (saying to run `pprnet build`) if none."""
        idx = cls(index_dir, lock_timeout=lock_timeout, recheck_seconds=recheck_seconds)
        idx._searcher()  # fail now, not on the first search
        return idx

    # ------------------------------------------------------------------ plumbing

    def _open_dir(self) -> tuple[Path, Any]:
        path = current_dir(self.index_dir)
        failure = VERIFIED.failure(path)
        if failure:
            raise corrupt(self.index_dir, f"{failure}; in {path.name}")
        self._check_format(path)  # a save into another format's index: never mixed
        try:
            ix = whoosh_index.open_dir(str(path))
        except Exception as exc:  # noqa: BLE001 - any failure here means "unusable"
            raise corrupt(self.index_dir, f"{type(exc).__name__}") from None
        return path, ix

    def _verify(self, path: Path) -> None:
        """Check the folder against its build's manifest: sizes on every opening, hashes
        once per folder and manifest (see `explorer.integrity`)."""
        try:
            VERIFIED.check(path)
        except CorruptError as exc:
            raise corrupt(self.index_dir, f"{exc}; in {path.name}") from None
        self._check_format(path)

    def _check_format(self, path: Path) -> None:
        """IndexMissingError, with the command that fixes it, for an index folder written
        in another layout (`INDEX_FORMAT`) than this program reads."""
        try:
            version = read_manifest(path).format_version
        except CorruptError as exc:
            raise corrupt(self.index_dir, f"{exc}; in {path.name}") from None
        if version != INDEX_FORMAT:
            raise IndexMissingError(
                f"the search index in {self.index_dir} has format {version}, this program "
                f"reads format {INDEX_FORMAT}: run `pprnet build` to rebuild it")

    def _open_searcher(self) -> tuple[str, Any, Any]:
        """(directory name, index, searcher) of the live index.

        A commit (an editor's save) or a rebuild may delete files between our reading the
        table of contents and opening the segments it lists: the index has only moved on,
        so read the pointer and the table again (a few times) before calling it corrupt.
        """
        last: Exception | None = None
        for attempt in range(5):
            if attempt:
                time.sleep(0.02 * attempt)
            path = current_dir(self.index_dir)
            if self._local.searcher is None or path.name != self._local.dir_name:
                # a folder this thread has not opened yet (start-up, a swap); not on a
                # reopen after a commit, whose new files the committer adds to the manifest
                try:
                    self._verify(path)
                except IndexCorruptError as exc:
                    # or a commit on it (the saves replayed after a swap) between removing
                    # its old table and listing its new one: look again before believing it
                    last = exc
                    continue
            try:
                ix = whoosh_index.open_dir(str(path))
                return path.name, ix, ix.searcher()
            except (FileNotFoundError, EmptyIndexError) as exc:
                last = exc
            except Exception as exc:  # noqa: BLE001 - any other failure means "unusable"
                raise corrupt(self.index_dir, f"{type(exc).__name__}") from None
        if isinstance(last, IndexCorruptError):
            raise last
        raise corrupt(self.index_dir, f"{type(last).__name__}")

    def _searcher(self) -> Any:
        """This thread's searcher, reopened if the index changed since last time.

        Looking costs a stat and a listing of the folder, each letting go of the GIL (and
        waiting to get it back, under load: a tenth of a served search page, py-spy under
        bench/load.py), so a server looks at most every `recheck_seconds` per thread.
        """
        local = self._local
        now = time.monotonic()
        if (local.searcher is not None and local.changes == self._changes
                and now - local.checked_at < self.recheck_seconds):
            failure = VERIFIED.failure(self.index_dir / str(local.dir_name))
            if failure:
                raise corrupt(self.index_dir, f"{failure}; in {local.dir_name}")
            return local.searcher
        changes = self._changes
        stamp = pointer_stamp(self.index_dir)
        if stamp is None:
            raise missing(self.index_dir, "not built yet")
        if local.searcher is None or stamp != local.stamp:
            name = current_dir(self.index_dir).name
            if local.searcher is None or name != local.dir_name:
                name, ix, searcher = self._open_searcher()
                if local.searcher is not None:
                    local.searcher.close()
                local.ix, local.searcher, local.dir_name = ix, searcher, name
            local.stamp = stamp
        try:
            stale = not local.searcher.up_to_date()
        except Exception as exc:  # noqa: BLE001 - index removed under us
            local.searcher = None
            raise missing(self.index_dir, f"unreadable: {type(exc).__name__}") from None
        if stale:
            # A fresh reader, not Searcher.refresh(): refresh reuses segment readers whose
            # deletions have changed since, and deleted documents would come back.
            name, ix, searcher = self._open_searcher()
            local.searcher.close()
            local.ix, local.searcher, local.dir_name = ix, searcher, name
        failure = VERIFIED.failure(self.index_dir / str(local.dir_name))
        if failure:  # found by the background check of a large folder
            raise corrupt(self.index_dir, f"{failure}; in {local.dir_name}")
        local.checked_at, local.changes = now, changes
        return local.searcher

    def taxonomy(self) -> Taxonomy:
        """The taxonomy the live index was built with (read from its folder, once per
        folder). A thread that has not searched yet has no folder of its own: the live
        one is asked for by name."""
        name = self._local.dir_name or current_dir(self.index_dir).name
        if self._taxonomy is None or name != self._taxonomy_dir:
            try:
                data = json.loads((self.index_dir / str(name) / TAXONOMY_FILE).read_text("utf-8"))
                tax = Taxonomy.from_dict(data)
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                # not the bundled taxonomy instead: topic names could silently differ
                raise corrupt(self.index_dir, f"{TAXONOMY_FILE}: {type(exc).__name__}"
                              ) from None
            self._taxonomy, self._taxonomy_dir = tax, name
        return self._taxonomy

    def _snapshot(self, searcher: Any) -> Snapshot:
        reader = searcher.reader()
        key = (self._local.dir_name, reader.generation())
        snap = self._snapshots.get(key)
        if snap is None:
            with self._snap_lock:
                snap = self._snapshots.get(key)
                if snap is None:
                    folder = self.index_dir / str(self._local.dir_name)
                    snap = Snapshot(key, reader, self.taxonomy(), folder)
                    # keep the last few generations for threads still on them
                    while len(self._snapshots) >= 4:
                        self._snapshots.pop(next(iter(self._snapshots)))
                    self._snapshots[key] = snap
        return snap.bind(reader)

    def refresh(self) -> None:
        """Pick up a rebuilt or updated index now, in every thread (searches also do this
        on their own)."""
        self._changes += 1
        self._local.stamp = None
        self._snapshot(self._searcher())

    def resolve_topic(self, name: str) -> str | None:
        """The canonical topic for a typed name, or None when the index has no such topic."""
        snap = self._snapshot(self._searcher())
        return resolve_topic(snap.taxonomy, snap, name)

    def resolve_type(self, name: str) -> str | None:
        """The canonical research type for a typed name, or None when unknown."""
        snap = self._snapshot(self._searcher())
        return resolve_type(snap.taxonomy, snap, name)

    def doc_count(self) -> int:
        return int(self._searcher().doc_count())

    # ------------------------------------------------------------------ search

    def search(self, req: SearchRequest | None = None) -> SearchResponse:
        """Answer a request: hits for one page, total, facets, suggestions. Thread-safe.

        Raises only IndexMissingError (no usable index). Any other failure is logged (a
        warning with the query) and answered with an empty page and a notice: a query must
        never become a 500. In strict mode (`explorer.strict`, the tests) it is raised.
        """
        req = req if isinstance(req, SearchRequest) else SearchRequest()
        searcher = self._searcher()
        try:
            return self._search(searcher, req)
        except IndexMissingError:
            raise
        except Exception as exc:  # noqa: BLE001 - see docstring
            strict.degraded(log, "the search failed", req.q, exc)
            return SearchResponse(
                query=q.clean(req.q)[0], total=0, page=req.page, pages=0, hits=[],
                facets={"topics": {}, "research_type": {}, "year": {}, "source": {}},
                notices=[*req.notices, f"the search failed ({type(exc).__name__}); "
                         "try different words"],
                sort=req.sort, per_page=req.per_page,
            )

    def _search(self, searcher: Any, req: SearchRequest,
                correct: bool = True) -> SearchResponse:
        snap = self._snapshot(searcher)
        reader = searcher.reader()
        notices = list(req.notices)
        parsed = parse_query(req.q)
        notices.extend(parsed.notices)

        evaluator = Evaluator(snap, reader)
        result = evaluator.run(parsed.node)
        notices.extend(n for n in evaluator.notices if n not in notices)
        browsing = parsed.is_empty or evaluator.unconstrained
        if browsing and parsed.text:
            notices.append(f"The query {parsed.text!r} has no words to search for, so all "
                           "summaries are shown, newest first.")

        topics = _known_names(req.topics, lambda raw: resolve_topic(snap.taxonomy, snap, raw),
                              snap.taxonomy.suggest_topic, "topic", notices)
        types = _known_names(req.types, lambda raw: resolve_type(snap.taxonomy, snap, raw),
                             snap.taxonomy.suggest_type, "research type", notices)
        topic_mask = _topic_mask(snap, topics, any_of=req.any_topic)
        type_mask = _type_mask(snap, types)
        lo, hi = req.month_range()
        if req.date_from or req.date_to:
            # a summary with no posting month (month -1) is outside every date range
            date_mask = (snap.month >= max(lo, 0)) & (snap.month <= hi)
        else:
            date_mask = np.ones(snap.n, dtype=bool)
        if req.study_from or req.study_to:
            s_lo, s_hi = req.study_range()
            date_mask = date_mask & (snap.cite_year >= s_lo) & (snap.cite_year <= s_hi)
        source_mask, sources = source_filter(snap, req, notices, _known_names)
        filters = topic_mask & type_mask & date_mask & source_mask

        final = result.mask & filters
        total = int(final.sum())

        did_you_mean = None
        if correct and req.correct and parsed.words and total <= FEW_RESULTS:
            corrected, found = correction(snap, reader, parsed, filters)
            if corrected is not None and total == 0 and found > 0:
                fixed = self._search(searcher, replace(req, q=corrected, notices=[]),
                                     correct=False)
                fixed.corrected_from = parsed.text
                fixed.notices = [n for n in notices if n not in fixed.notices] + fixed.notices
                return fixed
            if (corrected is not None and total <= FEW_RESULTS
                    and found >= max(3 * total, total + 2)):
                did_you_mean = corrected

        sort = req.sort
        if sort == "relevance" and (browsing or result.score is None):
            # nothing to rank by (no words, or only filters such as year: and topic:, or
            # exclusions): newest first, and the answer says so
            sort = "newest"
        pages = max(1, math.ceil(total / req.per_page)) if total else 0
        page = req.page
        if total and page > pages:
            notices.append(f"Page {page} is past the last page ({pages}).")
        start = (page - 1) * req.per_page
        docnums = page_order(snap, final, result.score, sort, start, start + req.per_page)
        hits = build_hits(searcher, snap, evaluator, docnums, result.score)

        return SearchResponse(
            query=parsed.text,
            total=total,
            page=page,
            pages=pages,
            hits=hits,
            facets={**count_facets(snap, result.mask & source_mask, topic_mask, type_mask,
                                   date_mask, topics_all_of=not req.any_topic),
                    "source": source_counts(snap, result.mask & topic_mask & type_mask
                                            & date_mask)},
            did_you_mean=did_you_mean,
            notices=notices,
            topics=topics,
            any_topic=req.any_topic,
            types=types,
            date_from=req.date_from,
            date_to=req.date_to,
            study_from=req.study_from,
            study_to=req.study_to,
            sort=sort,
            per_page=req.per_page,
            sources=sources,
        )

    # ------------------------------------------------------------------ more like this

    def more_like_this(self, summary_id: str, limit: int = 5) -> list[Hit]:
        """The summaries most similar to one (by its most distinctive terms)."""
        searcher = self._searcher()
        snap = self._snapshot(searcher)
        docnum = snap.docnum_of(str(summary_id))
        if docnum is None:
            return []
        stored = stored_fields(searcher, snap, docnum)
        text = " ".join(str(stored.get(f, "")) for f in ("title", "body", "implications"))
        tf: dict[str, int] = {}
        for term in analyze(text):
            tf[term] = tf.get(term, 0) + 1
        weights = {}
        for term, count in tf.items():
            df = snap.doc_frequency("body", term)
            if df <= 1 or df >= snap.live_count:
                continue  # only this document, or every one: says nothing about similarity
            weights[term] = (1 + math.log(count)) * math.log(snap.live_count / df)
        terms = sorted(weights, key=lambda t: -weights[t])[:25]
        if not terms:
            return []
        ev = Evaluator(snap, searcher.reader())
        result = snap.terms_in_fields(terms, ("title", "body", "implications"))
        result.mask &= snap.live
        result.mask[docnum] = False
        limit = max(1, min(int(limit), 50))
        order = page_order(snap, result.mask, result.score, "relevance", 0, limit)
        return build_hits(searcher, snap, ev, order, result.score)

    # ------------------------------------------------------------------ updates

    def _writer(self) -> tuple[Path, Any, Any]:
        """(folder, index, writer), waiting up to ``lock_timeout`` for Whoosh's write lock."""
        folder, ix = self._open_dir()
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                writer = ix.writer(timeout=min(1.0, self.lock_timeout))
                # never merge a built segment: its arrays would not follow it
                writer.mergetype = postings.keep_built_segments
                return folder, ix, writer
            except LockError:
                if time.monotonic() >= deadline:
                    raise IndexLockedError(
                        f"the search index in {self.index_dir} is locked by another writer "
                        f"(waited {self.lock_timeout:g} s); try again"
                    ) from None

    def add_or_replace(self, summary: Summary) -> None:
        """Index one summary (replacing one with the same id); visible to the next search."""
        self._commit(lambda writer: writer.update_document(**document_for(summary)))

    def delete(self, summary_id: str) -> None:
        """Remove one summary from the index (no error if it is not there)."""
        self._commit(lambda writer: writer.delete_by_term("id", str(summary_id)))

    def _commit(self, change: Callable[[Any], object]) -> None:
        """Make one ``change`` with a Whoosh writer and commit it, or cancel it on any
        failure; then list the new files in the manifest and let the next search reopen."""
        with self._write_lock:
            folder, ix, writer = self._writer()
            try:
                change(writer)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            self._bless(folder, ix)
            self._changes += 1  # every thread's next search reopens
        self._local.stamp = None

    def _bless(self, folder: Path, ix: Any) -> None:
        """List the files a commit added in the folder's manifest (new files only: a
        listed file that changed is damage and is not blessed). Under Whoosh's write lock
        again, so that no other writer's uncommitted files get listed."""
        lock = ix.lock("WRITELOCK")
        if not try_for(lock.acquire, timeout=self.lock_timeout, delay=0.05):
            log.warning("manifest of %s not refreshed: the index is locked by another "
                        "writer, whose commit refreshes it", folder)
            return
        try:
            refresh_manifest(folder)
        except (CorruptError, OSError) as exc:
            raise corrupt(self.index_dir, f"{exc}; in {folder.name}") from None
        finally:
            lock.release()


def _topic_mask(snap: Snapshot, names: list[str], *, any_of: bool) -> np.ndarray:
    """Summaries with all the topics ``names`` (any of them with ``any_of``); all for none."""
    if not names:
        return np.ones(snap.n, dtype=bool)
    cols = snap.topic_matrix[:, [snap.topic_index[n] for n in names]]
    return np.asarray(cols.any(axis=1) if any_of else cols.all(axis=1))


def _type_mask(snap: Snapshot, names: list[str]) -> np.ndarray:
    """Summaries of any of the research types ``names`` (a summary has one); all for none."""
    if not names:
        return np.ones(snap.n, dtype=bool)
    return np.isin(snap.type_idx, [snap.type_index[n] for n in names])


def _known_names(raws: list[str], resolve: Callable[[str], str | None],
                 suggest: Callable[[str], str | None], label: str,
                 notices: list[str]) -> list[str]:
    """Filter values the index knows, once each; a notice (with a hint) for the others."""
    names: list[str] = []
    for raw in raws:
        name = resolve(raw)
        if name is None:
            hint = suggest(raw)
            more = f" (did you mean {hint!r}?)" if hint else ""
            notices.append(f"Unknown {label} {raw!r} was ignored{more}.")
        elif name not in names:
            names.append(name)
    return names
