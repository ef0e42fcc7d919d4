"""The training rows: analyzed summaries with label arrays, plus the extra examples.

Analysis (the text pipeline) is the slow part of training, so it is done once per corpus
and reused by every fold of cross-validation; `TrainingData.subset` picks fold rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from explorer.records import Summary, Taxonomy
from explorer.tagger.config import TaggerConfig
from explorer.tagger.features import (
    AnalyzedDoc,
    DocFields,
    FeatureSpace,
    analyze_fields,
    fields_of,
)
from explorer.tagger.residual import year_of


@dataclass
class TrainingData:
    """Analyzed documents and their labels, computed once and reused across folds."""

    docs: list[AnalyzedDoc]
    labels: np.ndarray  # documents x topics, 0/1
    types: np.ndarray  # documents: research-type index or -1
    ids: list[str]
    titles: list[str]
    dates: np.ndarray | None = None  # documents: fractional year of the post (NaN: none)

    def __post_init__(self) -> None:
        if self.dates is None:
            self.dates = np.full(len(self.docs), np.nan)

    def subset(self, rows: np.ndarray) -> TrainingData:
        dates = None if self.dates is None else self.dates[rows]
        return TrainingData([self.docs[i] for i in rows], self.labels[rows], self.types[rows],
                            [self.ids[i] for i in rows], [self.titles[i] for i in rows],
                            dates)


def prepare(summaries: Sequence[Summary], taxonomy: Taxonomy) -> TrainingData:
    """Sort by id (so the model does not depend on file order), analyze, build labels."""
    unique: dict[str, Summary] = {}
    for summary in sorted(summaries, key=lambda s: s.id):
        unique.setdefault(summary.id, summary)
    ordered = list(unique.values())
    topic_index = {t: i for i, t in enumerate(taxonomy.topics)}
    type_index = {t: i for i, t in enumerate(taxonomy.research_types)}
    labels = np.zeros((len(ordered), len(taxonomy.topics)), dtype=np.uint8)
    types = np.full(len(ordered), -1, dtype=np.int64)
    for row, summary in enumerate(ordered):
        for name in summary.topics:
            canonical = taxonomy.canonical_topic(name)
            if canonical in topic_index:
                labels[row, topic_index[canonical]] = 1
        if summary.research_type:
            canonical_type = taxonomy.canonical_type(summary.research_type)
            if canonical_type in type_index:
                types[row] = type_index[canonical_type]
    docs = [analyze_fields(fields_of(s)) for s in ordered]
    dates = np.array([year_of(s.published or s.added) for s in ordered], dtype=np.float64)
    return TrainingData(docs, labels, types, [s.id for s in ordered], [s.title for s in ordered],
                        dates)


@dataclass
class Augmented:
    """Training rows: the documents, plus topic names and title-only copies as examples."""

    x: sp.csr_matrix
    docs: list[AnalyzedDoc]
    labels: np.ndarray
    types: np.ndarray
    weights: np.ndarray | None


def title_only(doc: AnalyzedDoc) -> AnalyzedDoc:
    """The document as an editor's title alone would present it."""
    return AnalyzedDoc(text_features=doc.title_features, title_features=doc.title_features,
                       journal=None)


def augment(space: FeatureSpace, names: list[AnalyzedDoc], data: TrainingData,
             x: sp.csr_matrix, config: TaggerConfig) -> Augmented:
    """Add each topic's name as an example of it, and each document's title alone.

    With five examples of a topic, the words of its name may occur in only two of them;
    the name itself tells the classifiers those words matter. Title-only copies teach
    them what a draft with nothing but a title looks like (few words, no journal).
    """
    xs, docs = [x], list(data.docs)
    labels, types = [data.labels], [data.types]
    weights = [np.ones(x.shape[0])]
    if config.name_weight > 0 and names:
        xs.append(space.transform(names))
        docs.extend(names)
        labels.append(np.eye(data.labels.shape[1], dtype=data.labels.dtype)[: len(names)])
        types.append(np.full(len(names), -1, dtype=data.types.dtype))
        weights.append(np.full(len(names), config.name_weight))
    if config.title_copy_weight > 0 and data.docs:
        copies = [title_only(d) for d in data.docs]
        xs.append(space.transform(copies))
        docs.extend(copies)
        labels.append(data.labels)
        types.append(data.types)
        weights.append(np.full(len(copies), config.title_copy_weight))
    if len(xs) == 1:
        return Augmented(x, docs, data.labels, data.types, None)
    return Augmented(sp.vstack(xs, format="csr"), docs, np.vstack(labels),
                      np.concatenate(types), np.concatenate(weights))


def name_documents(taxonomy: Taxonomy) -> list[AnalyzedDoc]:
    """One pseudo-document per topic: its name and aliases, in taxonomy order."""
    variants: dict[str, list[str]] = {t: [t] for t in taxonomy.topics}
    for alias, target in sorted(taxonomy.aliases.items()):
        if target in variants:
            variants[target].append(alias)
    return [analyze_fields(DocFields(title=topic, text=". ".join(variants[topic])))
            for topic in taxonomy.topics]


