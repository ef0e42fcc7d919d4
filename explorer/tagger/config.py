"""Every choice that shapes the tagger, in one frozen record saved with the model.

The figures behind each default are in `docs/tagger_benchmarks.md` (rerun with
`bench/tagger_bench.py --seeds 0,1,2`); this module holds only the choices and their checks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from explorer.tagger.registry import CLASSIFIERS

COOC_GRID = (0.0, 0.1, 0.2, 0.3, 0.5)  # weights tried when cooc_weight < 0
# (knn_weight, keyword_weight) pairs tried when tune_blend is on
CALIBRATIONS = ("platt", "zscore", "zscore_negatives", "raw")
BLEND_GRID = tuple((k, w) for k in (0.1, 0.2, 0.3, 0.4, 0.5) for w in (0.0, 0.1, 0.2, 0.3))


@dataclass(frozen=True)
class TaggerConfig:
    """Every choice that shapes the model; saved with it and compared in the bench.

    Each default won (or tied within the spread of fold layouts) the cross-validated
    comparison logged in `docs/tagger_benchmarks.md`.
    """

    classifier: str = "lr"  # a name in `registry.CLASSIFIERS`
    C: float = 10.0  # inverse regularisation of the topic classifiers
    class_weight: str | None = "balanced"
    knn_weight: float = 0.3  # share of the nearest-neighbour vote in the blended score
    knn_k: int = 10
    keyword_weight: float = 0.2  # share of the "text names the topic" prior
    name_weight: float = 2.0  # weight of one extra training example per topic: its name
    title_copy_weight: float = 0.0  # weight of each summary's title alone as an example
    # The same for the research-type classifier alone: a heading rarely names the design,
    # so a type model that never saw a bare title reads one as noise and scored below
    # always guessing the most frequent type on one fold layout (0.326 vs 0.331).
    type_title_copy_weight: float = 0.6
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
    # Research type of a text with fewer analyzed terms than this is pulled towards the
    # training share of each type (a title alone: balanced class weights would otherwise
    # favour the rare types on no evidence). 0 turns it off.
    type_evidence_terms: int = 60
    # Pick knn_weight and keyword_weight from BLEND_GRID by inner out-of-fold recall@5 plus
    # precision@1 (the configured values are then only the starting point).
    tune_blend: bool = False
    # Share of the per-topic TF-IDF profile vote (`profile.ProfileScorer`) in the blend.
    profile_weight: float = 0.0
    # Topic scores of a text with fewer analyzed terms than this lose (in proportion) what
    # an empty text would score above the average topic: with few words the classifiers'
    # intercepts decide, and the residual label Miscellaneous has the largest. 0: off.
    topic_evidence_terms: int = 40  # title-only top-5 with Miscellaneous: 72 -> 18 of 181
    # Score the taxonomy's residual topic ("no subject topic fits") by how weakly the others
    # fit and since when the label is used (`residual.py`) instead of by its words.
    residual: bool = True
    # Share of the label-frequency prior (each topic's training share over the largest
    # share) added to the blended score: frequent, broad topics are the ones missed at
    # ranks 5 to 7 (`bench/tagger_misses.py`); negative: frequent topics lose. 0: off.
    prior_weight: float = 0.05
    # How decision values become comparable across topics: "platt" (a sigmoid fitted on
    # out-of-fold decisions), "zscore" (each topic's out-of-fold decisions standardised,
    # then a logistic: a ranking by raw, per-topic normalised decisions), "zscore_negatives"
    # (standardised against the documents without the topic) or "raw".
    calibration: str = "zscore"
    # Share of that ranking scale in the classifier's part of the blend (the rest: Platt
    # probabilities).
    calibration_mix: float = 1.0
    # The residual label reads Platt probabilities of the other topics even when they are
    # ranked on another scale (off: it reads the scale they are ranked by).
    residual_on_platt: bool = False

    def __post_init__(self) -> None:
        if self.classifier not in CLASSIFIERS:
            raise ValueError(f"unknown classifier {self.classifier!r}: use one of "
                             f"{tuple(CLASSIFIERS)}")
        if not 0 <= self.knn_weight + self.keyword_weight + self.profile_weight <= 1:
            raise ValueError("knn_weight + keyword_weight + profile_weight must lie between "
                             "0 and 1")
        if self.cooc_alpha <= 0:
            raise ValueError("cooc_alpha must be positive")
        if self.knn_power <= 0:
            raise ValueError("knn_power must be positive")
        if not -1 <= self.prior_weight <= 1:
            raise ValueError("prior_weight must lie between -1 and 1")
        if not 0 <= self.calibration_mix <= 1:
            raise ValueError("calibration_mix must lie between 0 and 1")
        if self.calibration not in CALIBRATIONS:
            raise ValueError(f"unknown calibration {self.calibration!r}: use one of "
                             f"{CALIBRATIONS}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TaggerConfig:
        """The saved choices; a field the saved model predates takes the value it was
        trained with (`SAVED_BEFORE`), not today's default."""
        known = {f.name for f in fields(cls)}
        return cls(**(SAVED_BEFORE | {k: v for k, v in data.items() if k in known}))


# Fields whose default changed after models were saved without them: such a model was
# trained (thresholds tuned) with these values.
SAVED_BEFORE: dict = {"calibration": "platt", "prior_weight": 0.0}

DEFAULT_CONFIG = TaggerConfig()
