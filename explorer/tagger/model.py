"""Train the topic and research-type suggester, and use it.

Topics (multi-label, 36 of them, a few hundred examples): one linear classifier per topic
over the TF-IDF features (logistic regression by default; linear SVM and ridge are the
alternatives `bench/tagger_bench.py` compares), calibrated per topic with Platt scaling on
out-of-fold decision values so that scores of different topics can be ranked together,
then blended with a nearest-neighbour vote of the most similar archived summaries and with
a small prior for texts that name the topic. Each topic's name (and aliases) also joins the
training data as one extra example of it, which helps the rare topics most. The default
blend won the cross-validated comparison in `bench/tagger_bench.py` (numbers in the
`TaggerConfig` comments). Each topic gets its own threshold, tuned on
the same out-of-fold scores: with so few examples, probabilities are small and one fixed
cut-off would suggest the common topics only.

Research type (one label): multinomial logistic regression over the same features plus the
strong cue words (meta-analysis, randomised, trial, qualitative, interview, survey, review,
chapter), which the classifier weighs against the rest of the text.

A trained `TopicModel` is plain arrays and word lists: deterministic for a given corpus and
seed, read-only at suggestion time (safe for many threads), saved without pickle.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime

import numpy as np
import scipy.sparse as sp
import sklearn
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.svm import LinearSVC

from explorer.records import Summary, Taxonomy
from explorer.tagger.features import (
    AnalyzedDoc,
    DocFields,
    FeatureSpace,
    analyze_fields,
    cap_fields,
    cue_matrix,
    fields_of,
    surface_words,
)
from explorer.tagger.fingerprint import corpus_fingerprint
from explorer.tagger.keywords import keyword_matrix, topic_keyword_sets
from explorer.tagger.profile import ProfileScorer
from explorer.tagger.splits import stratified_folds

CLASSIFIERS = ("lr", "svm", "ridge")
COOC_GRID = (0.0, 0.1, 0.2, 0.3, 0.5)  # weights tried when cooc_weight < 0
_FAR = 10.0  # decision value for a topic the training set never (or always) shows


@dataclass(frozen=True)
class TaggerConfig:
    """Every choice that shapes the model; saved with it and compared in the bench.

    Chosen with `bench/tagger_bench.py --seeds 0,1,2` on the bundled corpus (173
    summaries, 5 folds): recall@5 of logistic regression alone 0.79, with the neighbour
    vote 0.80, with the name prior 0.83, with the topic names as examples 0.84; linear SVM
    and ridge in the same blend tie with it (0.84), a classifier chain reaches 0.76. Cue
    words lift research-type accuracy from 0.81 to 0.86. The other knobs move the figures
    by less than the spread between fold layouts (about 0.005).

    Rerun on 181 summaries (mean of seeds 0,1,2; R@5 / P@1 / NDCG@5 / micro F1 / macro F1):
    default 0.829 / 0.935 / 0.835 / 0.705 / 0.708. Label co-occurrence smoothing
    (``cooc_weight``) 0.1: 0.829 / 0.935 / 0.835 / 0.704 / 0.708; 0.3: 0.827 / 0.934 /
    0.833 / 0.702 / 0.708; weight picked by inner-fold recall@5: 0.829 / 0.934 / 0.835 /
    0.705 / 0.709. Neighbour weights squared (``knn_power`` 2): 0.833 / 0.937 / 0.838 /
    0.701 / 0.704; k=20: 0.822; k=20 squared: 0.824; k=5: 0.832 (micro F1 0.699); name
    prior 0.3: 0.815; names as examples weight 4: 0.832 / 0.937 / 0.838 / 0.708 / 0.715;
    squared neighbours + names 4 + chosen co-occurrence: 0.834 / 0.937 / 0.839 / 0.703 /
    0.709. A second-level (stacked) logistic regression over all topics' out-of-fold
    scores lost (seed 0: R@5 0.824 at share 0.3, 0.788 alone) and was dropped. None beats
    the default by more than the seed spread, so the default stays. Most of the remaining
    misses are "Miscellaneous" (13 summaries, never in the top 5: a residual label used
    only since 2019, not a subject the text shows); without it recall@5 is 0.86.

    Per-topic TF-IDF profiles (``profile_weight``, `profile.ProfileScorer`), mean of seeds
    0,1,2 (R@5 / P@1 / NDCG@5 / micro F1 / macro F1): default 0.829 / 0.935 / 0.835 / 0.705
    / 0.708; profile 0.1: 0.830 / 0.932 / 0.835 / 0.706 / 0.715; profile 0.2 with the
    neighbour vote at 0.2: 0.831 / 0.934 / 0.837 / 0.707 / 0.716; profile 0.3: 0.834 /
    0.924 / 0.836 / 0.708 / 0.721. Macro F1 (the rare, diffuse topics) gains a little, the
    rest moves within the seed spread and precision@1 falls at 0.3, so it stays off.
    """

    classifier: str = "lr"  # "lr" | "svm" | "ridge"
    C: float = 10.0  # inverse regularisation of the topic classifiers
    class_weight: str | None = "balanced"
    knn_weight: float = 0.3  # share of the nearest-neighbour vote in the blended score
    knn_k: int = 10
    keyword_weight: float = 0.2  # share of the "text names the topic" prior
    name_weight: float = 2.0  # weight of one extra training example per topic: its name
    title_copy_weight: float = 0.0  # weight of each summary's title alone as an example
    title_weight: float = 0.6
    journal_weight: float = 0.3
    min_df: int = 2  # 1 multiplies the features by ten and training time by fifteen
    inner_folds: int = 5  # folds for calibration and thresholds
    min_positives: int = 3  # fewer examples than this: the global threshold
    threshold_shrink: float = 3.0  # pull per-topic thresholds towards the global one
    min_suggested: int = 1  # always tick the best topic of a non-empty input
    type_C: float = 10.0
    cue_weight: float = 0.5  # 1.0 before the design phrases joined the cues: 0.862 vs 0.867
    # Label co-occurrence smoothing: score += cooc_weight * (score @ P), where P[s, t] is
    # P(topic t | topic s) from the training labels (Laplace-smoothed, zero diagonal).
    # A negative value picks the weight from COOC_GRID by the inner out-of-fold recall@5.
    cooc_weight: float = 0.0
    cooc_alpha: float = 1.0  # Laplace pseudo-count of each co-topic
    knn_power: float = 1.0  # neighbour weights are similarity ** knn_power
    # Research type of a text with fewer analysed terms than this is pulled towards the
    # training share of each type (a title alone: balanced class weights would otherwise
    # favour the rare types on no evidence). 0 turns it off.
    type_evidence_terms: int = 60
    # Share of the per-topic TF-IDF profile vote (`profile.ProfileScorer`) in the blend.
    profile_weight: float = 0.0
    # Topic scores of a text with fewer analysed terms than this lose (in proportion) what
    # an empty text would score above the average topic: with few words the classifiers'
    # intercepts decide, and the residual label Miscellaneous has the largest. 0: off.
    topic_evidence_terms: int = 40  # title-only top-5 with Miscellaneous: 72 -> 18 of 181

    def __post_init__(self) -> None:
        if self.classifier not in CLASSIFIERS:
            raise ValueError(f"unknown classifier {self.classifier!r}: use one of {CLASSIFIERS}")
        if not 0 <= self.knn_weight + self.keyword_weight + self.profile_weight <= 1:
            raise ValueError("knn_weight + keyword_weight + profile_weight must lie between "
                             "0 and 1")
        if self.cooc_alpha <= 0:
            raise ValueError("cooc_alpha must be positive")
        if self.knn_power <= 0:
            raise ValueError("knn_power must be positive")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TaggerConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


DEFAULT_CONFIG = TaggerConfig()


# --------------------------------------------------------------------------- scoring parts


def knn_vote(sims: np.ndarray, labels: np.ndarray, k: int, power: float = 1.0) -> np.ndarray:
    """Similarity-weighted share of the ``k`` nearest documents that carry each topic.

    Each neighbour weighs its similarity to the power ``power`` (above 1: the closest
    neighbours count more).
    """
    out = np.zeros((sims.shape[0], labels.shape[1]))
    if sims.shape[1] == 0 or k < 1:
        return out
    for i, row in enumerate(sims):
        top = np.argsort(-row, kind="stable")[:k]
        weights = np.clip(row[top], 0.0, None)
        if power != 1.0:
            weights = weights ** power
        total = weights.sum()
        if total > 0:
            out[i] = weights @ labels[top] / total
    return out


def blend(decisions: np.ndarray, platt: np.ndarray, knn: np.ndarray, keyword: np.ndarray,
          config: TaggerConfig, profile: np.ndarray | None = None) -> np.ndarray:
    """The final topic score: calibrated classifier, neighbour vote, name prior and (when
    weighted) the topic-profile vote."""
    prob = expit(decisions * platt[:, 0] + platt[:, 1])
    linear_weight = 1.0 - config.knn_weight - config.keyword_weight
    out = config.knn_weight * knn + config.keyword_weight * keyword
    if config.profile_weight and profile is not None:
        linear_weight -= config.profile_weight
        out = out + config.profile_weight * profile
    return linear_weight * prob + out


def cooccurrence(labels: np.ndarray, alpha: float) -> np.ndarray:
    """``P[s, t]``: how likely topic t is among the other topics of a document with topic s.

    Counts of documents carrying both topics, plus ``alpha`` for every pair (Laplace), each
    row normalised over the other topics; the diagonal is zero. A topic never seen in
    training (or never with another) spreads evenly.
    """
    y = labels.astype(np.float64)
    n_topics = y.shape[1]
    if n_topics < 2:
        return np.zeros((n_topics, n_topics))
    counts = y.T @ y + alpha
    np.fill_diagonal(counts, 0.0)
    return counts / counts.sum(axis=1, keepdims=True)


def smooth(scores: np.ndarray, cooc: np.ndarray, weight: float) -> np.ndarray:
    """Blended scores plus ``weight`` times the co-occurrence vote of the other topics."""
    if weight == 0 or cooc.size == 0:
        return scores
    return scores + weight * (scores @ cooc)


def _fit_platt(decisions: np.ndarray, y: np.ndarray) -> tuple[float, float] | None:
    """Platt's sigmoid ``expit(a * d + c)`` with his smoothed targets; None unless increasing.

    Newton's method with backtracking (Lin, Lin & Weng, 2007): two parameters, so a few
    vectorised steps instead of a general optimiser.
    """
    n_pos = float(y.sum())
    n_neg = float(len(y) - n_pos)
    if n_pos == 0 or n_neg == 0:
        return None
    f = decisions.astype(np.float64)
    target = np.where(y > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def loss(a: float, c: float) -> float:
        z = a * f + c
        return float(np.sum(np.logaddexp(0, z) - target * z))

    a, c = 0.0, float(np.log((n_pos + 1) / (n_neg + 1)))
    value = loss(a, c)
    for _ in range(100):
        p = expit(a * f + c)
        diff = p - target
        grad = np.array([diff @ f, diff.sum()])
        if np.abs(grad).max() < 1e-6:
            break
        w = p * (1 - p)
        hess = np.array([[w @ (f * f), w @ f], [w @ f, w.sum()]]) + 1e-12 * np.eye(2)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        size = 1.0
        while size >= 1e-10:
            new_a, new_c = a - size * step[0], c - size * step[1]
            new_value = loss(new_a, new_c)
            if new_value < value + 1e-4 * size * float(grad @ -step):
                a, c, value = new_a, new_c, new_value
                break
            size /= 2
        else:
            break
    if not np.isfinite(a) or not np.isfinite(c) or a <= 0:
        return None
    return a, c


def _best_cut(scores: np.ndarray, y: np.ndarray) -> float:
    """The threshold that maximises F1 of ``scores >= threshold`` against ``y``."""
    positives = float(y.sum())
    if positives == 0 or len(scores) == 0:
        return float(scores.max()) + 1e-6 if len(scores) else 0.5
    order = np.argsort(-scores, kind="stable")
    s = scores[order]
    yy = y[order].astype(np.float64)
    tp = np.cumsum(yy)
    fp = np.cumsum(1.0 - yy)
    f1 = 2 * tp / (tp + fp + positives)
    ends = np.append(s[:-1] > s[1:], True)  # a cut may not split tied scores
    best = int(np.argmax(np.where(ends, f1, -1.0)))
    if best + 1 < len(s):
        return float((s[best] + s[best + 1]) / 2)
    return float(s[best]) - 1e-9


# --------------------------------------------------------------------------- the model


@dataclass
class TopicModel:
    """A trained suggester. Read-only after training: share one between threads."""

    topics: list[str]
    research_types: list[str]
    config: TaggerConfig
    space: FeatureSpace
    topic_coef: np.ndarray  # topics x features
    topic_intercept: np.ndarray  # topics
    platt: np.ndarray  # topics x 2: slope, offset
    thresholds: np.ndarray  # topics
    keyword_sets: list[list[tuple[str, ...]]]
    type_coef: np.ndarray  # types x (features + cue features)
    type_intercept: np.ndarray  # types
    type_present: np.ndarray  # types, bool: seen in training
    doc_ids: list[str]
    doc_titles: list[str]
    doc_matrix: sp.csr_matrix  # documents x text features, for similar summaries
    doc_labels: np.ndarray  # documents x topics, 0/1
    cooc: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # topics x topics
    cooc_weight: float = 0.0  # the co-occurrence weight in use (chosen when config's < 0)
    type_prior: np.ndarray = field(default_factory=lambda: np.zeros(0))  # training shares
    fingerprint: str = ""
    sklearn_version: str = sklearn.__version__
    created: str = ""
    train_seconds: float = 0.0
    _id_index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _profiles: sp.csr_matrix | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._id_index = {doc_id: i for i, doc_id in enumerate(self.doc_ids)}
        if self.config.profile_weight and len(self.doc_ids):
            self._profiles = ProfileScorer.fit(self.doc_matrix, self.doc_labels)

    # ------------------------------------------------------------------ prediction

    def predict_docs(self, docs: Sequence[AnalyzedDoc]) -> dict[str, np.ndarray]:
        """Raw arrays for analysed documents: topic scores, type probabilities, similarities.

        Also returns the joined feature rows (``x``) for explanations.
        """
        text = self.space.text_matrix(docs)
        x = self.space.transform(docs, text)
        decisions = np.asarray(x @ self.topic_coef.T) + self.topic_intercept
        sims = np.asarray((text @ self.doc_matrix.T).todense()) if len(self.doc_ids) else \
            np.zeros((len(docs), 0))
        knn = knn_vote(sims, self.doc_labels.astype(np.float64), self.config.knn_k,
                       self.config.knn_power)
        keyword = keyword_matrix((d.text_terms for d in docs), self.keyword_sets)
        profile = ProfileScorer.score(text, self._profiles) if self._profiles is not None \
            else None
        scores = smooth(blend(decisions, self.platt, knn, keyword, self.config, profile),
                        self.cooc, self.cooc_weight)
        scores = self._without_empty_prior(scores, docs)
        return {"scores": scores, "types": self._type_probs(x, docs), "sims": sims, "x": x}

    def _without_empty_prior(self, scores: np.ndarray,
                             docs: Sequence[AnalyzedDoc]) -> np.ndarray:
        """Take the empty text's topic preferences out of the scores of short texts."""
        limit = self.config.topic_evidence_terms
        if limit <= 0 or not len(docs):
            return scores
        n_topics = len(self.topics)
        empty = smooth(blend(self.topic_intercept[None, :], self.platt,
                             np.zeros((1, n_topics)), np.zeros((1, n_topics)), self.config,
                             np.zeros((1, n_topics))), self.cooc, self.cooc_weight)[0]
        lack = np.array([max(0.0, 1.0 - len(d.text_terms) / limit) for d in docs])[:, None]
        return scores - lack * (empty - empty.mean())[None, :]

    def _type_probs(self, x: sp.csr_matrix, docs: Sequence[AnalyzedDoc]) -> np.ndarray:
        z = sp.hstack([x, cue_matrix(docs) * self.config.cue_weight], format="csr")
        logits = np.asarray(z @ self.type_coef.T) + self.type_intercept
        probs = np.where(self.type_present, expit(logits), 0.0)
        present = int(self.type_present.sum())
        if present == 0:
            return probs
        if present == 1:  # one type in training: it is the answer
            return self.type_present[None, :].astype(np.float64).repeat(len(docs), axis=0)
        total = probs.sum(axis=1, keepdims=True)
        total[total <= 0] = 1.0
        return self._towards_prior(probs / total, docs)

    def _towards_prior(self, probs: np.ndarray, docs: Sequence[AnalyzedDoc]) -> np.ndarray:
        """Blend with the training shares in proportion to how little text there is."""
        limit = self.config.type_evidence_terms
        if limit <= 0 or self.type_prior.shape != (probs.shape[1],):
            return probs
        evidence = np.array([min(1.0, len(d.text_terms) / limit) for d in docs])[:, None]
        return evidence * probs + (1.0 - evidence) * self.type_prior[None, :]

    def suggest(self, title: str = "", text: str = "", *, journal: str | None = None,
                limit: int = 8, similar: int = 5, exclude_id: str | None = None) -> dict:
        """Ranked topics, research types and similar summaries for a draft.

        Returns ``{"topics": [{"topic", "score", "suggested", "because"}], "research_type":
        [{"type", "score"}], "similar": [{"id", "title", "score"}]}``: the best ``limit``
        topics (and any further suggested ones), every research type, and up to ``similar``
        archived summaries (``exclude_id`` leaves out the one being edited). Input beyond
        `features.MAX_TEXT_CHARS` is ignored. Raises ValueError for empty input.
        """
        for name, value in (("title", title), ("text", text)):
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be text")
        if journal is not None and not isinstance(journal, str):
            raise ValueError("journal must be text")
        if not (title or "").strip() and not (text or "").strip():
            raise ValueError("nothing to suggest from: give a title or some text")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError("limit must be a whole number of at least 1")
        if isinstance(similar, bool) or not isinstance(similar, int) or similar < 0:
            raise ValueError("similar must be a whole number of at least 0")
        fields_, _ = cap_fields(DocFields(title or "", text or "", journal))
        doc = analyze_fields(fields_)
        out = self.predict_docs([doc])
        scores = out["scores"][0]
        x = out["x"].getrow(0)
        order = np.argsort(-scores, kind="stable")
        suggested = scores >= self.thresholds
        if self.config.min_suggested and x.nnz:
            suggested[order[: self.config.min_suggested]] = True
        listed = [int(t) for rank, t in enumerate(order) if rank < limit or suggested[t]]
        surface = surface_words(fields_)
        topics = [
            {
                "topic": self.topics[t],
                "score": round(float(scores[t]), 4),
                "suggested": bool(suggested[t]),
                "because": self._because(x, t, surface),
            }
            for t in listed
        ]
        probs = out["types"][0]
        type_order = np.argsort(-probs, kind="stable")
        research_type = [
            {"type": self.research_types[r], "score": round(float(probs[r]), 4)}
            for r in type_order
            if self.type_present[r]
        ]
        return {"topics": topics, "research_type": research_type,
                "similar": self._similar(out["sims"][0], similar, exclude_id)}

    def _because(self, x: sp.csr_matrix, topic: int, surface: dict[str, str],
                 n: int = 3) -> list[str]:
        """The input's words that pushed this topic up the most (positive contributions)."""
        contributions = x.data * self.topic_coef[topic, x.indices]
        by_term: dict[str, float] = {}
        for column, value in zip(x.indices, contributions, strict=True):
            if value <= 0:
                continue
            terms = self.space.feature_terms(int(column))
            for term in terms:
                by_term[term] = by_term.get(term, 0.0) + float(value) / len(terms)
        words: list[str] = []
        for term, _ in sorted(by_term.items(), key=lambda kv: (-kv[1], kv[0])):
            word = surface.get(term)
            if word and word not in words:
                words.append(word)
                if len(words) == n:
                    break
        return words

    def _similar(self, sims: np.ndarray, limit: int, exclude_id: str | None) -> list[dict]:
        out: list[dict] = []
        skip = self._id_index.get(exclude_id) if exclude_id else None
        for i in np.argsort(-sims, kind="stable"):
            if len(out) >= limit or sims[i] <= 0:
                break
            if i == skip:
                continue
            out.append({"id": self.doc_ids[i], "title": self.doc_titles[i],
                        "score": round(float(sims[i]), 4)})
        return out


# --------------------------------------------------------------------------- training


@dataclass
class TrainingData:
    """Analysed documents and their labels, computed once and reused across folds."""

    docs: list[AnalyzedDoc]
    labels: np.ndarray  # documents x topics, 0/1
    types: np.ndarray  # documents: research-type index or -1
    ids: list[str]
    titles: list[str]

    def subset(self, rows: np.ndarray) -> TrainingData:
        return TrainingData([self.docs[i] for i in rows], self.labels[rows], self.types[rows],
                            [self.ids[i] for i in rows], [self.titles[i] for i in rows])


def prepare(summaries: Sequence[Summary], taxonomy: Taxonomy) -> TrainingData:
    """Sort by id (so the model does not depend on file order), analyse, build labels."""
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
    return TrainingData(docs, labels, types, [s.id for s in ordered], [s.title for s in ordered])


@dataclass
class _Augmented:
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


def _augment(space: FeatureSpace, names: list[AnalyzedDoc], data: TrainingData,
             x: sp.csr_matrix, config: TaggerConfig) -> _Augmented:
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
        return _Augmented(x, docs, data.labels, data.types, None)
    return _Augmented(sp.vstack(xs, format="csr"), docs, np.vstack(labels),
                      np.concatenate(types), np.concatenate(weights))


def name_documents(taxonomy: Taxonomy) -> list[AnalyzedDoc]:
    """One pseudo-document per topic: its name and aliases, in taxonomy order."""
    variants: dict[str, list[str]] = {t: [t] for t in taxonomy.topics}
    for alias, target in sorted(taxonomy.aliases.items()):
        if target in variants:
            variants[target].append(alias)
    return [analyze_fields(DocFields(title=topic, text=". ".join(variants[topic])))
            for topic in taxonomy.topics]


def _fit_topic_classifiers(x: sp.csr_matrix, labels: np.ndarray, config: TaggerConfig,
                           seed: int, sample_weight: np.ndarray | None = None
                           ) -> tuple[np.ndarray, np.ndarray]:
    n, n_topics = labels.shape
    coef = np.zeros((n_topics, x.shape[1]))
    intercept = np.zeros(n_topics)
    trainable = [t for t in range(n_topics) if 0 < labels[:, t].sum() < n]
    for t in range(n_topics):
        if t not in trainable:
            intercept[t] = _FAR if labels[:, t].sum() == n and n else -_FAR
    if not trainable:
        return coef, intercept
    if config.classifier == "ridge":
        targets = labels[:, trainable].astype(np.float64) * 2 - 1
        ridge = Ridge(alpha=1.0 / config.C, solver="sparse_cg", tol=1e-6)
        ridge.fit(x, targets, sample_weight=sample_weight)
        coef[trainable] = ridge.coef_
        intercept[trainable] = ridge.intercept_
        return coef, intercept
    for t in trainable:
        y = labels[:, t]
        if config.classifier == "svm":
            estimator = LinearSVC(C=config.C, class_weight=config.class_weight,
                                  random_state=seed, max_iter=5000)
        else:
            estimator = LogisticRegression(C=config.C, class_weight=config.class_weight,
                                           solver="liblinear", random_state=seed,
                                           max_iter=1000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(x, y, sample_weight=sample_weight)
        coef[t] = estimator.coef_[0]
        intercept[t] = estimator.intercept_[0]
    return coef, intercept


def _decisions(space: FeatureSpace, data: TrainingData, coef: np.ndarray,
               intercept: np.ndarray) -> tuple[np.ndarray, sp.csr_matrix]:
    text = space.text_matrix(data.docs)
    x = space.transform(data.docs, text)
    return np.asarray(x @ coef.T) + intercept, text


@dataclass
class _OutOfFold:
    """Every training document scored by a model that did not see it."""

    decisions: np.ndarray
    knn: np.ndarray
    keyword: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]  # (train rows, held-out rows) per inner fold
    profile: np.ndarray | None = None


def _out_of_fold(data: TrainingData, keyword: np.ndarray, names: list[AnalyzedDoc],
                 config: TaggerConfig, seed: int) -> _OutOfFold:
    """Decision values, neighbour votes and name priors of every document, out of fold."""
    n, n_topics = data.labels.shape
    decisions = np.zeros((n, n_topics))
    knn = np.zeros((n, n_topics))
    profile = np.zeros((n, n_topics)) if config.profile_weight else None
    folds = min(config.inner_folds, n)
    if folds < 2:
        return _OutOfFold(decisions, knn, keyword, [], None)
    layout = list(stratified_folds(data.labels, data.types.tolist(), folds, seed))
    for train, test in layout:
        inner = data.subset(train)
        held = data.subset(test)
        space = FeatureSpace.fit(inner.docs, min_df=config.min_df,
                                 title_weight=config.title_weight,
                                 journal_weight=config.journal_weight)
        train_text = space.text_matrix(inner.docs)
        x = space.transform(inner.docs, train_text)
        rows = _augment(space, names, inner, x, config)
        coef, intercept = _fit_topic_classifiers(rows.x, rows.labels, config, seed, rows.weights)
        decisions[test], held_text = _decisions(space, held, coef, intercept)
        sims = np.asarray((held_text @ train_text.T).todense())
        knn[test] = knn_vote(sims, inner.labels.astype(np.float64), config.knn_k,
                             config.knn_power)
        if profile is not None:
            profile[test] = ProfileScorer.score(held_text,
                                                ProfileScorer.fit(train_text, inner.labels))
    return _OutOfFold(decisions, knn, keyword, layout, profile)


def _smooth_out_of_fold(scores: np.ndarray, labels: np.ndarray, oof: _OutOfFold,
                        config: TaggerConfig, weight: float) -> np.ndarray:
    """Co-occurrence smoothing of out-of-fold scores, each fold with its own training P."""
    if weight == 0:
        return scores
    if not oof.folds:
        return smooth(scores, cooccurrence(labels, config.cooc_alpha), weight)
    out = scores.copy()
    for train, test in oof.folds:
        out[test] = smooth(scores[test], cooccurrence(labels[train], config.cooc_alpha), weight)
    return out


def recall_at(scores: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    """Mean share of each labelled document's topics among its ``k`` best scores."""
    rows = np.flatnonzero(labels.sum(axis=1) > 0)
    if len(rows) == 0:
        return 0.0
    top = np.argsort(-scores[rows], axis=1, kind="stable")[:, :k]
    hits = np.take_along_axis(labels[rows], top, axis=1).sum(axis=1)
    return float(np.mean(hits / labels[rows].sum(axis=1)))


def _choose_cooc_weight(scores: np.ndarray, labels: np.ndarray, oof: _OutOfFold,
                        config: TaggerConfig) -> float:
    """The configured weight, or (when negative) the grid value best on inner recall@5."""
    if config.cooc_weight >= 0:
        return config.cooc_weight
    best, best_recall = 0.0, -1.0
    for weight in COOC_GRID:  # ascending: a tie keeps the smaller weight
        recall = recall_at(_smooth_out_of_fold(scores, labels, oof, config, weight), labels)
        if recall > best_recall + 1e-9:
            best, best_recall = weight, recall
    return best


def _calibrate(decisions: np.ndarray, labels: np.ndarray, config: TaggerConfig) -> np.ndarray:
    """Per-topic Platt parameters; topics with few examples share one pooled sigmoid."""
    n_topics = labels.shape[1]
    trained = [t for t in range(n_topics) if 0 < labels[:, t].sum() < labels.shape[0]]
    pooled = None
    if trained:
        pooled = _fit_platt(decisions[:, trained].ravel(), labels[:, trained].ravel())
    fallback = pooled or (1.0, 0.0)
    platt = np.tile(np.array(fallback, dtype=np.float64), (n_topics, 1))
    for t in trained:
        if labels[:, t].sum() >= config.min_positives:
            fitted = _fit_platt(decisions[:, t], labels[:, t])
            if fitted is not None:
                platt[t] = fitted
    return platt


def _tune_thresholds(scores: np.ndarray, labels: np.ndarray, config: TaggerConfig) -> np.ndarray:
    """Per-topic F1-best thresholds on out-of-fold scores, shrunk towards the global one."""
    n_topics = labels.shape[1]
    pooled = _best_cut(scores.ravel(), labels.ravel()) if labels.any() else 0.5
    thresholds = np.full(n_topics, pooled)
    for t in range(n_topics):
        positives = float(labels[:, t].sum())
        if positives >= config.min_positives:
            best = _best_cut(scores[:, t], labels[:, t])
            shrink = config.threshold_shrink
            thresholds[t] = (positives * best + shrink * pooled) / (positives + shrink)
    return thresholds


def _fit_types(train: _Augmented, n_types: int, config: TaggerConfig,
               seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    z = sp.hstack([train.x, cue_matrix(train.docs) * config.cue_weight], format="csr")
    coef = np.zeros((n_types, z.shape[1]))
    intercept = np.zeros(n_types)
    present = np.zeros(n_types, dtype=bool)
    rows = np.flatnonzero(train.types >= 0)
    classes = sorted(set(train.types[rows].tolist()))
    present[classes] = True
    if len(classes) < 2:
        return coef, intercept, present
    weights = train.weights[rows] if train.weights is not None else None
    # One-vs-rest logistic regressions (liblinear): as accurate here as a multinomial fit
    # and some fifty times faster on a few thousand sparse features.
    for cls in classes:
        model = LogisticRegression(C=config.type_C, class_weight="balanced", solver="liblinear",
                                   random_state=seed, max_iter=1000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(z[rows], (train.types[rows] == cls).astype(np.int64),
                      sample_weight=weights)
        coef[cls] = model.coef_[0]
        intercept[cls] = model.intercept_[0]
    return coef, intercept, present


def type_shares(types: np.ndarray, n_types: int) -> np.ndarray:
    """Each research type's share of the labelled training documents (zeros if none)."""
    counts = np.bincount(types[types >= 0], minlength=n_types).astype(np.float64)
    total = counts.sum()
    return counts / total if total else counts


def fit_prepared(data: TrainingData, taxonomy: Taxonomy, *, seed: int = 0,
                 config: TaggerConfig = DEFAULT_CONFIG, fingerprint: str = "") -> TopicModel:
    """Train on already analysed documents (evaluation reuses one analysis for all folds)."""
    if not data.docs:
        raise ValueError("cannot train a topic model on an empty corpus")
    started = time.perf_counter()
    keyword_sets = topic_keyword_sets(taxonomy)
    keyword = keyword_matrix((d.text_terms for d in data.docs), keyword_sets)
    names = name_documents(taxonomy)
    oof = _out_of_fold(data, keyword, names, config, seed)
    platt = _calibrate(oof.decisions, data.labels, config)
    oof_scores = blend(oof.decisions, platt, oof.knn, oof.keyword, config, oof.profile)
    cooc_weight = _choose_cooc_weight(oof_scores, data.labels, oof, config)
    oof_scores = _smooth_out_of_fold(oof_scores, data.labels, oof, config, cooc_weight)
    thresholds = _tune_thresholds(oof_scores, data.labels, config)
    space = FeatureSpace.fit(data.docs, min_df=config.min_df, title_weight=config.title_weight,
                             journal_weight=config.journal_weight)
    text = space.text_matrix(data.docs)
    x = space.transform(data.docs, text)
    rows = _augment(space, names, data, x, config)
    coef, intercept = _fit_topic_classifiers(rows.x, rows.labels, config, seed, rows.weights)
    type_coef, type_intercept, type_present = _fit_types(
        rows, len(taxonomy.research_types), config, seed)
    return TopicModel(
        topics=list(taxonomy.topics),
        research_types=list(taxonomy.research_types),
        config=config,
        space=space,
        topic_coef=coef,
        topic_intercept=intercept,
        platt=platt,
        thresholds=thresholds,
        keyword_sets=keyword_sets,
        type_coef=type_coef,
        type_intercept=type_intercept,
        type_present=type_present,
        doc_ids=list(data.ids),
        doc_titles=list(data.titles),
        doc_matrix=text,
        doc_labels=data.labels.astype(np.uint8),
        cooc=cooccurrence(data.labels, config.cooc_alpha),
        cooc_weight=cooc_weight,
        type_prior=type_shares(data.types, len(taxonomy.research_types)),
        fingerprint=fingerprint,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        train_seconds=round(time.perf_counter() - started, 3),
    )


def train_model(summaries: list[Summary], taxonomy: Taxonomy, *, seed: int = 0,
                config: TaggerConfig | None = None) -> TopicModel:
    """Train the suggester on a corpus (what `pprnet build` calls after the search index)."""
    if not summaries:
        raise ValueError("cannot train a topic model on an empty corpus")
    started = time.perf_counter()
    data = prepare(summaries, taxonomy)
    model = fit_prepared(data, taxonomy, seed=seed, config=config or DEFAULT_CONFIG,
                         fingerprint=corpus_fingerprint(summaries))
    model.train_seconds = round(time.perf_counter() - started, 3)
    return model
