"""The topic suggester: training, suggestion shape, determinism, input limits, explanations."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest

from explorer.records import Summary
from explorer.tagger import TaggerConfig, TopicModel, corpus_fingerprint, train_model
from explorer.tagger.config import COOC_GRID
from explorer.tagger.features import (
    MAX_TEXT_CHARS,
    DocFields,
    analyze_fields,
    cap_fields,
    cue_vector,
    fields_of,
    journal_key,
    surface_words,
)
from explorer.tagger.keywords import keyword_scores, topic_keyword_sets
from explorer.tagger.neighbours import knn_vote
from explorer.tagger.scoring import cooccurrence, smooth
from explorer.tagger.synthetic import synthetic_corpus


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Summary], object]:
    return synthetic_corpus(90, seed=3)


@pytest.fixture(scope="module")
def model(corpus) -> TopicModel:
    summaries, taxonomy = corpus
    return train_model(summaries, taxonomy, seed=0)


def _draft(summary: Summary) -> dict:
    fields = fields_of(summary)
    return {"title": fields.title, "text": fields.text, "journal": fields.journal}


# --------------------------------------------------------------------------- shape


def test_suggest_returns_the_documented_json_shape(model, corpus):
    summaries, taxonomy = corpus
    result = model.suggest(**_draft(summaries[0]))
    assert set(result) == {"topics", "research_type", "similar"}
    assert len(result["topics"]) >= min(8, len(taxonomy.topics))
    for item in result["topics"]:
        assert set(item) == {"topic", "score", "suggested", "because"}
        assert item["topic"] in taxonomy.topics
        assert isinstance(item["score"], float) and 0.0 <= item["score"] <= 1.0
        assert isinstance(item["suggested"], bool)
        assert all(isinstance(w, str) and w for w in item["because"])
    scores = [t["score"] for t in result["topics"]]
    assert scores == sorted(scores, reverse=True)
    assert len({t["topic"] for t in result["topics"]}) == len(result["topics"])
    types = result["research_type"]
    assert {t["type"] for t in types} == set(taxonomy.research_types)
    assert all(set(t) == {"type", "score"} for t in types)
    assert abs(sum(t["score"] for t in types) - 1.0) < 1e-3
    assert [t["score"] for t in types] == sorted((t["score"] for t in types), reverse=True)
    for item in result["similar"]:
        assert set(item) == {"id", "title", "score"}
        assert item["score"] > 0


def test_limit_lists_at_least_that_many_topics_and_every_suggested_one(model, corpus):
    summaries, _ = corpus
    result = model.suggest(**_draft(summaries[1]), limit=2)
    listed = result["topics"]
    assert len(listed) >= 2
    assert all(t["suggested"] for t in listed[2:])
    full = model.suggest(**_draft(summaries[1]), limit=100)
    assert {t["topic"] for t in full["topics"] if t["suggested"]} == \
        {t["topic"] for t in listed if t["suggested"]}


@pytest.mark.parametrize("limit", [0, -1, 2.5, True, "3"])
def test_bad_limit_is_a_clear_value_error(model, limit):
    with pytest.raises(ValueError, match="limit"):
        model.suggest("Group therapy", limit=limit)


def test_a_training_summary_finds_itself_first_among_similar(model, corpus):
    summaries, _ = corpus
    target = summaries[5]
    result = model.suggest(**_draft(target))
    assert result["similar"][0]["id"] == target.id
    assert result["similar"][0]["title"] == target.title
    excluded = model.suggest(**_draft(target), exclude_id=target.id)
    assert target.id not in {s["id"] for s in excluded["similar"]}


def test_model_learns_the_topics_of_unseen_text(corpus):
    """Trained on most of the corpus, it ranks a held-out summary's topics near the top."""
    summaries, taxonomy = corpus
    held, train = summaries[:15], summaries[15:]
    model = train_model(train, taxonomy)
    found = total = 0
    for summary in held:
        ranked = [t["topic"] for t in model.suggest(**_draft(summary))["topics"]][:3]
        found += sum(1 for t in summary.topics if t in ranked)
        total += len(summary.topics)
    assert found / total >= 0.8


def test_research_type_follows_cue_words(model):
    meta = model.suggest("A meta-analysis of pooled effect sizes",
                         "This meta-analysis pooled effect sizes from 40 studies.")
    trial = model.suggest("A randomized trial", "Patients were randomised in a trial.")
    assert meta["research_type"][0]["type"] == "Meta-analysis"
    assert trial["research_type"][0]["type"] == "Randomized controlled trial"


# --------------------------------------------------------------------------- input limits


@pytest.mark.parametrize("title,text", [("", ""), ("   ", "\n\t"), (None, None), ("", None)])
def test_empty_input_is_a_clear_value_error(model, title, text):
    with pytest.raises(ValueError, match="give a title or some text"):
        model.suggest(title, text)


def test_non_text_input_is_a_value_error(model):
    with pytest.raises(ValueError, match="must be a string"):
        model.suggest(title=42)  # type: ignore[arg-type]


def test_title_alone_is_enough(model, corpus):
    summaries, _ = corpus
    result = model.suggest(title=summaries[2].title)
    assert result["topics"] and any(t["suggested"] for t in result["topics"])


def test_unknown_words_give_a_ranking_but_no_explanations(model):
    result = model.suggest("qwxzy plokk")
    assert len(result["topics"]) >= 8
    assert all(t["because"] == [] for t in result["topics"])
    assert result["similar"] == []


def test_huge_input_is_capped_and_answers_like_its_beginning(model, corpus):
    summaries, _ = corpus
    draft = _draft(summaries[3])
    filler = " ".join(["zzfiller"] * (MAX_TEXT_CHARS // 4))
    head = (draft["text"] + " ") * 3
    huge = head + filler + " " + (summaries[4].body + " ") * 200
    assert len(huge) > 5 * MAX_TEXT_CHARS
    capped, cut = cap_fields(DocFields(draft["title"], huge))
    assert cut and len(capped.text) <= MAX_TEXT_CHARS
    assert huge.startswith(capped.text)
    big = model.suggest(draft["title"], huge, journal=draft["journal"])
    same = model.suggest(draft["title"], capped.text, journal=draft["journal"])
    assert big == same


def test_cap_cuts_at_a_word_boundary():
    text = "word " * (MAX_TEXT_CHARS // 2)
    capped, cut = cap_fields(DocFields("", text))
    assert cut and capped.text.endswith("word")


# --------------------------------------------------------------------------- explanations


def test_because_words_come_from_the_input_and_support_the_topic(model, corpus):
    summaries, taxonomy = corpus
    summary = summaries[7]
    draft = _draft(summary)
    result = model.suggest(**draft)
    top = result["topics"][0]
    assert top["because"], "the best topic should be explained"
    words = {w.lower() for w in (draft["title"] + " " + draft["text"]).replace(".", " ").split()}
    assert all(w.lower() in words for w in top["because"])
    # Removing the explaining words lowers the topic's score.
    stripped = " ".join(w for w in draft["text"].replace(".", " ").split()
                        if w.lower() not in {b.lower() for b in top["because"]})
    title = " ".join(w for w in draft["title"].split()
                     if w.lower() not in {b.lower() for b in top["because"]})
    again = model.suggest(title or "x", stripped)
    score_after = next(t["score"] for t in again["topics"] + [{"topic": top["topic"],
                                                                "score": 0.0}]
                       if t["topic"] == top["topic"])
    assert score_after < top["score"]


def test_surface_words_keep_acronyms_and_the_writers_spelling():
    fields = DocFields("CBT for PTSD", "Behavioural therapies were compared.")
    surface = surface_words(fields)
    assert surface["cbt"] == "CBT"
    assert surface["ptsd"] == "PTSD"
    assert surface["behavior"] == "behavioural"


# --------------------------------------------------------------------------- determinism


def test_training_is_deterministic_and_ignores_file_order(corpus):
    summaries, taxonomy = corpus
    a = train_model(summaries, taxonomy, seed=0)
    b = train_model(list(reversed(summaries)), taxonomy, seed=0)
    assert a.fingerprint == b.fingerprint
    np.testing.assert_array_equal(a.topic_coef, b.topic_coef)
    np.testing.assert_array_equal(a.thresholds, b.thresholds)
    np.testing.assert_array_equal(a.type_coef, b.type_coef)
    for summary in summaries[:10]:
        assert a.suggest(**_draft(summary)) == b.suggest(**_draft(summary))


def test_fingerprint_changes_with_content_not_with_order_or_path(corpus):
    summaries, _ = corpus
    base = corpus_fingerprint(summaries)
    assert corpus_fingerprint(list(reversed(summaries))) == base
    moved = [replace(s, path=f"/elsewhere/{s.id}.md") for s in summaries]
    assert corpus_fingerprint(moved) == base
    edited = [replace(summaries[0], topics=summaries[0].topics[:1] + ["Training"])] + summaries[1:]
    if edited[0].topics != summaries[0].topics:
        assert corpus_fingerprint(edited) != base
    retitled = [replace(summaries[0], title=summaries[0].title + "!")] + summaries[1:]
    assert corpus_fingerprint(retitled) != base


def test_the_model_is_safe_to_share_between_threads(model, corpus):
    summaries, _ = corpus
    expected = [model.suggest(**_draft(s)) for s in summaries[:8]]
    results: dict[int, list] = {}

    def work(k: int) -> None:
        results[k] = [model.suggest(**_draft(s)) for s in summaries[:8]]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results.values())


# --------------------------------------------------------------------------- training edge cases


def test_empty_corpus_cannot_be_trained(corpus):
    _, taxonomy = corpus
    with pytest.raises(ValueError, match="empty"):
        train_model([], taxonomy)


def test_tiny_corpus_with_unseen_topics_still_trains(corpus):
    summaries, taxonomy = corpus
    tiny = [s for s in summaries if s.topics[0] == taxonomy.topics[0]][:3]
    model = train_model(tiny, taxonomy)
    result = model.suggest(**_draft(tiny[0]))
    assert result["topics"][0]["topic"] == taxonomy.topics[0]
    # Topics never seen in training are ranked below the ones that were.
    seen = {t for s in tiny for t in s.topics}
    ranks = {t["topic"]: i for i, t in enumerate(model.suggest(**_draft(tiny[0]),
                                                               limit=100)["topics"])}
    assert max(ranks[t] for t in seen) < min(r for t, r in ranks.items() if t not in seen)


@pytest.mark.parametrize("classifier", ["lr", "svm", "ridge"])
def test_every_classifier_option_trains_and_ranks(corpus, classifier):
    summaries, taxonomy = corpus
    config = TaggerConfig(classifier=classifier, C=1.0 if classifier != "lr" else 10.0)
    model = train_model(summaries[:60], taxonomy, config=config)
    target = summaries[0]
    ranked = [t["topic"] for t in model.suggest(**_draft(target))["topics"]]
    assert target.topics[0] in ranked[:3]


def test_title_copies_option_trains_and_ranks_from_a_title(corpus):
    summaries, taxonomy = corpus
    model = train_model(summaries[:60], taxonomy, config=TaggerConfig(title_copy_weight=0.5))
    ranked = [t["topic"] for t in model.suggest(title=summaries[0].title)["topics"]]
    assert summaries[0].topics[0] in ranked[:3]


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match="classifier"):
        TaggerConfig(classifier="forest")
    with pytest.raises(ValueError, match="knn_weight"):
        TaggerConfig(knn_weight=0.8, keyword_weight=0.5)
    with pytest.raises(ValueError, match="cooc_alpha"):
        TaggerConfig(cooc_alpha=0.0)
    with pytest.raises(ValueError, match="knn_power"):
        TaggerConfig(knn_power=0.0)


def test_cooccurrence_is_a_smoothed_conditional_without_diagonal():
    labels = np.array([[1, 1, 0], [1, 1, 0], [1, 0, 0], [0, 0, 1]], dtype=np.uint8)
    p = cooccurrence(labels, alpha=1.0)
    assert np.allclose(np.diag(p), 0.0)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert p[0, 1] > p[0, 2] > 0  # topics 0 and 1 go together; Laplace keeps 0 -> 2 alive
    assert np.allclose(p[2], [0.5, 0.5, 0.0])  # never with another topic: spreads evenly
    scores = np.array([[0.9, 0.1, 0.1]])
    smoothed = smooth(scores, p, 0.5)
    assert smoothed[0, 1] - scores[0, 1] > smoothed[0, 2] - scores[0, 2]
    assert smooth(scores, p, 0.0) is scores


def test_knn_power_favours_the_closest_neighbours():
    sims = np.array([[0.9, 0.3, 0.3]])
    labels = np.array([[1, 0], [0, 1], [0, 1]], dtype=np.float64)
    plain = knn_vote(sims, labels, k=3)
    squared = knn_vote(sims, labels, k=3, power=2.0)
    assert squared[0, 0] > plain[0, 0] and np.allclose(squared.sum(), 1.0)


@pytest.mark.parametrize("weight", [0.3, -1.0])
def test_cooccurrence_option_trains_and_ranks(corpus, weight):
    summaries, taxonomy = corpus
    model = train_model(summaries[:60], taxonomy, config=TaggerConfig(cooc_weight=weight))
    assert model.cooc.shape == (len(taxonomy.topics), len(taxonomy.topics))
    if weight >= 0:
        assert model.cooc_weight == weight
    else:
        assert model.cooc_weight in COOC_GRID
    target = summaries[0]
    ranked = [t["topic"] for t in model.suggest(**_draft(target))["topics"]]
    assert target.topics[0] in ranked[:3]


# --------------------------------------------------------------------------- feature helpers


def test_fields_of_joins_heading_study_title_summary_and_implications(corpus):
    summaries, _ = corpus
    s = replace(summaries[0], title="Heading", implications="Do this.")
    s.citation = replace(s.citation, title="The study's own title")
    fields = fields_of(s)
    assert fields.title == "Heading\nThe study's own title"
    assert fields.text.endswith("Do this.")
    assert fields.journal == s.citation.journal


def test_journal_key_ignores_case_punctuation_and_small_words():
    assert journal_key("The Journal of Counseling Psychology.") == \
        journal_key("journal counseling psychology")
    assert journal_key("") is None and journal_key(None) is None


def test_cue_vector_sees_spelling_variants():
    a = cue_vector(analyze_fields(DocFields("A randomised trial", "")))
    b = cue_vector(analyze_fields(DocFields("A randomized trial", "")))
    np.testing.assert_array_equal(a, b)
    assert a.sum() > 0
    assert cue_vector(analyze_fields(DocFields("Therapist empathy", ""))).sum() == 0


def test_keyword_scores_match_names_and_aliases(corpus):
    from explorer.corpus import load_taxonomy

    taxonomy = load_taxonomy()
    sets = topic_keyword_sets(taxonomy)
    index = {t: i for i, t in enumerate(taxonomy.topics)}
    scores = keyword_scores(analyze_fields(DocFields("", "High dropout in CBT")).text_terms, sets)
    assert scores[index["Attendance, Attrition, and Drop-Out"]] == 1.0  # alias "Dropout"
    assert scores[index["Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)"]] > 0.5
    assert scores[index["Empathy"]] == 0.0


def test_topic_names_are_learnt_even_when_examples_never_use_them(model, corpus):
    """The name of a topic (or an alias) in a draft ranks it high, via the name examples."""
    _, taxonomy = corpus
    for topic in ("Termination", "Empathy", "Group Psychotherapy"):
        ranked = [t["topic"] for t in model.suggest(title=topic)["topics"]]
        assert ranked[0] == topic


def test_name_documents_cover_every_topic_and_its_aliases():
    from explorer.corpus import load_taxonomy
    from explorer.tagger.training_data import name_documents

    taxonomy = load_taxonomy()
    docs = name_documents(taxonomy)
    assert len(docs) == len(taxonomy.topics)
    dropout = docs[taxonomy.topics.index("Attendance, Attrition, and Drop-Out")]
    assert "dropout" in dropout.text_terms  # from the alias "Dropout"
