"""Topic statistics for the topic explorer: counts, topics by year, co-occurrence, terms.

Computed from the in-memory corpus once per corpus version (the store caches the
object and drops it when the editor saves), so topic pages cost a dictionary lookup.
Distinctive terms need every summary tokenized, so they are computed on first use
and then kept.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from explorer.records import Summary, Taxonomy
from explorer.textproc import tokens

_WORDISH = re.compile(r"^[a-z][a-z'-]+$")
# Words that say nothing about a topic however often a topic's summaries use them.
_GENERIC = frozenset(
    [
        "also", "although", "among", "across", "another", "around", "become", "became", "either",
        "else", "even", "ever", "fall", "found", "however", "included", "including", "later",
        "less",
        "little", "made", "make", "many", "may", "might", "much", "must", "never", "often", "one",
        "ones", "per", "rather", "several", "since", "still", "three", "two", "upon", "whether",
        "within", "without", "yet",
    ]
)


@dataclass(frozen=True)
class Term:
    word: str  # the commonest written form, for display
    stem: str
    in_topic: int  # summaries of the topic using the word
    score: float


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
                self._terms = self._compute_terms()
        return self._terms.get(topic, [])[:limit]

    def _compute_terms(self, keep: int = 30) -> dict[str, list[Term]]:
        doc_terms: list[set[str]] = []
        surface: dict[str, Counter[str]] = defaultdict(Counter)
        for s in self._summaries:
            text = f"{s.title}\n{s.body}\n{s.implications}"
            stems: set[str] = set()
            for tok in tokens(text, expand_acronyms=False):
                written = text[tok.start : tok.end].lower().replace("\u2019", "'")
                if len(tok.term) < 3 or not _WORDISH.match(written) or written in _GENERIC:
                    continue
                stems.add(tok.term)
                surface[tok.term][written] += 1
            doc_terms.append(stems)
        df_all: Counter[str] = Counter()
        for stems in doc_terms:
            df_all.update(stems)
        n_all = len(doc_terms)
        result: dict[str, list[Term]] = {}
        a = 0.5
        for topic in self.taxonomy.topics:
            member = [topic in s.topics for s in self._summaries]
            n_in = sum(member)
            if n_in == 0:
                result[topic] = []
                continue
            df_in: Counter[str] = Counter()
            for stems, inside in zip(doc_terms, member, strict=True):
                if inside:
                    df_in.update(stems)
            n_out = n_all - n_in
            scored = []
            min_docs = max(2, round(0.2 * n_in)) if n_in >= 4 else 1
            for stem, y_in in df_in.items():
                if y_in < min_docs:
                    continue
                y_out = df_all[stem] - y_in
                delta = math.log((y_in + a) / (n_in - y_in + a)) - math.log(
                    (y_out + a) / (n_out - y_out + a)
                )
                var = 1 / (y_in + a) + 1 / (n_in - y_in + a) + 1 / (y_out + a)
                var += 1 / (n_out - y_out + a)
                z = delta / math.sqrt(var)
                if z > 0:
                    scored.append((z, stem, y_in))
            scored.sort(key=lambda item: (-item[0], item[1]))
            result[topic] = [
                Term(surface[stem].most_common(1)[0][0], stem, y_in, round(z, 2))
                for z, stem, y_in in scored[:keep]
            ]
        return result
