"""Topic and research-type suggestions for the editor, with honest evaluation.

`train_model` learns from the corpus (called by `pprnet build` after the search index),
`save_model`/`load_model` keep it under ``index/model``, and `TopicModel.suggest` ranks the
36 topics, the research types and the most similar archived summaries for a draft.
`explorer.tagger.evaluate` cross-validates it against two baselines.

One job per module: `config` (every choice, `TaggerConfig`), `training_data` (analyzed
rows and extra examples), `training` (inner cross-validation, fitting), `classifiers/`
behind `registry` (one module per topic classifier), `calibration` (Platt and z-scores),
`thresholds`, `neighbours` (the kNN vote), `scoring` (the blend, the frequency prior),
`residual` (the "no topic fits" label, scored by how weakly the others fit),
`research_type`, `model` (a trained `TopicModel` and `suggest`), `suggest_input` (the one
check of a draft), `persist`.
The figures behind the defaults are in `docs/tagger_benchmarks.md`.
"""

from explorer.tagger.config import DEFAULT_CONFIG, TaggerConfig
from explorer.tagger.fingerprint import corpus_fingerprint
from explorer.tagger.model import TopicModel
from explorer.tagger.persist import (
    CorruptModelError,
    ModelError,
    ModelMissingError,
    StaleModelError,
    load_model,
    read_meta,
    save_model,
)
from explorer.tagger.training import train_model

__all__ = [
    "DEFAULT_CONFIG",
    "CorruptModelError",
    "ModelError",
    "ModelMissingError",
    "StaleModelError",
    "TaggerConfig",
    "TopicModel",
    "corpus_fingerprint",
    "load_model",
    "read_meta",
    "save_model",
    "train_model",
]
