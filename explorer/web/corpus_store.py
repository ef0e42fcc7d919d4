"""The in-memory corpus the web app reads summaries from, kept in step with the editor.

Summary pages, topic pages and exports need whole summaries; the search index returns
only ids and snippets. Loading the corpus once at start and keeping it in a dict makes
those pages cheap. Updates replace the dict wholesale (copy on write) under a lock, so
the many reader threads never see a half-applied change and need no lock themselves.
"""

from __future__ import annotations

import threading
from pathlib import Path

from explorer.corpus import ID_RE, CorpusError, Problem, load_corpus
from explorer.records import Summary, Taxonomy
from explorer.web.stats import TopicStats


class CorpusStore:
    def __init__(
        self,
        corpus_dir: Path,
        taxonomy: Taxonomy,
        summaries: list[Summary],
        problems: list[Problem] | None = None,
    ) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.taxonomy = taxonomy
        self.problems = list(problems or [])
        self._by_id: dict[str, Summary] = {s.id: s for s in summaries}
        self._version = 0
        self._stats: TopicStats | None = None
        self._stats_version = -1
        self._lock = threading.Lock()

    @classmethod
    def load(cls, corpus_dir: Path) -> CorpusStore:
        """Load a corpus folder; files with errors are left out (``pprnet check`` lists them)."""
        result = load_corpus(corpus_dir)
        if result.taxonomy is None:  # pragma: no cover - load_corpus always sets it
            raise CorpusError(f"{corpus_dir}: no taxonomy")
        return cls(Path(corpus_dir), result.taxonomy, result.summaries, result.errors)

    @property
    def version(self) -> int:
        """Bumped on every change: caches of derived pages key on it."""
        return self._version

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, summary_id: str) -> Summary | None:
        """The summary with this id; None for unknown or malformed ids (never a path)."""
        if not isinstance(summary_id, str) or not ID_RE.match(summary_id):
            return None
        return self._by_id.get(summary_id)

    def get_many(self, ids: list[str]) -> list[Summary]:
        by_id = self._by_id
        return [by_id[i] for i in ids if i in by_id]

    def all(self) -> list[Summary]:
        return list(self._by_id.values())

    def put(self, summary: Summary) -> None:
        with self._lock:
            updated = dict(self._by_id)
            updated[summary.id] = summary
            self._by_id = updated
            self._version += 1

    def remove(self, summary_id: str) -> None:
        with self._lock:
            if summary_id in self._by_id:
                updated = dict(self._by_id)
                del updated[summary_id]
                self._by_id = updated
                self._version += 1

    def stats(self) -> TopicStats:
        """Topic statistics for the current version (computed once per version)."""
        stats, version = self._stats, self._stats_version
        if stats is not None and version == self._version:
            return stats
        with self._lock:
            if self._stats is None or self._stats_version != self._version:
                self._stats = TopicStats(list(self._by_id.values()), self.taxonomy)
                self._stats_version = self._version
            return self._stats
