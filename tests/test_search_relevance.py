"""Relevance rules of issue 10 on a small corpus written here: minimum-should-match with a
coordination factor, the vocabulary (synonyms, word families, compounds, the -ise fold,
exact forms above stems), the searchable citation, typo correction, filters that always
hold, topic facets that follow the topic mode, the two year filters and honest notices."""

from __future__ import annotations

import pytest

from explorer import textproc
from explorer.corpus import load_taxonomy
from explorer.records import Citation, Summary
from explorer.search import SearchIndex, SearchRequest, SearchResponse, build_index

TAXONOMY = load_taxonomy()

A, B, C = "Alliance and Therapeutic Relationship", "Therapist Factors", "Empathy"


def make(sid: str, title: str, body: str, *, topics: list[str], year: str = "2015",
         cited: str = "An untitled study", doi: str | None = None,
         authors: tuple[str, ...] = ("Doe, J.",), published: str = "2020-01") -> Summary:
    return Summary(
        id=sid, published=published, title=title, body=body, implications="",
        citation=Citation(authors=list(authors), year=year, title=cited,
                          journal="Journal of Tests", doi=doi),
        topics=topics, research_type="Randomized controlled trial",
    )


DOCS = [
    make("effects", "Therapist effects in routine care",
         "Therapist effects were large: some therapists had better outcomes.", topics=[B]),
    make("effectiveness", "The effectiveness of brief therapy",
         "The effectiveness of therapist training was studied in a clinic.", topics=[A]),
    make("patients", "Patients value warmth", "Patients rated warmth in sessions.",
         topics=[C]),
    make("clients", "Clients value warmth", "Clients rated warmth in sessions.", topics=[C]),
    make("historical", "A historical review of group work",
         "Group work has a long historical record.", topics=[A, B]),
    make("dropout", "Reducing drop-out from therapy", "Fewer patients dropped out early.",
         topics=[A], year="2008"),
    make("attrition", "Attrition in online trials", "Attrition was high online.",
         topics=[B], year="2012"),
    make("manual", "Manualised treatment", "A manualised protocol was used.", topics=[B],
         cited="Imperfect protocols in pragmatic guidelines", doi="10.1037/abc0000123",
         authors=("Kaptchuk, T. J.",), year="2008"),
    make("rupture", "Alliance rupture and repair training",
         "Therapists trained in rupture repair in community clinics.", topics=[A, B]),
    make("rupture2", "Alliance quality", "The alliance predicted outcome; repair helped.",
         topics=[A, C]),
    make("rupture3", "Ruptures in supervision", "Ruptures in supervision were rare.",
         topics=[B, C]),
    make("misspelt", "Warmth in sessions", "The therapst was warm.", topics=[C]),
]


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    folder = tmp_path_factory.mktemp("relevance-index")
    build_index(DOCS, folder, taxonomy=TAXONOMY)
    return SearchIndex.open(folder)


def run(idx: SearchIndex, text: str, **kw: object) -> SearchResponse:
    kw.setdefault("per_page", 100)
    return idx.search(SearchRequest(q=text, **kw))  # type: ignore[arg-type]


def order(res: SearchResponse) -> list[str]:
    return [h.id for h in res.hits]


def test_three_words_need_most_of_them_and_more_words_rank_higher(idx: SearchIndex) -> None:
    res = run(idx, "alliance rupture repair")
    assert order(res)[0] == "rupture"  # all three words
    assert "rupture2" in order(res)  # two of three (floor of 3/4 of 3 = 2)
    assert "rupture3" not in order(res)  # one of three
    assert res.total == len(res.hits) == 2


def test_one_or_two_words_and_explicit_and_require_every_word(idx: SearchIndex) -> None:
    assert order(run(idx, "alliance supervision")) == []
    assert set(order(run(idx, "alliance AND rupture AND repair"))) == {"rupture"}


def test_exclusion_and_phrase_keep_their_meaning(idx: SearchIndex) -> None:
    assert "rupture" not in order(run(idx, "alliance rupture repair -community"))
    assert order(run(idx, '"rupture repair" alliance training')) == ["rupture"]


def test_a_word_no_summary_has_does_not_count_against_the_others(idx: SearchIndex) -> None:
    assert order(run(idx, "alliance rupture repair zzyzxq"))[0] == "rupture"
    assert run(idx, "zzyzxq qqxxzz wwvvuu").total == 0


def test_a_bare_year_matches_the_study_year(idx: SearchIndex) -> None:
    assert order(run(idx, "kaptchuk 2008")) == ["manual"]
    assert run(idx, "kaptchuk 2011").total == 0


def test_accents_fold(idx: SearchIndex) -> None:
    assert order(run(idx, "kaptchük")) == ["manual"]
    assert textproc.normalize_spelling("Månsson") == "mansson"


def test_synonym_matches_but_below_the_typed_word(idx: SearchIndex) -> None:
    found = order(run(idx, "clients warmth"))
    assert found[:2] == ["clients", "patients"]
    assert order(run(idx, "patients warmth"))[0] == "patients"


def test_word_family_matches(idx: SearchIndex) -> None:
    res = run(idx, "history group", correct=False)  # the family, not a spelling fix
    assert "historical" in order(res) and res.corrected_from is None


def test_compound_forms_and_dropout_synonyms(idx: SearchIndex) -> None:
    for text in ("dropout", "drop-out", "attrition"):
        assert {"dropout", "attrition"} <= set(order(run(idx, text))), text
    assert order(run(idx, "dropout"))[0] == "dropout"
    assert order(run(idx, "attrition"))[0] == "attrition"


def test_british_ise_words_meet_american_ize(idx: SearchIndex) -> None:
    assert order(run(idx, "manualized")) == ["manual"]


def test_exact_form_ranks_above_stem_only_match(idx: SearchIndex) -> None:
    res = run(idx, "therapist effects")
    assert order(res)[0] == "effects"
    assert "effectiveness" in order(res)
    first = res.hits[0]
    assert "<mark>effects</mark>" in first.title_html.lower() or "effects</mark>" in (
        first.snippet_html.lower())


def test_cited_title_doi_url_and_reference_find_the_summary(idx: SearchIndex) -> None:
    assert order(run(idx, "imperfect")) == ["manual"]
    assert order(run(idx, '"pragmatic guidelines"')) == ["manual"]
    for text in ("10.1037/abc0000123", "https://doi.org/10.1037/ABC0000123",
                 "http://dx.doi.org/10.1037/abc0000123", "doi:10.1037/abc0000123"):
        assert order(run(idx, text))[:1] == ["manual"], text
    reference = ("Kaptchuk, T. J. (2008). Imperfect protocols in pragmatic guidelines. "
                 "Journal of Tests, 1(2), 3-4.")
    assert order(run(idx, reference))[0] == "manual"


def test_typo_correction(idx: SearchIndex) -> None:
    res = run(idx, "allaince")
    assert res.corrected_from == "allaince" and res.total > 0
    assert run(idx, "allaince", correct=False).total == 0


def test_few_results_get_a_correction_that_finds_many_more(idx: SearchIndex) -> None:
    res = run(idx, "therapst")  # one summary misspells it; many say "therapist"
    assert order(res) == ["misspelt"] and res.corrected_from is None
    assert res.did_you_mean == "therapist"
    assert run(idx, "therapist").did_you_mean is None


def test_field_and_facet_filters_always_hold(idx: SearchIndex) -> None:
    res = run(idx, "kaptchuk year:2015")
    assert res.total == 0
    assert order(run(idx, "alliance rupture repair topic:Empathy")) == ["rupture2"]
    res = run(idx, "alliance rupture repair", topics=[C])
    assert all(C in h.topics for h in res.hits)


@pytest.mark.parametrize("text", ["", "alliance", "therapist", "warmth OR alliance"])
@pytest.mark.parametrize("picked", [[], [A], [A, B]])
@pytest.mark.parametrize("any_topic", [False, True])
def test_topic_counts_are_what_ticking_would_give(idx: SearchIndex, text: str,
                                                  picked: list[str], any_topic: bool) -> None:
    res = run(idx, text, topics=picked, any_topic=any_topic)
    for topic in {t for d in DOCS for t in d.topics}:
        shown = res.facets["topics"].get(topic, 0)
        if any_topic:  # disjunctive: the query's matches with this topic, others ignored
            expected = run(idx, text, topics=[topic]).total
        elif topic in picked:
            expected = res.total
        else:  # all-of: ticking it narrows the current results
            expected = run(idx, text, topics=[*picked, topic]).total
        assert shown == expected, (topic, shown, expected)


def test_study_year_and_posted_are_separate_filters(idx: SearchIndex) -> None:
    assert order(run(idx, "kaptchuk year:2008")) == ["manual"]
    assert order(run(idx, "kaptchuk", study_from="2008", study_to="2008")) == ["manual"]
    assert run(idx, "kaptchuk", date_from="2008", date_to="2008").total == 0
    assert set(order(run(idx, "", study_from="2008", study_to="2012"))) == {
        "manual", "dropout", "attrition"}


def test_nothing_searchable_browses_with_a_notice(idx: SearchIndex) -> None:
    for text in ("(((", "NOT", "title:", "the of", "!!!"):
        res = run(idx, text)
        assert res.total == len(DOCS) and res.sort == "newest"
        assert any("no words to search for" in n for n in res.notices), text


def test_page_past_the_last(idx: SearchIndex) -> None:
    res = run(idx, "", per_page=5, page=999)
    assert res.hits == [] and res.pages == 3
    assert "Page 999 is past the last page (3)." in res.notices


def test_notices_are_sentences(idx: SearchIndex) -> None:
    res = run(idx, "year:abc", topics=["Nope"], sort="bogus", page="x")
    assert res.notices
    for notice in res.notices:
        assert notice[0].isupper() or notice[0] in "'\"" or notice[0].isdigit(), notice
        assert notice.endswith("."), notice


# ------------------------------------------------------------------ the text pipeline


@pytest.mark.parametrize(("british", "american"), [
    ("manualised", "manualized"), ("penalise", "penalize"), ("synthesised", "synthesized"),
    ("prioritising", "prioritizing"), ("randomisation", "randomization"),
    ("characterises", "characterizes"), ("operationalisation", "operationalization"),
])
def test_every_ise_word_folds(british: str, american: str) -> None:
    assert textproc.normalize_spelling(british) == american


@pytest.mark.parametrize("word", ["exercise", "advise", "otherwise", "pairwise", "promise",
                                  "surprising", "supervised", "raise", "noise", "precise",
                                  "compromise", "enterprise", "improvisation", "expertise"])
def test_words_whose_ise_is_not_the_suffix_stay(word: str) -> None:
    assert textproc.normalize_spelling(word) == word


def test_compounds_yield_their_closed_form() -> None:
    terms = [t.term for t in textproc.tokens("drop-out and follow-up", compounds=True)]
    assert "dropout" in terms and "followup" in terms
    assert "dropout" not in textproc.analyze("drop-out")  # the tagger's view is unchanged


def test_family_key_joins_history_and_historical() -> None:
    assert textproc.family_key(textproc.stem("history")) == textproc.family_key(
        textproc.stem("historical"))
    assert textproc.family_key(textproc.stem("emotion")) == textproc.family_key(
        textproc.stem("emotional"))


def test_synonym_file_parses_and_holds_the_issue_groups() -> None:
    text = textproc.SYNONYMS_FILE.read_text(encoding="utf-8")
    groups = textproc.parse_synonyms(text)
    assert len(groups) >= 20
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            for entry in line.split(","):
                assert textproc.query_form(entry.strip()), f"{entry!r} has no searchable word"
    stem = textproc.stem
    for a, b in [("client", "patient"), ("therapist", "clinician"),
                 ("telehealth", "videoconferencing"), ("dropout", "attrition"),
                 ("adolescent", "youth"), ("psychodynamic", "dynamic")]:
        assert (stem(b),) in textproc.synonyms(stem(a)), (a, b)


def test_parse_synonyms_reads_phrases_and_skips_comments() -> None:
    groups = textproc.parse_synonyms("# comment\nwait list, waitlist # trailing\n\nsolo\n")
    assert groups == [(("wait", "list"), ("waitlist",))]


def test_highlight_prefers_the_typed_form_over_a_stem_only_match() -> None:
    from explorer.search.highlight import find_spans, mark, prefer_exact

    exact = {textproc.stem("effects"): {"effect", "effects"}}
    terms = frozenset({textproc.stem("effects")})
    both = "Therapist effects matter more than effectiveness."
    marked = mark(both, prefer_exact(both, find_spans(both, terms), exact))
    assert "<mark>effects</mark>" in marked and "<mark>effectiveness</mark>" not in marked
    only = "The effectiveness of training."  # no exact form: the stem match is all there is
    assert "<mark>effectiveness</mark>" in mark(
        only, prefer_exact(only, find_spans(only, terms), exact))
