"""A trained suggester and its use: rank topics and research types, find similar summaries.

A `TopicModel` is plain arrays and word lists (`training.fit_prepared` makes one,
`persist` saves and loads it): deterministic for a given corpus and seed, read-only at
suggestion time (safe for many threads), saved without pickle. The score of a topic is
computed by `scoring.blend`, the same code that scored the out-of-fold documents its
thresholds were tuned on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
from scipy.special import expit

from explorer.tagger.config import TaggerConfig
from explorer.tagger.features import (
    AnalyzedDoc,
    FeatureSpace,
    analyze_fields,
    cap_fields,
    cue_matrix,
    surface_words,
)
from explorer.tagger.keywords import keyword_matrix
from explorer.tagger.neighbours import knn_vote
from explorer.tagger.profile import ProfileScorer
from explorer.tagger.residual import Residual, with_residual, year_of
from explorer.tagger.scoring import (
    blend,
    frequency_prior,
    residual_view,
    smooth,
    with_prior,
)
from explorer.tagger.suggest_input import read_input


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
    residual: Residual = field(default_factory=Residual)  # the "no topic fits" label's scorer
    # topics x 2: slope, offset of the ranking scale (`TaggerConfig.calibration`); empty: Platt
    ranking: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    fingerprint: str = ""
    sklearn_version: str = sklearn.__version__
    created: str = ""
    train_seconds: float = 0.0
    _id_index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _profiles: sp.csr_matrix | None = field(default=None, repr=False, compare=False)
    _prior: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False, compare=False)

    @property
    def _ranking(self) -> np.ndarray | None:
        return self.ranking if self.ranking.shape == self.platt.shape else None

    def __post_init__(self) -> None:
        self._id_index = {doc_id: i for i, doc_id in enumerate(self.doc_ids)}
        self._prior = frequency_prior(np.asarray(self.doc_labels)) \
            if self.doc_labels.ndim == 2 and len(self.doc_ids) else np.zeros(len(self.topics))
        if self.config.profile_weight and len(self.doc_ids):
            self._profiles = ProfileScorer.fit(self.doc_matrix, self.doc_labels)

    # ------------------------------------------------------------------ prediction

    def predict_docs(self, docs: Sequence[AnalyzedDoc],
                     dates: np.ndarray | None = None) -> dict[str, Any]:
        """Raw arrays for analyzed documents: topic scores, type probabilities, similarities.

        ``dates`` (fractional years, NaN: today) date each text for the residual label;
        none given: all are drafts written today. Also returns the joined feature rows
        (``x``, a sparse matrix) for explanations.
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
        blended = with_prior(blend(decisions, self.platt, knn, keyword, self.config, profile,
                                   self._ranking), self._prior, self.config.prior_weight)
        scores = self._with_residual(blended, decisions, knn, sims, docs, dates)
        scores = self._without_empty_prior(smooth(scores, self.cooc, self.cooc_weight), docs)
        return {"scores": scores, "types": self._type_probs(x, docs), "sims": sims, "x": x}

    def _with_residual(self, scores: np.ndarray, decisions: np.ndarray, knn: np.ndarray,
                       sims: np.ndarray, docs: Sequence[AnalyzedDoc],
                       dates: np.ndarray | None) -> np.ndarray:
        """The residual label's score replaced by its residual probability (on the blend scale).

        A short text is scaled down by its lack of words (`topic_evidence_terms`): a title
        alone does not show that no subject topic fits.
        """
        if not self.residual.active or not len(docs):
            return scores
        prob = residual_view(decisions, self.platt, self._ranking, self.config)
        nearest = sims.max(axis=1) if sims.shape[1] else np.zeros(len(docs))
        when = np.full(len(docs), np.nan) if dates is None else np.asarray(dates, dtype=float)
        limit = self.config.topic_evidence_terms
        evidence = np.array([min(1.0, len(d.text_terms) / limit) if limit > 0 else 1.0
                             for d in docs])
        residual = self.residual.probability(prob, knn, nearest, when, evidence)
        return with_residual(scores, self.residual, residual)

    def _without_empty_prior(self, scores: np.ndarray,
                             docs: Sequence[AnalyzedDoc]) -> np.ndarray:
        """Take the empty text's topic preferences out of the scores of short texts."""
        limit = self.config.topic_evidence_terms
        if limit <= 0 or not len(docs):
            return scores
        n_topics = len(self.topics)
        empty = smooth(with_prior(blend(self.topic_intercept[None, :], self.platt,
                                        np.zeros((1, n_topics)), np.zeros((1, n_topics)),
                                        self.config, np.zeros((1, n_topics)), self._ranking),
                                  self._prior, self.config.prior_weight),
                       self.cooc, self.cooc_weight)[0]
        lack = np.array([max(0.0, 1.0 - len(d.text_terms) / limit) for d in docs])[:, None]
        shift = empty - empty.mean()
        if self.residual.active:  # its short-text scaling is in `_with_residual`
            shift[self.residual.topic] = 0.0
        return scores - lack * shift[None, :]

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
                limit: int = 8, similar: int = 5, exclude_id: str | None = None,
                published: str | None = None) -> dict:
        """Ranked topics, research types and similar summaries for a draft.

        Returns ``{"topics": [{"topic", "score", "suggested", "because"}], "research_type":
        [{"type", "score"}], "similar": [{"id", "title", "score"}]}``: the best ``limit``
        topics (and any further suggested ones), every research type, and up to ``similar``
        archived summaries (``exclude_id`` leaves out the one being edited). ``published``
        ("YYYY-MM") dates the text for the residual label; a draft is dated today. Input beyond
        `features.MAX_TEXT_CHARS` is ignored. Raises ValueError (`SuggestInputError` for input
        that is not text or is empty, see `suggest_input.read_input`).
        """
        fields_ = read_input(title, text, journal)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError("limit must be a whole number of at least 1")
        if isinstance(similar, bool) or not isinstance(similar, int) or similar < 0:
            raise ValueError("similar must be a whole number of at least 0")
        fields_, _ = cap_fields(fields_)
        doc = analyze_fields(fields_)
        out = self.predict_docs([doc], np.array([year_of(published)]))
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


