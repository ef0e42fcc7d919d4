"""The residual label ("Miscellaneous"): the taxonomy flag and its scorer on known answers."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import yaml

from explorer.corpus import CorpusError, load_taxonomy
from explorer.records import Summary, Taxonomy
from explorer.tagger import load_model, save_model, train_model
from explorer.tagger.residual import (
    Residual,
    fit_residual,
    residual_arrays,
    residual_from_arrays,
    score_scale,
    with_residual,
    year_of,
)

REPO = Path(__file__).resolve().parents[1]
MISC = "Miscellaneous"

# --------------------------------------------------------------------------- taxonomy flag


def _write_taxonomy(folder: Path, extra: str) -> Path:
    (folder / "taxonomy.yaml").write_text(
        'topics:\n  - "Depression"\n  - "Alliance"\n  - "Miscellaneous"\n' + extra,
        encoding="utf-8")
    return folder


def test_residual_topics_are_read_from_the_taxonomy(tmp_path):
    taxonomy = load_taxonomy(_write_taxonomy(tmp_path, 'residual_topics: ["Miscellaneous"]\n'))
    assert taxonomy.residual_topics == [MISC]


def test_a_taxonomy_without_the_key_has_no_residual_topic(tmp_path):
    assert load_taxonomy(_write_taxonomy(tmp_path, "")).residual_topics == []


@pytest.mark.parametrize(("extra", "message"), [
    ('residual_topics: ["Other"]\n', "residual topic 'Other' is not in 'topics'"),
    ("residual_topics: Miscellaneous\n", "'residual_topics' must be a list of topic names"),
    ("residual_topics: [1]\n", "'residual_topics' must be a list of topic names"),
])
def test_a_bad_residual_list_is_one_clear_error(tmp_path, extra, message):
    with pytest.raises(CorpusError, match=message):
        load_taxonomy(_write_taxonomy(tmp_path, extra))


def test_bundled_and_packaged_taxonomies_flag_miscellaneous_alike():
    bundled = yaml.safe_load((REPO / "corpus" / "taxonomy.yaml").read_text(encoding="utf-8"))
    packaged = yaml.safe_load(
        (REPO / "explorer" / "data" / "default_taxonomy.yaml").read_text(encoding="utf-8"))
    assert bundled == packaged
    assert bundled["residual_topics"] == [MISC]
    assert load_taxonomy(REPO / "corpus").residual_topics == [MISC]


@pytest.mark.parametrize(("month", "year"), [("2019-01", 2019.0), ("2020-07", 2020.5),
                                             ("2021", 2021.0)])
def test_post_months_become_fractional_years(month, year):
    assert year_of(month) == pytest.approx(year)


@pytest.mark.parametrize("month", [None, "", "soon", "2020-13"])
def test_an_unreadable_month_is_no_date(month):
    assert np.isnan(year_of(month))


# --------------------------------------------------------------------------- the scorer


def _features_corpus(n: int = 120, seed: int = 3) -> tuple[np.ndarray, ...]:
    """Out-of-fold probabilities of two subject topics and a residual one (column 2): from
    2021 on, documents neither subject topic fits well carry the residual label; before,
    the label did not exist and such documents went without it."""
    rng = np.random.default_rng(seed)
    prob = rng.uniform(0.55, 0.95, size=(n, 3))
    labels = np.zeros((n, 3), dtype=np.uint8)
    labels[:, 0] = prob[:, 0] > 0.75
    labels[:, 1] = ~labels[:, 0].astype(bool)
    weak = np.arange(n) % 5 == 0
    prob[weak, :2] = rng.uniform(0.05, 0.3, size=(int(weak.sum()), 2))
    dates = np.where(np.arange(n) < n // 3, 2014.0, 2021.0)
    labels[weak & (dates > 2020), 2] = 1
    nearest = rng.uniform(0.2, 0.6, size=n)
    knn = np.zeros((n, 3))
    return prob, knn, nearest, dates, labels


def test_a_text_no_topic_fits_scores_the_residual_label_high():
    prob, knn, nearest, dates, labels = _features_corpus()
    scorer = fit_residual(prob, knn, nearest, dates, labels, topic=2, min_positives=3, seed=0)
    assert scorer.active and scorer.since == 2021.0
    fits_nothing = np.array([[0.1, 0.15, 0.0]])
    fits_one = np.array([[0.9, 0.2, 0.0]])
    one = np.zeros((1, 3))
    high = scorer.probability(fits_nothing, one, np.array([0.3]), np.array([2022.0]))[0]
    low = scorer.probability(fits_one, one, np.array([0.3]), np.array([2022.0]))[0]
    assert high > 0.5 > low
    # Dated before the label was ever used, the same weak fit is no reason for it.
    before = scorer.probability(fits_nothing, one, np.array([0.3]), np.array([2013.0]))[0]
    assert before < high / 2
    # A short text (no evidence that nothing fits) is scaled down.
    short = scorer.probability(fits_nothing, one, np.array([0.3]), np.array([2022.0]),
                               evidence=np.array([0.25]))[0]
    assert short == pytest.approx(high * 0.25)


def test_too_few_examples_leave_the_scores_alone():
    prob, knn, nearest, dates, labels = _features_corpus()
    labels[:, 2] = 0
    labels[0, 2] = 1
    scorer = fit_residual(prob, knn, nearest, dates, labels, topic=2, min_positives=3, seed=0)
    assert not scorer.active
    scores = np.array([[0.5, 0.2, 0.1]])
    assert with_residual(scores, scorer, np.array([0.9])) is scores


def test_the_residual_probability_ranks_against_what_other_topics_achieve():
    # Other topics are right half the time at score 0.4 and always at 0.8: a residual
    # probability of 0.5 is worth a blended score of about 0.4, not 0.5.
    scores = np.array([[0.8, 0.4], [0.1, 0.8], [0.1, 0.1], [0.8, 0.4]])
    labels = np.array([[1, 0], [0, 1], [0, 0], [1, 1]])
    x, y = score_scale(np.column_stack([scores, np.zeros(4)]),
                       np.column_stack([labels, np.zeros(4)]), topic=2)
    assert list(y) == sorted(y) and y[0] == 0.0 and y[-1] == 1.0
    scorer = Residual(topic=2, scale_x=x, scale_y=y)
    out = with_residual(np.array([[0.9, 0.2, 0.0]]), scorer, np.array([0.5]))
    assert out[0, 2] == pytest.approx(0.4)
    assert list(out[0, :2]) == [0.9, 0.2]


def test_the_scorer_survives_its_arrays():
    prob, knn, nearest, dates, labels = _features_corpus()
    scorer = fit_residual(prob, knn, nearest, dates, labels, topic=2, min_positives=3, seed=0)
    back = residual_from_arrays(residual_arrays(scorer))
    assert back.topic == 2 and back.since == scorer.since
    np.testing.assert_allclose(back.coef, scorer.coef)
    assert not residual_from_arrays({}).active  # a model saved before it existed


# --------------------------------------------------------------------------- end to end

SUBJECTS = {
    "Depression": ["depression", "depressive", "mood", "sadness", "antidepressant", "anhedonia",
                   "rumination", "hopelessness", "melancholia", "dysthymia"],
    "Alliance": ["alliance", "bond", "rapport", "agreement", "collaboration", "relationship",
                 "rupture", "repair", "trust", "partnership"],
}
COMMON = ["study", "patients", "therapy", "sessions", "results", "clinicians", "treatment",
          "sample", "findings"]
# Words no training summary uses: only the weak fit of every topic can point to MISC.
UNSEEN = ["volcano", "glacier", "lighthouse", "harbour", "orchard", "meadow", "canyon", "lagoon"]


def _doc(i: int, words: list[str], rng: random.Random, topics: list[str],
         published: str) -> Summary:
    body = " ".join(rng.choice(words) if rng.random() < 0.6 else rng.choice(COMMON)
                    for _ in range(70))
    return Summary(id=f"s{i:03d}", published=published, title=" ".join(rng.sample(words, 3)),
                   body=body + ".", topics=topics, research_type="Meta-analysis")


@pytest.fixture(scope="module")
def residual_model():
    rng = random.Random(5)
    docs: list[Summary] = []
    for i in range(60):
        topic = "Depression" if i % 2 else "Alliance"
        docs.append(_doc(i, SUBJECTS[topic], rng, [topic], f"{2013 + i % 10}-0{1 + i % 9}"))
    for i in range(60, 75):  # each on a subject of its own: words no other summary shares
        private = ["".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou")
                           for _ in range(4)) for _ in range(8)]
        docs.append(_doc(i, private, rng, [MISC], f"{2019 + i % 4}-0{1 + i % 9}"))
    taxonomy = Taxonomy(topics=["Depression", "Alliance", MISC], residual_topics=[MISC])
    return train_model(docs, taxonomy)


def test_trained_model_ranks_miscellaneous_first_for_a_text_that_fits_no_topic(residual_model):
    rng = random.Random(9)
    odd = " ".join(rng.choice(UNSEEN + COMMON) for _ in range(80))
    topics = residual_model.suggest("A note on something else", odd, published="2022-03")
    assert residual_model.residual.active
    assert topics["topics"][0]["topic"] == MISC


def test_trained_model_keeps_miscellaneous_low_for_a_text_on_one_topic(residual_model):
    rng = random.Random(10)
    text = " ".join(rng.choice(SUBJECTS["Depression"] + COMMON) for _ in range(80))
    out = residual_model.suggest("Depression and mood", text, published="2022-03")
    ranked = [t["topic"] for t in out["topics"]]
    scores = {t["topic"]: t["score"] for t in out["topics"]}
    assert ranked[0] == "Depression"
    assert scores[MISC] < scores["Depression"] / 2


def test_the_residual_scorer_is_saved_with_the_model(residual_model, tmp_path):
    save_model(residual_model, tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.residual.topic == residual_model.residual.topic
    np.testing.assert_allclose(loaded.residual.scale_x, residual_model.residual.scale_x)
    rng = random.Random(9)
    odd = " ".join(rng.choice(UNSEEN + COMMON) for _ in range(80))
    assert loaded.suggest("x", odd, published="2022-03") == \
        residual_model.suggest("x", odd, published="2022-03")
