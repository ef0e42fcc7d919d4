"""A generated corpus whose topics depend on its words, for tests and benchmarks.

The bundled corpus is small and still growing; tests need corpora that are fast, fixed and
known to be learnable. Each topic here owns a few invented signature words that appear in
its summaries (and, rarely, the words of its name), so a model that learns from text beats
both baselines, while the topic frequencies are skewed like the real archive's.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import yaml

from explorer.records import RESEARCH_TYPES_DEFAULT, Citation, Summary, Taxonomy
from explorer.textproc import STOP_WORDS

SMALL_TOPICS: tuple[str, ...] = (
    "Alliance and Therapeutic Relationship",
    "Anxiety Disorders",
    "Depression and Depressive Symptoms",
    "Group Psychotherapy",
    "Termination",
    "Empathy",
    "Placebo Effect",
    "Attachment",
    "Client Factors",
    "Feedback and Progress Monitoring",
    "Training",
)
_CUES = {
    "Meta-analysis": ["meta-analysis", "pooled", "effect sizes", "meta-analyses"],
    "Randomized controlled trial": ["randomized", "randomised", "trial", "allocated"],
    "Naturalistic, observational or qualitative study": ["interviews", "survey",
                                                         "naturalistic", "observational"],
    "Review, chapter or commentary": ["review", "chapter", "commentary", "overview"],
}
_REAL_FILLER = ["patients", "clients", "therapists", "sessions", "outcomes", "study", "results",
                "measures", "change", "treatment", "psychotherapy", "clinicians", "symptoms",
                "weeks", "sample", "data", "process"]
JOURNALS = ("Psychotherapy Research", "Journal of Counseling Psychology", "Psychotherapy",
            "Journal of Consulting and Clinical Psychology", "Clinical Psychology Review",
            "Group Dynamics")


def _pseudo_words(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(3))
        if word not in taken and word not in STOP_WORDS:
            taken.add(word)
            words.append(word)
    return words


def synthetic_taxonomy(topics: Sequence[str] = SMALL_TOPICS) -> Taxonomy:
    return Taxonomy(topics=list(topics), research_types=list(RESEARCH_TYPES_DEFAULT))


def synthetic_corpus(n: int = 120, *, seed: int = 0,
                     taxonomy: Taxonomy | None = None) -> tuple[list[Summary], Taxonomy]:
    """``n`` tagged summaries over ``taxonomy`` (default: 8 topics, the 4 research types)."""
    taxonomy = taxonomy or synthetic_taxonomy()
    rng = random.Random(seed)
    taken: set[str] = set()
    signature = {t: _pseudo_words(rng, 6, taken) for t in taxonomy.topics}
    # Topics share some words (as "therapist" serves several real ones): the model must
    # weigh evidence, not look up a single word.
    for i, topic in enumerate(taxonomy.topics):
        neighbour = taxonomy.topics[(i + 1) % len(taxonomy.topics)]
        signature[topic] = signature[topic] + signature[neighbour][:2]
    filler = _pseudo_words(rng, 160, taken) + list(_REAL_FILLER)
    name_words = {t: [w for w in t.replace("/", " ").split() if w.lower() not in STOP_WORDS]
                  for t in taxonomy.topics}
    cues = {t: _CUES.get(t, t.split()) for t in taxonomy.research_types}
    weights = [1.0 / (rank + 1) ** 0.7 for rank in range(len(taxonomy.topics))]
    summaries: list[Summary] = []
    for i in range(n):
        k = 1 + (rng.random() < 0.5) + (rng.random() < 0.15)
        topics: list[str] = []
        while len(topics) < min(k, len(taxonomy.topics)):
            pick = rng.choices(taxonomy.topics, weights)[0]
            if pick not in topics:
                topics.append(pick)
        rtype = rng.choice(taxonomy.research_types)

        def words(count: int, topic_rate: float, *, topics: list[str] = topics,
                  rtype: str = rtype) -> list[str]:
            out = []
            for _ in range(count):
                r = rng.random()
                if r < topic_rate:
                    out.append(rng.choice(signature[rng.choice(topics)]))
                elif r < topic_rate + 0.01:
                    out.append(rng.choice(name_words[rng.choice(topics)] or filler))
                elif r < topic_rate + 0.04:
                    out.append(rng.choice(cues[rtype]))
                else:
                    out.append(rng.choice(filler))
            return out

        title_words = [rng.choice(signature[topics[0]])] + words(4, 0.15)
        if rng.random() < 0.4:
            title_words.append(rng.choice(cues[rtype]))
        title = " ".join(title_words).capitalize()
        body = " ".join(words(90, 0.12)).capitalize() + "."
        implications = " ".join(words(30, 0.1)).capitalize() + "."
        journal = JOURNALS[taxonomy.topics.index(topics[0]) % len(JOURNALS)] \
            if rng.random() < 0.6 else rng.choice(JOURNALS)
        year = 2013 + i % 11
        summaries.append(Summary(
            id=f"{year}-{1 + i % 12:02d}-synthetic-{i:04d}",
            published=f"{year}-{1 + i % 12:02d}",
            title=title,
            body=body,
            implications=implications,
            citation=Citation(authors=["Doe, J."], year=str(year), title=title,
                              journal=journal),
            topics=topics,
            research_type=rtype,
        ))
    return summaries, taxonomy


def taxonomy_yaml(taxonomy: Taxonomy) -> str:
    """The taxonomy.yaml text for a generated corpus (callers write it beside the files)."""
    data: dict = {"topics": list(taxonomy.topics),
                  "research_types": list(taxonomy.research_types)}
    if taxonomy.residual_topics:
        data["residual_topics"] = list(taxonomy.residual_topics)
    if taxonomy.aliases:
        data["aliases"] = dict(taxonomy.aliases)
    return yaml.safe_dump(data, sort_keys=False)
