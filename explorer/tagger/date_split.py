"""Evaluation by date: train on the posts before a year, test on the rest.

Cross-validation mixes years, so a topic whose vocabulary drifted (Miscellaneous, used only
since 2019; telepsychology after 2020) looks easier than it is for the next post the
editor writes. Training on the past and testing on the later posts is the honest check of
that use; it is reported beside the cross-validation, with the same metrics and baselines.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from explorer.records import Summary, Taxonomy
from explorer.tagger.config import DEFAULT_CONFIG, TaggerConfig
from explorer.tagger.evaluate import (
    baseline_predictions,
    model_predictions,
    topic_metrics,
    type_accuracy,
)
from explorer.tagger.training import fit_prepared
from explorer.tagger.training_data import prepare


def evaluate_by_date(summaries: Sequence[Summary], taxonomy: Taxonomy, *, year: int = 2021,
                     seed: int = 0, config: TaggerConfig = DEFAULT_CONFIG) -> dict:
    """Metrics of a model trained on posts published before ``year``, on the others."""
    cut = f"{year:04d}-01"
    train = [s for s in summaries if s.published < cut]
    test = [s for s in summaries if s.published >= cut]
    if len(train) < 10 or not test:
        raise ValueError(f"a split at {year} leaves {len(train)} summaries to train on and "
                         f"{len(test)} to test: choose another year")
    train_data, test_data = prepare(train, taxonomy), prepare(test, taxonomy)
    by_id = {s.id: s for s in test}
    ordered = [by_id[i] for i in test_data.ids]
    truth = [{taxonomy.topics[t] for t in np.flatnonzero(row)} for row in test_data.labels]
    true_types = [taxonomy.research_types[t] if t >= 0 else None for t in test_data.types]
    model = fit_prepared(train_data, taxonomy, seed=seed, config=config)
    pred = model_predictions(model, ordered, title_only=False, latencies=None)
    block = topic_metrics(pred, truth, taxonomy.topics)
    block["research_type_accuracy"] = type_accuracy(pred, true_types)
    baselines = {}
    for name, base in baseline_predictions(train_data, test_data, taxonomy).items():
        figures = topic_metrics(base, truth, taxonomy.topics)
        figures.pop("per_topic")
        figures["research_type_accuracy"] = type_accuracy(base, true_types)
        baselines[name] = figures
    return {"train_before": cut, "train": len(train), "test": len(test), "model": block,
            "baselines": baselines}
