"""Train the topic and research-type suggester.

Topics (multi-label, a few hundred examples): one linear classifier per topic (the
registered classifier named in `TaggerConfig`, see `registry`), its out-of-fold decision
values put on one scale across topics (standardised per topic by default, so a topic ranks
by how unusual its decision is for it; Platt scaling is fitted too, and is the scale when
configured), then blended with a nearest-neighbour vote of the most similar archived
summaries, a small prior for texts that name the topic and a small one for topics the
archive uses often. Each topic's name (and
aliases) also joins the training data as one extra example of it, which helps the rare
topics most. Each topic gets its own threshold, tuned on the same out-of-fold scores.

The inner cross-validation (`_out_of_fold`) is what makes calibration, thresholds and the
co-occurrence weight honest: they are fitted on scores of documents the classifiers did
not see.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import scipy.sparse as sp

from explorer.records import Summary, Taxonomy
from explorer.tagger.calibration import calibrate
from explorer.tagger.classifiers.base import FitOptions, LinearTopics
from explorer.tagger.config import BLEND_GRID, COOC_GRID, DEFAULT_CONFIG, TaggerConfig
from explorer.tagger.features import AnalyzedDoc, FeatureSpace
from explorer.tagger.fingerprint import corpus_fingerprint
from explorer.tagger.keywords import keyword_matrix, topic_keyword_sets
from explorer.tagger.model import TopicModel
from explorer.tagger.neighbours import knn_vote
from explorer.tagger.profile import ProfileScorer
from explorer.tagger.registry import classifier
from explorer.tagger.research_type import fit_types, type_shares
from explorer.tagger.residual import (
    Residual,
    cross_fitted,
    fit_residual,
    score_scale,
    with_residual,
)
from explorer.tagger.scoring import (
    blend,
    cooccurrence,
    frequency_prior,
    recall_at,
    residual_view,
    smooth,
    with_prior,
)
from explorer.tagger.splits import stratified_folds
from explorer.tagger.thresholds import tune_thresholds
from explorer.tagger.training_data import TrainingData, augment, name_documents, prepare


def fit_topics(x: sp.csr_matrix, labels: np.ndarray, config: TaggerConfig, seed: int,
               sample_weight: np.ndarray | None = None) -> LinearTopics:
    """Train the configured classifier (looked up in the registry) on feature rows."""
    options = FitOptions(C=config.C, class_weight=config.class_weight, seed=seed,
                         sample_weight=sample_weight)
    return classifier(config.classifier).fit(x, labels, options)


def _space(docs: list[AnalyzedDoc], config: TaggerConfig) -> FeatureSpace:
    return FeatureSpace.fit(docs, min_df=config.min_df, title_weight=config.title_weight,
                            journal_weight=config.journal_weight)


@dataclass
class _OutOfFold:
    """Every training document scored by a model that did not see it."""

    decisions: np.ndarray
    knn: np.ndarray
    keyword: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]  # (train rows, held-out rows) per inner fold
    profile: np.ndarray | None = None
    nearest: np.ndarray | None = None  # similarity of each document's nearest neighbour


def _out_of_fold(data: TrainingData, keyword: np.ndarray, names: list[AnalyzedDoc],
                 config: TaggerConfig, seed: int) -> _OutOfFold:
    """Decision values, neighbour votes and name priors of every document, out of fold."""
    n, n_topics = data.labels.shape
    decisions = np.zeros((n, n_topics))
    knn = np.zeros((n, n_topics))
    profile = np.zeros((n, n_topics)) if config.profile_weight else None
    nearest = np.zeros(n)
    folds = min(config.inner_folds, n)
    if folds < 2:
        return _OutOfFold(decisions, knn, keyword, [], None, nearest)
    layout = list(stratified_folds(data.labels, data.types.tolist(), folds, seed))
    for train, test in layout:
        inner = data.subset(train)
        held = data.subset(test)
        space = _space(inner.docs, config)
        train_text = space.text_matrix(inner.docs)
        rows = augment(space, names, inner, space.transform(inner.docs, train_text), config)
        topics = fit_topics(rows.x, rows.labels, config, seed, rows.weights)
        held_text = space.text_matrix(held.docs)
        decisions[test] = topics.decisions(space.transform(held.docs, held_text))
        sims = np.asarray((held_text @ train_text.T).todense())
        nearest[test] = sims.max(axis=1) if sims.shape[1] else 0.0
        knn[test] = knn_vote(sims, inner.labels.astype(np.float64), config.knn_k,
                             config.knn_power)
        if profile is not None:
            profile[test] = ProfileScorer.score(held_text,
                                                ProfileScorer.fit(train_text, inner.labels))
    return _OutOfFold(decisions, knn, keyword, layout, profile, nearest)


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


def _precision_at_1(scores: np.ndarray, labels: np.ndarray) -> float:
    rows = np.flatnonzero(labels.sum(axis=1) > 0)
    if len(rows) == 0:
        return 0.0
    best = np.argmax(scores[rows], axis=1)
    return float(labels[rows, best].mean())


def _choose_blend(oof: _OutOfFold, platt: np.ndarray, labels: np.ndarray,
                  config: TaggerConfig, ranking: np.ndarray | None = None) -> TaggerConfig:
    """The config with the blend shares best on inner out-of-fold recall@5 + precision@1."""
    if not config.tune_blend or not oof.folds:
        return config
    best, best_value = config, -1.0
    for knn_weight, keyword_weight in BLEND_GRID:
        if knn_weight + keyword_weight + config.profile_weight > 1:
            continue
        trial = replace(config, knn_weight=knn_weight, keyword_weight=keyword_weight)
        scores = blend(oof.decisions, platt, oof.knn, oof.keyword, trial, oof.profile, ranking)
        value = recall_at(scores, labels) + _precision_at_1(scores, labels)
        if value > best_value + 1e-9:
            best, best_value = trial, value
    return best


def _residual(data: TrainingData, taxonomy: Taxonomy, oof: _OutOfFold, prob: np.ndarray,
              scores: np.ndarray, config: TaggerConfig, seed: int
              ) -> tuple[Residual, np.ndarray]:
    """The residual label's scorer, and the out-of-fold scores with its cross-fitted share.

    Only the first residual topic of the taxonomy is modelled (the blog has one).
    """
    topics = [taxonomy.topics.index(t) for t in taxonomy.residual_topics if t in taxonomy.topics]
    if not config.residual or not topics or not oof.folds or oof.nearest is None or \
            data.dates is None:
        return Residual(), scores
    topic = topics[0]
    scorer = fit_residual(prob, oof.knn, oof.nearest, data.dates, data.labels, topic,
                          config.min_positives, seed)
    if not scorer.active:
        return scorer, scores
    scale_x, scale_y = score_scale(scores, data.labels, topic)
    scorer = replace(scorer, scale_x=scale_x, scale_y=scale_y)
    held = cross_fitted(prob, oof.knn, oof.nearest, data.dates, data.labels, topic, oof.folds,
                        config.min_positives, seed)
    return scorer, with_residual(scores, scorer, held)


def fit_prepared(data: TrainingData, taxonomy: Taxonomy, *, seed: int = 0,
                 config: TaggerConfig = DEFAULT_CONFIG, fingerprint: str = "") -> TopicModel:
    """Train on already analyzed documents (evaluation reuses one analysis for all folds)."""
    if not data.docs:
        raise ValueError("cannot train a topic model on an empty corpus")
    started = time.perf_counter()
    keyword_sets = topic_keyword_sets(taxonomy)
    keyword = keyword_matrix((d.text_terms for d in data.docs), keyword_sets)
    names = name_documents(taxonomy)
    oof = _out_of_fold(data, keyword, names, config, seed)
    platt = calibrate(oof.decisions, data.labels, config.min_positives)
    ranking = None if config.calibration == "platt" else \
        calibrate(oof.decisions, data.labels, config.min_positives, config.calibration)
    config = _choose_blend(oof, platt, data.labels, config, ranking)
    oof_scores = with_prior(blend(oof.decisions, platt, oof.knn, oof.keyword, config,
                                  oof.profile, ranking),
                            frequency_prior(data.labels), config.prior_weight)
    residual, oof_scores = _residual(data, taxonomy, oof,
                                     residual_view(oof.decisions, platt, ranking, config),
                                     oof_scores, config, seed)
    cooc_weight = _choose_cooc_weight(oof_scores, data.labels, oof, config)
    oof_scores = _smooth_out_of_fold(oof_scores, data.labels, oof, config, cooc_weight)
    thresholds = tune_thresholds(oof_scores, data.labels, min_positives=config.min_positives,
                                 shrink=config.threshold_shrink)
    space = _space(data.docs, config)
    text = space.text_matrix(data.docs)
    rows = augment(space, names, data, space.transform(data.docs, text), config)
    topics = fit_topics(rows.x, rows.labels, config, seed, rows.weights)
    type_rows = rows
    if config.type_title_copy_weight != config.title_copy_weight:
        type_rows = augment(space, names, data, rows.x[: len(data.docs)],
                            replace(config, title_copy_weight=config.type_title_copy_weight))
    type_coef, type_intercept, type_present = fit_types(
        type_rows, len(taxonomy.research_types), config, seed)
    return TopicModel(
        topics=list(taxonomy.topics),
        research_types=list(taxonomy.research_types),
        config=config,
        space=space,
        topic_coef=topics.coef,
        topic_intercept=topics.intercept,
        platt=platt,
        ranking=np.zeros((0, 2)) if ranking is None else ranking,
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
        residual=residual,
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
