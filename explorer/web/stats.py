"""Topic statistics for the topic explorer: counts, topics by year, co-occurrence, terms.

Computed from the in-memory corpus once per corpus version (the store caches the
object and drops it when the editor saves), so topic pages cost a dictionary lookup.
Distinctive terms need every summary tokenized, so they are computed on first use
and then kept; the text work itself is `explorer.search.topic_terms` (the web layer runs
no text pipeline of its own).
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from itertools import combinations

from explorer.records import Summary, Taxonomy
from explorer.search.topic_terms import Term, distinctive_terms


class TopicStats:
    """Everything the topic pages show, derived from one snapshot of the corpus."""

    def __init__(self, summaries: list[Summary], taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.total = len(summaries)
        self.newest_first = sorted(summaries, key=lambda s: (s.published, s.id), reverse=True)
        self.topic_counts: Counter[str] = Counter({t: 0 for t in taxonomy.topics})
        self.type_counts: Counter[str] = Counter({t: 0 for t in taxonomy.research_types})
        # Years count blog posts by the year the blog posted them; summaries without a
        # posting month (added to the archive) are counted apart, never given a year.
        self.year_counts: Counter[int] = Counter()
        self.topic_years: dict[str, Counter[int]] = {t: Counter() for t in taxonomy.topics}
        self.undated = 0
        self.topic_undated: Counter[str] = Counter()
        self.pairs: Counter[tuple[str, str]] = Counter()
        self.by_topic: dict[str, list[Summary]] = defaultdict(list)
        order = {t: i for i, t in enumerate(taxonomy.topics)}
        for s in self.newest_first:
            year = s.year
            if year is None:
                self.undated += 1
            else:
                self.year_counts[year] += 1
            if s.research_type:
                self.type_counts[s.research_type] += 1
            topics = sorted(set(s.topics), key=lambda t: order.get(t, len(order)))
            for topic in topics:
                self.topic_counts[topic] += 1
                if year is None:
                    self.topic_undated[topic] += 1
                else:
                    self.topic_years.setdefault(topic, Counter())[year] += 1
                self.by_topic[topic].append(s)
            for a, b in combinations(topics, 2):
                self.pairs[(a, b)] += 1
        self.years: list[int] = (
            list(range(min(self.year_counts), max(self.year_counts) + 1))
            if self.year_counts
            else []
        )
        self._summaries = summaries
        self._terms: dict[str, list[Term]] | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ co-occurrence

    def top_pairs(self, limit: int = 20) -> list[tuple[str, str, int]]:
        ranked = sorted(self.pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(a, b, n) for (a, b), n in ranked[:limit]]

    def co_topics(self, topic: str, limit: int = 12) -> list[tuple[str, int]]:
        """Topics that share summaries with ``topic``, most shared first."""
        shared: Counter[str] = Counter()
        for (a, b), n in self.pairs.items():
            if a == topic:
                shared[b] += n
            elif b == topic:
                shared[a] += n
        return sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    # ------------------------------------------------------------------ terms

    def distinctive_terms(self, topic: str, limit: int = 15) -> list[Term]:
        """Words far more common in the topic's summaries than in the rest (log-odds z)."""
        with self._lock:
            if self._terms is None:
                self._terms = distinctive_terms(self._summaries, self.taxonomy.topics)
        return self._terms.get(topic, [])[:limit]
