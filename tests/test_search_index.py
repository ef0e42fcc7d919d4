"""The search engine on a small corpus the tests write: analysis through the index,
fields, boolean logic, filters, disjunctive facets (against a brute-force recount),
sorting, escaping, did-you-mean, more-like-this, atomic rebuilds, incremental updates,
locking and threads."""

from __future__ import annotations

import itertools
import json
import logging
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index

from explorer.corpus import load_corpus, load_taxonomy, write_summary
from explorer.records import Citation, Summary
from explorer.search import (
    Hit,
    IndexLockedError,
    IndexMissingError,
    SearchIndex,
    SearchRequest,
    SearchResponse,
    build_index,
)
from explorer.search import build as build_module
from explorer.search.query import parse as parse_query
from explorer.search.store import POINTER, current_dir
from tests.test_search_query import HOSTILE

TAXONOMY = load_taxonomy()

CBT = "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)"
ALLIANCE = "Alliance and Therapeutic Relationship"
DEPRESSION = "Depression and Depressive Symptoms"
EMPATHY = "Empathy"
TRAUMA = "Trauma and/or PTSD"
THERAPIST = "Therapist Factors"
ANXIETY = "Anxiety Disorders"
RCT = "Randomized controlled trial"
META = "Meta-analysis"
NATURAL = "Naturalistic, observational or qualitative study"
REVIEW = "Review, chapter or commentary"


def make(sid: str, published: str, title: str, body: str, *, implications: str = "",
         topics: list[str] | None = None, rtype: str | None = RCT,
         authors: list[str] | None = None, year: str | None = None,
         journal: str = "Psychotherapy Research") -> Summary:
    return Summary(
        id=sid, published=published, title=title, body=body,
        implications=implications or "Clinicians may consider these findings.",
        citation=Citation(authors=authors or ["Doe, J."], year=year or published[:4],
                          title=title, journal=journal),
        topics=topics if topics is not None else [THERAPIST], research_type=rtype,
    )


SUMMARIES = [
    make("2019-04-alliance-ruptures", "2019-04", "Repairing alliance ruptures",
         "Ruptures in the therapeutic alliance are common. This randomised controlled "
         "trial trained therapists in rupture repair, and client behaviour improved.",
         implications="Attend to ruptures in the working alliance early.",
         topics=[ALLIANCE, THERAPIST], rtype=RCT, authors=["Eubanks, C. F.", "Muran, J. C."],
         year="2018", journal="Psychotherapy"),
    make("2020-01-cbt-depression", "2020-01", "CBT for depression in adults",
         "A meta-analysis of CBT trials for depression found moderate effects.",
         implications="CBT is a sound first choice for depression.",
         topics=[CBT, DEPRESSION], rtype=META, authors=["Cuijpers, P."], year="2019"),
    make("2021-06-long-form", "2021-06", "Structured therapy for low mood",
         "Patients received cognitive behavioural therapy or usual care for low mood.",
         topics=[CBT, DEPRESSION], rtype=RCT, authors=["Smith, A.", "Jones, B."], year="2020"),
    make("2015-03-running", "2015-03", "Running and exercise as an adjunct",
         "Clients who were running regularly reported that the runs lifted their mood.",
         topics=[DEPRESSION], rtype=NATURAL, year="2014"),
    make("2018-07-script", "2018-07", "Empathy <b>and</b> outcome",
         "Therapist empathy <script>alert('x')</script> predicted the alliance & outcome.",
         topics=[EMPATHY, ALLIANCE], rtype=META, authors=["Elliott, R."], year="2018"),
    make("2017-11-ptsd-long", "2017-11", "Exposure for trauma survivors",
         "Prolonged exposure reduced post-traumatic stress disorder symptoms.",
         topics=[TRAUMA], rtype=RCT, year="2016"),
    make("2022-02-ptsd-short", "2022-02", "PTSD in veterans",
         "Veterans with PTSD benefited from cognitive processing therapy.",
         topics=[TRAUMA, CBT], rtype=RCT, year="2021"),
    make("2016-05-counselling", "2016-05", "School counselling programme",
         "A paediatric counselling programme in schools reduced anxiety.",
         topics=[ANXIETY], rtype=NATURAL, year="2015", journal="Journal of Counseling Psychology"),
    make("2023-09-empathy-therapists", "2023-09", "Therapist empathy and training",
         "Training improved therapist empathy. Empathic therapists had better outcomes.",
         topics=[EMPATHY, THERAPIST], rtype=REVIEW, authors=["Nienhuis, J."], year="2023"),
    make("2014-12-anxiety-group", "2014-12", "Group therapy for social anxiety",
         "Group treatment for social anxiety disorder was as effective as individual work.",
         topics=[ANXIETY], rtype=META, year="2014"),
    make("2019-10-alliance-depression", "2019-10", "Alliance predicts depression outcome",
         "In depression treatment the early alliance predicted later symptom change.",
         topics=[ALLIANCE, DEPRESSION], rtype=NATURAL, year="2019"),
    make("2021-01-untyped", "2021-01", "Commentary without a type",
         "A commentary on training clinicians in routine outcome monitoring.",
         topics=[], rtype=None, year="2020"),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Summary]]:
    folder = tmp_path_factory.mktemp("corpus")
    for summary in SUMMARIES:
        write_summary(summary, folder)
    result = load_corpus(folder)
    assert not result.errors, result.errors
    return folder, result.summaries


@pytest.fixture(scope="module")
def idx(corpus: tuple[Path, list[Summary]], tmp_path_factory: pytest.TempPathFactory
        ) -> SearchIndex:
    folder = tmp_path_factory.mktemp("index")
    build_index(corpus[1], folder, taxonomy=TAXONOMY)
    return SearchIndex.open(folder)


def ids(response: SearchResponse) -> set[str]:
    return {h.id for h in response.hits}


def search(idx: SearchIndex, text: str = "", **kw: object) -> SearchResponse:
    kw.setdefault("per_page", 100)
    return idx.search(SearchRequest(q=text, **kw))  # type: ignore[arg-type]


# ------------------------------------------------------------------ analysis in the index


def test_stemming_run_runs_running(idx: SearchIndex) -> None:
    for word in ("run", "runs", "running"):
        assert ids(search(idx, word)) == {"2015-03-running"}


def test_british_and_american_spellings_find_each_other(idx: SearchIndex) -> None:
    assert "2016-05-counselling" in ids(search(idx, "counseling program pediatric"))
    assert "2019-04-alliance-ruptures" in ids(search(idx, "randomized behavior"))


def test_acronym_finds_long_form_and_back(idx: SearchIndex) -> None:
    cbt = ids(search(idx, "CBT"))
    assert {"2020-01-cbt-depression", "2021-06-long-form"} <= cbt
    assert {"2020-01-cbt-depression", "2021-06-long-form"} <= ids(
        search(idx, "cognitive behavioral therapy"))
    assert "2021-06-long-form" in ids(search(idx, "cbt"))  # typed in lowercase
    assert {"2017-11-ptsd-long", "2022-02-ptsd-short"} <= ids(search(idx, "PTSD"))
    assert "2022-02-ptsd-short" in ids(search(idx, "posttraumatic stress disorder"))
    assert "2019-04-alliance-ruptures" in ids(search(idx, "RCT"))


def test_acronym_phrase_matches_either_form(idx: SearchIndex) -> None:
    found = ids(search(idx, '"cognitive behavioural therapy"'))
    assert {"2020-01-cbt-depression", "2021-06-long-form"} <= found


# ------------------------------------------------------------------ query features


def test_all_words_must_match(idx: SearchIndex) -> None:
    assert ids(search(idx, "alliance depression")) == {"2019-10-alliance-depression"}


def test_two_words_never_fall_back_to_any_word(idx: SearchIndex) -> None:
    res = search(idx, "ruptures veterans")
    assert res.total == 0 and not res.hits and not res.fallback
    assert not any("any word" in n for n in res.notices)


def test_exact_phrase(idx: SearchIndex) -> None:
    assert "2019-04-alliance-ruptures" in ids(search(idx, '"therapeutic alliance"'))
    # both words occur, but not side by side
    assert "2019-10-alliance-depression" not in ids(search(idx, '"alliance depression"'))
    assert ids(search(idx, '"alliance predicts"')) == {"2019-10-alliance-depression"}


def test_or_and_not(idx: SearchIndex) -> None:
    either = ids(search(idx, "veterans OR ruptures"))
    assert either == {"2019-04-alliance-ruptures", "2022-02-ptsd-short"}
    assert not search(idx, "veterans OR ruptures").fallback
    alliance = ids(search(idx, "alliance"))
    without = ids(search(idx, "alliance NOT depression"))
    assert without == alliance - {"2019-10-alliance-depression"}
    assert ids(search(idx, "alliance -depression")) == without
    assert ids(search(idx, "alliance AND depression")) == {"2019-10-alliance-depression"}
    assert ids(search(idx, "(veterans OR ruptures) -trained")) == {"2022-02-ptsd-short"}


def test_negation_alone_means_everything_else(idx: SearchIndex) -> None:
    assert ids(search(idx, "-alliance")) == {s.id for s in SUMMARIES} - ids(search(idx, "alliance"))


def test_fields(idx: SearchIndex) -> None:
    assert ids(search(idx, "title:empathy")) == {"2018-07-script", "2023-09-empathy-therapists"}
    assert ids(search(idx, "author:eubanks")) == {"2019-04-alliance-ruptures"}
    assert ids(search(idx, "author:cuijpers")) == {"2020-01-cbt-depression"}
    assert ids(search(idx, "journal:counseling")) == {"2016-05-counselling"}
    assert ids(search(idx, "topic:Empathy")) == {"2018-07-script", "2023-09-empathy-therapists"}
    assert ids(search(idx, "topic:alliance")) == {s.id for s in SUMMARIES if ALLIANCE in s.topics}
    assert ids(search(idx, "type:RCT")) == {s.id for s in SUMMARIES if s.research_type == RCT}
    assert ids(search(idx, "type:meta-analysis")) == {
        s.id for s in SUMMARIES if s.research_type == META}


def test_year_field_uses_the_article_year(idx: SearchIndex) -> None:
    assert ids(search(idx, "year:2018")) == {"2019-04-alliance-ruptures", "2018-07-script"}
    expected = {s.id for s in SUMMARIES if 2014 <= int(s.citation.year or 0) <= 2015}
    assert ids(search(idx, "year:2014-2015")) == expected


def test_unknown_topic_in_query_is_a_notice(idx: SearchIndex) -> None:
    res = search(idx, "topic:astrology alliance")
    assert ids(res) == ids(search(idx, "alliance"))
    assert any("astrology" in n for n in res.notices)


def test_prefix(idx: SearchIndex) -> None:
    found = ids(search(idx, "therap*"))
    assert {"2023-09-empathy-therapists", "2019-04-alliance-ruptures"} <= found
    assert ids(search(idx, "rupt*")) == {"2019-04-alliance-ruptures"}


@pytest.mark.parametrize(("text", "tree"), HOSTILE)
def test_hostile_queries_are_answered(idx: SearchIndex, text: str, tree: str) -> None:
    """Strict mode (conftest): an exception inside the search fails here."""
    res = idx.search(SearchRequest(q=text))
    assert isinstance(res, SearchResponse)
    # the query as the parser cleaned it, or as corrected from that (no result otherwise)
    assert parse_query(text).text in (res.query, res.corrected_from)
    if tree == "ALL":  # nothing to search for: every summary, newest first
        assert res.total == len(SUMMARIES) and res.sort == "newest"
    elif tree == "alliance":
        assert ids(res) == ids(search(idx, "alliance"))
    else:
        assert 0 <= res.total <= len(SUMMARIES)
    json.dumps(res.to_json())
    for hit in res.hits:
        assert "<script" not in hit.snippet_html and "<script" not in hit.title_html


def test_long_query_notice(idx: SearchIndex) -> None:
    res = search(idx, "alliance " * 2000)
    assert any("500 characters" in n for n in res.notices)
    assert ids(res) == ids(search(idx, "alliance"))


# ------------------------------------------------------------------ filters


def test_topic_filters_all_of_and_any_of(idx: SearchIndex) -> None:
    both = ids(search(idx, topics=[ALLIANCE, DEPRESSION]))
    assert both == {s.id for s in SUMMARIES if {ALLIANCE, DEPRESSION} <= set(s.topics)}
    either = ids(search(idx, topics=[ALLIANCE, DEPRESSION], any_topic=True))
    assert either == {s.id for s in SUMMARIES if {ALLIANCE, DEPRESSION} & set(s.topics)}


def test_filter_names_forgive_aliases_and_case(idx: SearchIndex) -> None:
    res = search(idx, topics=["cbt"], types=["rct"])
    assert res.topics == [CBT] and res.types == [RCT]
    assert ids(res) == {s.id for s in SUMMARIES if CBT in s.topics and s.research_type == RCT}


def test_unknown_filter_names_give_notices(idx: SearchIndex) -> None:
    res = search(idx, topics=["Astrology"], types=["Horoscope"])
    assert res.total == len(SUMMARIES)
    assert any("Astrology" in n for n in res.notices)
    assert any("Horoscope" in n for n in res.notices)


def test_a_query_without_words_browses_with_a_notice(idx: SearchIndex) -> None:
    res = search(idx, "the of and")
    assert res.total == len(SUMMARIES) and res.sort == "newest"
    assert res.notices == ["The query 'the of and' has no words to search for, so all "
                           "summaries are shown, newest first."]
    assert search(idx, "alliance").notices == []
    assert search(idx, "").notices == []  # nothing typed: browsing needs no explaining


def test_a_page_past_the_last_is_a_notice(idx: SearchIndex) -> None:
    assert search(idx, per_page=5, page=4).notices == ["Page 4 is past the last page (3)."]
    assert search(idx, per_page=5, page=3).notices == []  # the last page itself
    assert search(idx, "zzzunfound", page=2).notices == []  # no results: no pages to pass


def test_no_request_browses_everything(idx: SearchIndex) -> None:
    for res in (idx.search(), idx.search(None)):
        assert res.total == len(SUMMARIES) and res.sort == "newest" and res.page == 1


def test_unknown_filter_notices_name_the_kind_and_offer_a_close_name(idx: SearchIndex) -> None:
    res = search(idx, topics=["Astrology", "alliances", "cbt", "CBT"],
                 types=["Horoscope", "RCTs"])
    assert res.notices == [
        "Unknown topic 'Astrology' was ignored.",
        f"Unknown topic 'alliances' was ignored (did you mean {ALLIANCE!r}?).",
        "Unknown research type 'Horoscope' was ignored.",
        f"Unknown research type 'RCTs' was ignored (did you mean {RCT!r}?).",
    ]
    assert res.topics == [CBT]  # a known name typed twice filters once


def test_type_filter_is_any_of(idx: SearchIndex) -> None:
    res = search(idx, types=[RCT, META])
    assert ids(res) == {s.id for s in SUMMARIES if s.research_type in (RCT, META)}


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [("2019", None), (None, "2018"), ("2019-04", "2020-01"), ("2019-05", "2019-12"),
     ("2015", "2015")],
)
def test_date_filters(idx: SearchIndex, date_from: str | None, date_to: str | None) -> None:
    lo = (date_from or "0000") + ("" if date_from and len(date_from) == 7 else "-01")
    hi = (date_to or "9999") + ("" if date_to and len(date_to) == 7 else "-12")
    expected = {s.id for s in SUMMARIES if lo <= s.published <= hi}
    assert ids(search(idx, date_from=date_from, date_to=date_to)) == expected


@pytest.mark.parametrize(
    ("study_from", "study_to", "date_from"),
    [("2018", None, None), (None, "2015", None), ("2018", "2019", None), ("2019", "2019", None),
     ("2016", None, "2019")],
)
def test_study_year_filters(idx: SearchIndex, study_from: str | None, study_to: str | None,
                            date_from: str | None) -> None:
    # the year of the cited article, not the month of the post; both filters must hold
    lo, hi = int(study_from or 0), int(study_to or 9999)
    expected = {s.id for s in SUMMARIES if lo <= int(s.citation.year) <= hi
                and (date_from is None or s.published >= f"{date_from}-01")}
    res = search(idx, study_from=study_from, study_to=study_to, date_from=date_from)
    assert ids(res) == expected and res.total == len(expected)


def test_source_counts_follow_the_query_and_the_other_filters(idx: SearchIndex) -> None:
    # every summary here is a blog post: the count is the number of results the other
    # filters leave, whatever the query matches outside them
    def posts(**kw: object) -> dict[str, int]:
        res = search(idx, **kw)  # type: ignore[arg-type]
        return {"blog-post": res.total} if res.total else {}

    for kw in ({"text": "alliance"}, {"text": "alliance", "date_from": "2019-05"},
               {"text": "therapy", "types": [RCT]}, {"text": "therapy", "topics": [ALLIANCE]},
               {"text": "zzzunfound"}):
        assert search(idx, **kw).facets["source"] == posts(**kw), kw  # type: ignore[arg-type]


def test_bad_dates_are_ignored_with_a_notice(idx: SearchIndex) -> None:
    res = search(idx, date_from="yesterday")
    assert res.total == len(SUMMARIES)
    assert any("yesterday" in n for n in res.notices)


# ------------------------------------------------------------------ facets


def brute_force_facets(matching: set[str], req: SearchRequest) -> dict[str, dict[str, int]]:
    """Counts by hand: type and year over the query's matches and the *other* groups'
    filters; topics also within the topic filter when topics are all-of."""
    def topic_ok(s: Summary) -> bool:
        if not req.topics:
            return True
        wanted = {{"cbt": CBT}.get(t.lower(), t) for t in req.topics}
        hits = wanted & set(s.topics)
        return bool(hits) if req.any_topic else hits == wanted

    def type_ok(s: Summary) -> bool:
        return not req.types or s.research_type in req.types

    lo, hi = req.month_range()

    def date_ok(s: Summary) -> bool:
        if not (req.date_from or req.date_to):
            return True
        month = int(s.published[:4]) * 12 + int(s.published[5:7]) - 1
        return lo <= month <= hi

    docs = [s for s in SUMMARIES if s.id in matching]
    topics: dict[str, int] = {}
    types: dict[str, int] = {}
    years: dict[str, int] = {}
    sources: dict[str, int] = {}
    for s in docs:
        # all-of: within the current results (ticking narrows); any-of: disjunctive
        if type_ok(s) and date_ok(s) and (req.any_topic or topic_ok(s)):
            for t in s.topics:
                topics[t] = topics.get(t, 0) + 1
        if topic_ok(s) and date_ok(s) and s.research_type:
            types[s.research_type] = types.get(s.research_type, 0) + 1
        if topic_ok(s) and type_ok(s):
            years[s.published[:4]] = years.get(s.published[:4], 0) + 1
        if topic_ok(s) and type_ok(s) and date_ok(s):
            sources[s.origin] = sources.get(s.origin, 0) + 1
    return {"topics": topics, "research_type": types, "year": years, "source": sources}


FACET_QUERIES = ["", "alliance", "therapy", "depression OR anxiety", "-empathy", "CBT"]
FACET_FILTERS = [
    {},
    {"topics": [ALLIANCE]},
    {"topics": [ALLIANCE, DEPRESSION]},
    {"topics": [ALLIANCE, DEPRESSION], "any_topic": True},
    {"types": [RCT, META]},
    {"date_from": "2018", "date_to": "2021"},
    {"topics": [DEPRESSION], "types": [RCT], "date_from": "2019-01"},
]


@pytest.mark.parametrize(("text", "filters"), list(itertools.product(FACET_QUERIES, FACET_FILTERS)))
def test_disjunctive_facets_equal_a_brute_force_recount(
    idx: SearchIndex, text: str, filters: dict[str, object]
) -> None:
    matching = ids(search(idx, text))  # the query alone, no filters
    req = SearchRequest(q=text, **filters)  # type: ignore[arg-type]
    res = idx.search(req)
    assert res.facets == brute_force_facets(matching, req)
    # the total is the query with every filter applied
    expected_total = sum(
        1 for s in SUMMARIES if s.id in matching and s.id in ids(search(idx, "", **filters))
    )
    assert res.total == expected_total


def test_facets_ignore_their_own_group_selection(idx: SearchIndex) -> None:
    plain = search(idx, "")
    filtered = search(idx, "", types=[RCT])
    assert filtered.facets["research_type"] == plain.facets["research_type"]
    assert filtered.total == plain.facets["research_type"][RCT]
    assert filtered.facets["topics"] != plain.facets["topics"]


# ------------------------------------------------------------------ sorting and paging


def test_sort_newest_and_oldest(idx: SearchIndex) -> None:
    newest = [h.published for h in search(idx, "", sort="newest").hits]
    assert newest == sorted(newest, reverse=True) and len(newest) == len(SUMMARIES)
    oldest = [h.published for h in search(idx, "therapy", sort="oldest").hits]
    assert oldest == sorted(oldest)


def test_browse_without_query_is_newest_first(idx: SearchIndex) -> None:
    res = search(idx, "", topics=[DEPRESSION])
    published = [h.published for h in res.hits]
    assert published == sorted(published, reverse=True)
    assert res.sort == "newest"


def test_relevance_prefers_title_matches(idx: SearchIndex) -> None:
    res = search(idx, "empathy")
    assert {res.hits[0].id, res.hits[1].id} == {"2018-07-script", "2023-09-empathy-therapists"}
    scores = [h.score for h in res.hits]
    assert scores == sorted(scores, reverse=True)


def test_pages(idx: SearchIndex) -> None:
    seen: list[str] = []
    for page in (1, 2, 3):
        res = idx.search(SearchRequest(sort="newest", page=page, per_page=5))
        assert res.total == len(SUMMARIES) and res.pages == 3 and res.page == page
        seen.extend(h.id for h in res.hits)
    assert len(seen) == len(set(seen)) == len(SUMMARIES)
    assert idx.search(SearchRequest(page=99)).hits == []
    assert len(idx.search(SearchRequest()).hits) == 10  # default page size


# ------------------------------------------------------------------ highlighting


def test_snippets_are_escaped_then_marked(idx: SearchIndex) -> None:
    res = search(idx, "empathy")
    hit = next(h for h in res.hits if h.id == "2018-07-script")
    assert "<script" not in hit.snippet_html
    assert "&lt;script&gt;" in hit.snippet_html
    assert "<mark>empathy</mark>" in hit.snippet_html
    assert "&amp;" in hit.snippet_html
    assert hit.title_html == "<mark>Empathy</mark> &lt;b&gt;and&lt;/b&gt; outcome"
    stripped = hit.snippet_html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped


def test_acronym_is_highlighted_for_its_long_form(idx: SearchIndex) -> None:
    res = search(idx, "CBT")
    hit = next(h for h in res.hits if h.id == "2021-06-long-form")
    assert "<mark>cognitive behavioural therapy</mark>" in hit.snippet_html
    hit = next(h for h in res.hits if h.id == "2020-01-cbt-depression")
    assert "<mark>CBT</mark>" in hit.title_html


def test_snippet_comes_from_implications_when_only_they_match(idx: SearchIndex) -> None:
    res = search(idx, "implications:working")
    assert ids(res) == {"2019-04-alliance-ruptures"}
    assert "<mark>working</mark>" in res.hits[0].snippet_html


def test_hit_fields(idx: SearchIndex) -> None:
    hit = search(idx, "author:eubanks").hits[0]
    assert isinstance(hit, Hit)
    assert hit.citation == "Eubanks & Muran (2018), Psychotherapy"
    assert hit.topics == [ALLIANCE, THERAPIST] and hit.research_type == RCT
    assert hit.published == "2019-04"


# ------------------------------------------------------------------ did you mean


def test_typo_that_finds_nothing_searches_the_correction(idx: SearchIndex) -> None:
    res = search(idx, "allaince")
    assert res.corrected_from == "allaince" and res.query == "alliance"
    assert ids(res) == ids(search(idx, "alliance")) and res.total > 0
    assert res.to_json()["corrected_from"] == "allaince"
    res = search(idx, "therapist empaty")
    assert res.corrected_from == "therapist empaty" and res.query == "therapist empathy"
    assert search(idx, "alliance").corrected_from is None


def test_a_search_asked_not_to_correct_answers_the_typo_as_typed(idx: SearchIndex) -> None:
    res = search(idx, "allaince", correct=False)
    assert (res.total, res.corrected_from, res.did_you_mean, res.query) == (
        0, None, None, "allaince")


def test_a_corrected_search_keeps_the_notices_of_the_request(idx: SearchIndex) -> None:
    res = search(idx, "allaince", notices=["kept"])
    assert res.corrected_from == "allaince" and res.notices == ["kept"]


def test_an_unknown_source_is_a_notice(idx: SearchIndex) -> None:
    res = search(idx, sources=["nowhere"])
    assert res.total == len(SUMMARIES)
    assert res.notices == ["Unknown source 'nowhere' was ignored."]


def test_did_you_mean_when_few_results_and_a_correction_finds_many_more(
        idx: SearchIndex) -> None:
    # "theraphy" is one edit from "therapy" (most summaries) and also names one summary
    res = search(idx, "theraphy", per_page=100)
    assert res.corrected_from == "theraphy"  # nothing has it: the correction is searched
    assert search(idx, "alliance").did_you_mean is None
    assert search(idx, "zqxjkv").did_you_mean is None


@pytest.mark.parametrize("surface", [True, False], ids=["whole words", "stems only"])
def test_spelling_corrections_with_and_without_a_whole_word_vocabulary(
        idx: SearchIndex, monkeypatch: pytest.MonkeyPatch, surface: bool) -> None:
    """An index from before the exact-word field has no whole-word vocabulary: corrections
    then check candidates by their stems, and must come out the same."""
    if not surface:
        from explorer.search.snapshot import Snapshot

        monkeypatch.setattr(Snapshot, "surface_vocabulary", lambda self: frozenset())
    res = search(idx, "allaince")
    assert (res.corrected_from, res.query) == ("allaince", "alliance")
    assert ids(res) == ids(search(idx, "alliance"))
    res = search(idx, "therapist empaty")
    assert (res.corrected_from, res.query) == ("therapist empaty", "therapist empathy")
    res = search(idx, "Depresion trials")
    assert (res.corrected_from, res.query) == ("Depresion trials", "Depression trials")
    for known in ("alliance", "ptsd veterans", "running"):
        res = search(idx, known)
        assert res.corrected_from is None and res.did_you_mean is None, known


def test_json_shape(idx: SearchIndex) -> None:
    data = search(idx, "alliance", per_page=2).to_json()
    assert list(data) == ["query", "total", "page", "pages", "hits", "facets",
                          "did_you_mean", "fallback", "corrected_from"]
    assert list(data["hits"][0]) == ["id", "title", "origin", "published", "topics",
                                     "research_type", "citation", "score", "snippet_html"]
    assert list(data["facets"]) == ["topics", "research_type", "year", "source"]
    json.dumps(data)


# ------------------------------------------------------------------ more like this


def test_more_like_this(idx: SearchIndex) -> None:
    similar = idx.more_like_this("2023-09-empathy-therapists", limit=3)
    assert 0 < len(similar) <= 3
    assert "2023-09-empathy-therapists" not in {h.id for h in similar}
    assert similar[0].id == "2018-07-script"
    assert idx.more_like_this("no-such-id") == []


# ------------------------------------------------------------------ build, rebuild, updates


@pytest.fixture()
def fresh(corpus: tuple[Path, list[Summary]], tmp_path: Path) -> tuple[Path, SearchIndex]:
    folder = tmp_path / "index"
    build_index(corpus[1], folder, taxonomy=TAXONOMY)
    return folder, SearchIndex.open(folder)


def test_missing_index_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="pprnet build"):
        SearchIndex.open(tmp_path / "nothing-here")


def test_corrupt_index_is_reported_as_missing(fresh: tuple[Path, SearchIndex]) -> None:
    folder, _ = fresh
    live = current_dir(folder)
    for toc in live.glob("*.toc"):
        toc.write_bytes(b"garbage")
    with pytest.raises(IndexMissingError, match="pprnet build"):
        SearchIndex.open(folder)
    (folder / POINTER).write_text("whoosh-does-not-exist\n")
    with pytest.raises(IndexMissingError, match="pprnet build"):
        SearchIndex.open(folder)


def test_index_lives_beside_other_files(fresh: tuple[Path, SearchIndex]) -> None:
    folder, idx = fresh
    (folder / "model").mkdir()
    (folder / "model" / "keep.txt").write_text("tagger")
    build_index(SUMMARIES[:3], folder, taxonomy=TAXONOMY)
    build_index(SUMMARIES[:4], folder, taxonomy=TAXONOMY)
    assert (folder / "model" / "keep.txt").read_text() == "tagger"
    assert current_dir(folder).name.startswith("whoosh-")
    assert len(list(folder.glob("whoosh-*"))) <= 2  # live + previous


def test_failed_build_leaves_the_live_index(fresh: tuple[Path, SearchIndex],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    folder, idx = fresh
    before = current_dir(folder)
    dirs_before = set(folder.glob("whoosh-*"))
    calls = {"n": 0}
    real = build_module.document_for

    def exploding(summary: Summary) -> dict:
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("disk on fire")
        return real(summary)

    monkeypatch.setattr(build_module, "document_for", exploding)
    with pytest.raises(RuntimeError):
        build_index(SUMMARIES, folder, taxonomy=TAXONOMY)
    assert current_dir(folder) == before
    assert set(folder.glob("whoosh-*")) == dirs_before  # half-built folder removed
    assert idx.search(SearchRequest(q="alliance")).total > 0
    assert SearchIndex.open(folder).doc_count() == len(SUMMARIES)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="duplicate"):
        build_index([SUMMARIES[0], SUMMARIES[0]], tmp_path / "ix", taxonomy=TAXONOMY)
    assert not (tmp_path / "ix" / POINTER).exists()


def test_rebuild_is_picked_up_by_open_readers(fresh: tuple[Path, SearchIndex]) -> None:
    folder, idx = fresh
    assert idx.doc_count() == len(SUMMARIES)
    extra = make("2024-01-new-one", "2024-01", "Brand new zebra study", "Zebras in therapy.")
    build_index([*SUMMARIES[:5], extra], folder, taxonomy=TAXONOMY)
    assert idx.doc_count() == 6  # noticed without an explicit refresh
    idx.refresh()
    assert ids(search(idx, "zebra")) == {"2024-01-new-one"}


def test_readers_keep_working_during_rebuilds(fresh: tuple[Path, SearchIndex]) -> None:
    folder, idx = fresh
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                res = idx.search(SearchRequest(q="alliance"))
                assert res.total >= 1
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
                return

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for n in range(3):
            build_index(SUMMARIES[: 8 + n], folder, taxonomy=TAXONOMY)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors


def test_incremental_add_replace_delete(fresh: tuple[Path, SearchIndex]) -> None:
    folder, idx = fresh
    new = make("2024-02-okapi", "2024-02", "Okapi assisted therapy", "Okapis calm clients.",
               topics=[EMPATHY], rtype=REVIEW)
    idx.add_or_replace(new)
    res = search(idx, "okapi")
    assert ids(res) == {"2024-02-okapi"} and idx.doc_count() == len(SUMMARIES) + 1
    assert res.facets["topics"] == {EMPATHY: 1}
    changed = make("2024-02-okapi", "2024-02", "Giraffe assisted therapy", "Giraffes calm clients.",
                   topics=[ANXIETY], rtype=REVIEW)
    idx.add_or_replace(changed)
    assert search(idx, "okapi").total == 0
    res = search(idx, "giraffe")
    assert ids(res) == {"2024-02-okapi"} and res.facets["topics"] == {ANXIETY: 1}
    assert idx.doc_count() == len(SUMMARIES) + 1
    idx.delete("2024-02-okapi")
    assert search(idx, "giraffe").total == 0
    assert idx.doc_count() == len(SUMMARIES)
    idx.delete("never-existed")  # no error
    # another handle on the same folder sees the edits too
    assert SearchIndex.open(folder).doc_count() == len(SUMMARIES)


def test_incremental_update_of_an_existing_summary(fresh: tuple[Path, SearchIndex]) -> None:
    _, idx = fresh
    original = next(s for s in SUMMARIES if s.id == "2015-03-running")
    edited = Summary(**{**original.__dict__, "title": "Jogging and walking",
                        "topics": [ANXIETY]})
    idx.add_or_replace(edited)
    assert ids(search(idx, "jogging")) == {"2015-03-running"}
    assert "2015-03-running" in ids(search(idx, "", topics=[ANXIETY]))
    assert "2015-03-running" not in ids(search(idx, "", topics=[DEPRESSION]))


def test_writer_lock_times_out_clearly(fresh: tuple[Path, SearchIndex]) -> None:
    folder, _ = fresh
    idx = SearchIndex.open(folder, lock_timeout=0.3)
    ix = whoosh_index.open_dir(str(current_dir(folder)))
    writer = ix.writer()
    try:
        with pytest.raises(IndexLockedError, match="locked"):
            idx.add_or_replace(SUMMARIES[0])
        with pytest.raises(IndexLockedError):
            idx.delete(SUMMARIES[0].id)
    finally:
        writer.cancel()
    idx.add_or_replace(SUMMARIES[0])  # free again


def test_many_threads_get_the_same_answers(idx: SearchIndex) -> None:
    queries = ["alliance", "CBT", "empathy", '"therapeutic alliance"', "therap*", "-alliance",
               "depression OR anxiety", "allaince"]
    expected = {text: idx.search(SearchRequest(q=text)).to_json() for text in queries}
    errors: list[str] = []

    def worker(seed: int) -> None:
        for k in range(25):
            text = queries[(seed + k) % len(queries)]
            got = idx.search(SearchRequest(q=text)).to_json()
            if got != expected[text]:
                errors.append(text)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


@given(text=st.text(max_size=300), page=st.integers(-5, 50),
       sort=st.sampled_from(["relevance", "newest", "oldest", "x"]))
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_input_is_answered(idx: SearchIndex, text: str, page: int, sort: str) -> None:
    res = idx.search(SearchRequest(q=text, page=page, sort=sort, topics=[text[:20]]))
    assert res.total >= 0 and res.page >= 1
    json.dumps(res.to_json())


def test_internal_failure_becomes_a_notice(idx: SearchIndex, monkeypatch: pytest.MonkeyPatch,
                                           lenient: None, caplog: pytest.LogCaptureFixture,
                                           ) -> None:
    from explorer.search import index as index_module

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(index_module, "page_order", broken)
    with caplog.at_level(logging.WARNING, logger="explorer.search.index"):
        res = idx.search(SearchRequest(q="alliance rupture", notices=["kept"], page=3,
                                       sort="oldest", per_page=7))
    assert res.total == 0 and res.hits == [] and res.pages == 0 and res.page == 3
    assert (res.sort, res.per_page) == ("oldest", 7)  # the page keeps what was asked
    # the same facet keys as any answer, all empty
    assert res.facets == {"topics": {}, "research_type": {}, "year": {}, "source": {}}
    assert res.notices == ["kept", "the search failed (ZeroDivisionError); try different words"]
    assert res.query == "alliance rupture"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [w.getMessage() for w in warnings] == [
        "the search failed (ZeroDivisionError: bug) for query 'alliance rupture'"]


def test_internal_failure_is_raised_in_strict_mode(idx: SearchIndex,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from explorer.search import index as index_module

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(index_module, "page_order", broken)
    with pytest.raises(ZeroDivisionError):
        idx.search(SearchRequest(q="alliance"))


def test_parallel_build_and_postings_arrays_change_nothing(
    corpus: tuple[Path, list[Summary]], tmp_path: Path
) -> None:
    """Parts indexed by worker processes into separate segments, and the NumPy postings
    (the only postings of the analyzed fields in a built segment), must give exactly the
    answers of the same summaries saved one by one, which Whoosh indexes itself and the
    engine reads through Whoosh's own postings (positions for phrases, prefixes)."""
    queries = ["alliance", "CBT", '"therapeutic alliance"', "therap*", "depression OR anxiety",
               "empathy -training", "author:eubanks", "allaince", "", '"cognitive therapy"',
               "title:alliance", "implications:therap*"]
    build_index(corpus[1], tmp_path / "serial", workers=1, taxonomy=TAXONOMY)
    build_index(corpus[1], tmp_path / "parallel", workers=2, taxonomy=TAXONOMY)
    arrays = list(current_dir(tmp_path / "parallel").glob("*.postings.npz"))
    assert len(arrays) == 2  # one per part, i.e. per segment
    serial = SearchIndex.open(tmp_path / "serial")
    parallel = SearchIndex.open(tmp_path / "parallel")
    expected = {text: serial.search(SearchRequest(q=text)).to_json() for text in queries}
    assert sum(e["total"] for e in expected.values()) > 20
    assert {t: parallel.search(SearchRequest(q=t)).to_json() for t in queries} == expected
    build_index([], tmp_path / "saved", taxonomy=TAXONOMY)
    saved = SearchIndex.open(tmp_path / "saved")
    for summary in corpus[1]:
        saved.add_or_replace(summary)
    assert not list(current_dir(tmp_path / "saved").glob("*.postings.npz"))
    assert {t: saved.search(SearchRequest(q=t)).to_json() for t in queries} == expected


def test_facet_ties_are_listed_by_name_not_taxonomy_order(idx: SearchIndex) -> None:
    # Meta-analysis and the naturalistic type tie at 3; the taxonomy lists naturalistic first
    assert list(search(idx, "").facets["research_type"].items()) == [
        (RCT, 4), (META, 3), (NATURAL, 3), (REVIEW, 1)]


def test_a_field_group_searches_only_that_field(idx: SearchIndex,
                                                  corpus: tuple[Path, list[Summary]]) -> None:
    summaries = corpus[1]
    by = {s.id for s in summaries
          if any(a.split(",")[0].lower() in ("cuijpers", "eubanks") for a in s.citation.authors)}
    assert len(by) >= 2
    got = idx.search(SearchRequest(q="author:(cuijpers OR eubanks)", per_page=100))
    assert ids(got) == by
    # a stray quote after the field keeps the field for the word that follows
    assert ids(idx.search(SearchRequest(q='author:"cuijpers', per_page=100))) == {
        s.id for s in summaries if any(a.lower().startswith("cuijpers")
                                       for a in s.citation.authors)}


@pytest.mark.parametrize(("rare", "common", "offered"), [
    # the correction "therapy" finds the common summaries and the rare ones too
    (1, 2, True),  # one result; the correction finds three: 3 x 1 and 1 + 2, just enough
    (1, 1, False),  # finds two: not enough more to be worth offering
    (3, 6, True),  # three results (the most that still gets an offer); nine = 3 x 3
])
def test_did_you_mean_is_offered_when_the_correction_finds_enough_more(
        tmp_path: Path, rare: int, common: int, offered: bool) -> None:
    docs = [make(f"2020-01-rare-{n}", "2020-01", f"Note {n}", "Weekly theraphy sessions.")
            for n in range(rare)]
    docs += [make(f"2020-02-common-{n}", "2020-02", f"Paper {n}", "Weekly therapy sessions.")
             for n in range(common)]
    build_index(docs, tmp_path / "ix", taxonomy=TAXONOMY)
    res = search(SearchIndex.open(tmp_path / "ix"), "theraphy")
    assert res.total == rare and res.corrected_from is None  # results stay as typed
    assert res.did_you_mean == ("therapy" if offered else None)


def test_a_correction_that_finds_nothing_under_the_filters_is_not_offered(
        idx: SearchIndex) -> None:
    res = search(idx, "allaince", date_from="2024")  # nothing posted since 2023
    assert (res.total, res.corrected_from, res.did_you_mean) == (0, None, None)


def test_the_answer_repeats_the_filters_it_applied(idx: SearchIndex) -> None:
    res = search(idx, topics=[ALLIANCE, DEPRESSION], any_topic=True, date_from="2015",
                 date_to="2023-06", study_from="2014", study_to="2022", per_page=4)
    assert (res.any_topic, res.date_from, res.date_to, res.study_from, res.study_to,
            res.per_page) == (True, "2015", "2023-06", "2014", "2022", 4)
