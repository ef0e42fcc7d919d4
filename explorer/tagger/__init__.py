"""Topic and research-type suggestions for the editor, with honest evaluation.

`train_model` learns from the corpus (called by `pprnet build` after the search index),
`save_model`/`load_model` keep it under ``index/model``, and `TopicModel.suggest` ranks the
36 topics, the research types and the most similar archived summaries for a draft.
`explorer.tagger.evaluate` cross-validates it against two baselines.
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
