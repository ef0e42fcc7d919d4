"""The shared text pipeline: stemming, stop words, spellings, acronyms, offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer import textproc
from explorer.textproc import ACRONYMS, STOP_WORDS, analyze, normalize_spelling, tokens


def test_run_runs_running_share_one_stem() -> None:
    assert len(set(analyze("run runs running"))) == 1
    # Whoosh's own stemmer gets this wrong ("runn"); ours must not.
    assert analyze("running") == ["run"]


@pytest.mark.parametrize(
    "family",
    [
        ["therapy", "therapies"],
        ["depression", "depressions"],
        ["outcome", "outcomes"],
        ["randomized", "randomised", "randomization", "randomisation"],
    ],
)
def test_word_families_meet(family: list[str]) -> None:
    assert len({tuple(analyze(w)) for w in family}) == 1


def test_stop_words_are_dropped_and_owned_by_the_project() -> None:
    assert "the" in STOP_WORDS and "and" in STOP_WORDS
    assert analyze("the alliance and the outcome") == analyze("alliance outcome")


def test_contracted_stop_words_are_dropped_too() -> None:
    # Apostrophes are removed before the stop list is consulted.
    assert analyze("don't aren't it's") == []
    assert analyze("client's") == analyze("client")


BRITISH_AMERICAN = [
    ("behaviour", "behavior"),
    ("behavioural", "behavioral"),
    ("counselling", "counseling"),
    ("counsellor", "counselor"),
    ("randomised", "randomized"),
    ("randomisation", "randomization"),
    ("programme", "program"),
    ("paediatric", "pediatric"),
    ("organisation", "organization"),
    ("hospitalised", "hospitalized"),
    ("traumatised", "traumatized"),
    ("recognise", "recognize"),
    ("centre", "center"),
    ("judgement", "judgment"),
    ("modelling", "modeling"),
    ("colour", "color"),
    ("honour", "honor"),
    ("ageing", "aging"),
    ("anaesthesia", "anesthesia"),
    ("defence", "defense"),
]


@pytest.mark.parametrize(("british", "american"), BRITISH_AMERICAN)
def test_british_and_american_spellings_meet(british: str, american: str) -> None:
    assert normalize_spelling(british) == american
    assert analyze(british) == analyze(american)
    assert analyze(british.capitalize()) == analyze(american)


@pytest.mark.parametrize("word", ["exercise", "advise", "otherwise", "promise", "premise",
                                  "criticism", "realism", "analysis"])
def test_ise_rule_leaves_other_words_alone(word: str) -> None:
    assert normalize_spelling(word) == word


def _has_acronym(text: str, short: str) -> bool:
    return short.lower() in [t.term for t in tokens(text)]


@pytest.mark.parametrize("acronym", ACRONYMS, ids=lambda a: a.short)
def test_every_long_form_yields_its_acronym(acronym: textproc.Acronym) -> None:
    for long_form in acronym.long_forms:
        assert _has_acronym(f"We studied {long_form} here.", acronym.short), long_form


@pytest.mark.parametrize("acronym", ACRONYMS, ids=lambda a: a.short)
def test_every_acronym_yields_its_long_form(acronym: textproc.Acronym) -> None:
    long_terms = set(analyze(acronym.long_forms[0]))
    text_terms = {t.term for t in tokens(f"We studied {acronym.short} here.")}
    assert long_terms <= text_terms
    assert acronym.short.lower() in text_terms


@pytest.mark.parametrize(
    ("short", "long_text"),
    [
        ("CBT", "cognitive-behavioural therapy"),
        ("CBT", "Cognitive Behavioral Therapy"),
        ("PTSD", "posttraumatic stress disorder"),
        ("PTSD", "post-traumatic stress disorder"),
        ("RCT", "randomised controlled trials"),
        ("ERP", "exposure and response prevention"),
        ("DBT", "dialectical behaviour therapy"),
        ("MBCT", "mindfulness-based cognitive therapy"),
        ("STPP", "short-term psychodynamic psychotherapy"),
        ("TAU", "treatment as usual"),
    ],
)
def test_acronyms_meet_spelled_out_variants(short: str, long_text: str) -> None:
    assert _has_acronym(long_text, short)
    assert set(analyze(long_text)) <= {t.term for t in tokens(short)}


def test_ambiguous_acronyms_need_capitals_in_documents() -> None:
    # "rom" and "tau" as ordinary lowercase words are not ROM / TAU.
    assert "routin" not in analyze("the rom was small")
    assert "routin" in analyze("ROM improved outcomes")
    # ...but a typed query may use lowercase for the unambiguous ones.
    assert "cognit" in analyze("cbt", query=True)


def test_plural_acronym() -> None:
    assert "rct" in analyze("Two RCTs were run")


def test_token_offsets_point_at_the_source_text() -> None:
    text = "Therapists' behaviour in CBT sessions"
    for tok in tokens(text):
        assert 0 <= tok.start < tok.end <= len(text)
    by_term = {t.term: t for t in tokens(text) if not t.synthetic}
    assert text[by_term["behavior"].start:by_term["behavior"].end] == "behaviour"
    cbt = by_term["cbt"]
    assert text[cbt.start:cbt.end] == "CBT"
    synthetic = [t for t in tokens(text) if t.synthetic]
    assert synthetic and all((t.start, t.end) == (cbt.start, cbt.end) for t in synthetic)


def test_long_form_acronym_spans_the_whole_phrase() -> None:
    text = "We used cognitive behavioural therapy."
    cbt = [t for t in tokens(text) if t.term == "cbt"]
    assert len(cbt) == 1 and cbt[0].synthetic
    assert text[cbt[0].start:cbt[0].end] == "cognitive behavioural therapy"



def test_empty_and_odd_input() -> None:
    assert analyze("") == []
    assert analyze("!!! ??? ---") == []
    assert analyze("\x00\x01") == []
    assert analyze("x" * 5000) == [textproc.stem("x" * 5000)]


WORDISH = "abcdéøß'’-_ 0129\n\tΩЖ漢.,;:!?()\u00a0\u200b"


@given(st.text(alphabet=WORDISH, max_size=80) | st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_word_spans_are_nltks_regexp_tokenizer_spans(text: str) -> None:
    """The spans come from ``finditer`` directly; NLTK's tokenizer as the pipeline used it
    (same pattern, default flags, compiled by the standard ``re``: NLTK's own ReDoS guard
    compiles with the ``regex`` engine, which reads ``[^\\W_]`` differently for "¼") must
    find exactly the same ones."""
    import re

    from nltk.tokenize import RegexpTokenizer

    class StdlibRegexpTokenizer(RegexpTokenizer):
        def _check_regexp(self) -> None:
            if self._regexp is None:
                self._regexp = re.compile(self._pattern, self._flags)

    nltk_spans = list(StdlibRegexpTokenizer(textproc._TOKEN_PATTERN).span_tokenize(text))
    assert textproc.word_spans(text) == nltk_spans
