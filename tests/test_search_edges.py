"""Edges of searching as a reader sees them: sort orders on summaries indexed out of date
order, paging, negation wherever it can appear, undated summaries, facet order, every
way of writing OR and AND, and a pasted DOI or reference.

The corpus here is indexed deliberately *not* in date order (and its ids do not sort by
date either), so an order that silently fell back to document order would show.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.corpus import load_taxonomy
from explorer.records import Citation, Summary
from explorer.search import SearchIndex, SearchRequest, SearchResponse, build_index

TAXONOMY = load_taxonomy()

ALLIANCE = "Alliance and Therapeutic Relationship"
EMPATHY = "Empathy"
DEPRESSION = "Depression and Depressive Symptoms"
RCT = "Randomized controlled trial"
META = "Meta-analysis"
NATURAL = "Naturalistic, observational or qualitative study"


def make(sid: str, published: str, title: str, body: str, topics: list[str],
         rtype: str | None) -> Summary:
    return Summary(
        id=sid, published=published, title=title, body=body,
        implications="Clinicians may weigh these findings.",
        citation=Citation(authors=["Doe, J."], year=published[:4] or None, title=title,
                          journal="Psychotherapy Research"),
        topics=topics, research_type=rtype,
    )


# Index order (this list) and id order both differ from date order.
EDGE = [
    make("m-ruptures", "2019-05", "Ruptures in couples work",
         "Alliance ruptures between partners and their therapist were repaired.",
         [ALLIANCE], RCT),
    make("c-training", "2023-01", "Empathy training for trainees",
         "Trainees learned empathy; the alliance with clients grew.", [ALLIANCE, EMPATHY], META),
    make("z-group", "2015-11", "Empathy in group work",
         "Group members rated the leader's empathy.", [EMPATHY], NATURAL),
    make("a-measures", "2021-03", "Alliance measures compared",
         "Three alliance measures were compared in routine care.", [ALLIANCE], RCT),
    make("q-undated", "", "An undated note on the alliance",
         "A note about the alliance whose date was lost.", [ALLIANCE], None),
    make("b-mood", "2019-02", "Collaborative care for low mood",
         "Depression improved with collaborative care.", [DEPRESSION], RCT),
    make("k-mood-twin", "2023-01", "Collaborative care for low mood, again",
         "Depression improved with collaborative care.", [DEPRESSION], NATURAL),
]
DATED = [s for s in EDGE if s.published]
ALL_IDS = {s.id for s in EDGE}


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    folder: Path = tmp_path_factory.mktemp("edges")
    build_index(list(EDGE), folder, taxonomy=TAXONOMY)
    return SearchIndex.open(folder)


def search(idx: SearchIndex, text: str = "", **kw: object) -> SearchResponse:
    kw.setdefault("per_page", 100)
    return idx.search(SearchRequest(q=text, **kw))  # type: ignore[arg-type]


def ids(response: SearchResponse) -> set[str]:
    return {h.id for h in response.hits}


def order(response: SearchResponse) -> list[str]:
    return [h.id for h in response.hits]


# ------------------------------------------------------------------ sort orders


def test_newest_first_follows_the_dates_with_undated_last(idx: SearchIndex) -> None:
    res = search(idx, "", sort="newest")
    published = [h.published for h in res.hits]
    assert published[:-1] == sorted((s.published for s in DATED), reverse=True)
    assert order(res)[-1] == "q-undated"


def test_oldest_first_follows_the_dates_with_undated_last(idx: SearchIndex) -> None:
    res = search(idx, "", sort="oldest")
    assert [h.id for h in res.hits][:3] == ["z-group", "b-mood", "m-ruptures"]
    published = [h.published for h in res.hits]
    assert published[:-1] == sorted(s.published for s in DATED)
    assert order(res)[-1] == "q-undated"


def test_sorting_a_query_by_date(idx: SearchIndex) -> None:
    assert order(search(idx, "alliance", sort="oldest")) == [
        "m-ruptures", "a-measures", "c-training", "q-undated"]
    assert order(search(idx, "alliance", sort="newest")) == [
        "c-training", "a-measures", "m-ruptures", "q-undated"]


def test_equal_relevance_is_newest_first(idx: SearchIndex) -> None:
    res = search(idx, '"collaborative care"', sort="relevance")
    assert order(res) == ["k-mood-twin", "b-mood"]


def test_browsing_sorts_newest_first_whatever_the_sort_asked(idx: SearchIndex) -> None:
    res = search(idx, "", sort="relevance")
    assert res.sort == "newest"
    assert order(res) == order(search(idx, "", sort="newest"))


# ------------------------------------------------------------------ paging


def test_pages_partition_the_results_in_order(idx: SearchIndex) -> None:
    whole = order(search(idx, "", sort="oldest"))
    pages = [search(idx, "", sort="oldest", page=p, per_page=2) for p in (1, 2, 3, 4)]
    assert [r.pages for r in pages] == [4, 4, 4, 4]
    assert [len(r.hits) for r in pages] == [2, 2, 2, 1]
    assert [i for r in pages for i in order(r)] == whole
    past = search(idx, "", sort="oldest", page=5, per_page=2)
    assert (past.total, past.pages, past.page, past.hits) == (7, 4, 5, [])


@pytest.mark.parametrize(("per_page", "pages"), [(4, 1), (3, 2), (2, 2), (1, 4), (100, 1)])
def test_page_count(idx: SearchIndex, per_page: int, pages: int) -> None:
    res = search(idx, "alliance", per_page=per_page)
    assert (res.total, res.pages) == (4, pages)
    assert len(res.hits) == min(4, per_page)


def test_no_results_have_no_pages(idx: SearchIndex) -> None:
    res = search(idx, "zebra")
    assert (res.total, res.pages, res.hits) == (0, 0, [])


# ------------------------------------------------------------------ negation in every path

ALLIANCE_IDS = {"m-ruptures", "c-training", "a-measures", "q-undated"}
EMPATHY_IDS = {"c-training", "z-group"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-alliance", ALL_IDS - ALLIANCE_IDS),
        ("NOT alliance", ALL_IDS - ALLIANCE_IDS),
        ("!alliance", ALL_IDS - ALLIANCE_IDS),
        ("empathy -alliance", {"z-group"}),
        ("-alliance empathy", {"z-group"}),
        ("empathy NOT alliance", {"z-group"}),
        ('alliance -"alliance measures"', ALLIANCE_IDS - {"a-measures"}),
        ("alliance -title:ruptures", ALLIANCE_IDS - {"m-ruptures"}),
        (f'alliance -topic:"{EMPATHY}"', ALLIANCE_IDS - {"c-training"}),
        ("alliance -type:RCT", {"c-training", "q-undated"}),
        ("(empathy OR depression) -group", {"c-training", "b-mood", "k-mood-twin"}),
        ("-(alliance empathy)", ALL_IDS - {"c-training"}),
        ("empathy OR -alliance", EMPATHY_IDS | (ALL_IDS - ALLIANCE_IDS)),
        ("alliance -empathy -ruptures", {"a-measures", "q-undated"}),
    ],
)
def test_negation(idx: SearchIndex, text: str, expected: set[str]) -> None:
    assert ids(search(idx, text)) == expected


def test_negation_with_filters(idx: SearchIndex) -> None:
    assert ids(search(idx, "-empathy", topics=[ALLIANCE])) == ALLIANCE_IDS - EMPATHY_IDS
    assert ids(search(idx, "-ruptures", types=[RCT])) == {"a-measures", "b-mood"}


# ------------------------------------------------------------------ undated summaries


def test_undated_summaries_are_not_a_year(idx: SearchIndex) -> None:
    res = search(idx, "alliance")
    assert list(res.facets["year"].items()) == [("2019", 1), ("2021", 1), ("2023", 1)]
    assert res.total == 4


def test_a_date_filter_leaves_undated_summaries_out(idx: SearchIndex) -> None:
    assert ids(search(idx, "alliance", date_from="2000")) == ALLIANCE_IDS - {"q-undated"}
    assert ids(search(idx, "alliance", date_to="2100")) == ALLIANCE_IDS - {"q-undated"}


# ------------------------------------------------------------------ facet order


def test_facets_list_most_frequent_first_then_by_name(idx: SearchIndex) -> None:
    res = search(idx, "")
    assert list(res.facets["topics"].items()) == [
        (ALLIANCE, 4), (DEPRESSION, 2), (EMPATHY, 2)]
    assert list(res.facets["research_type"].items()) == [
        (RCT, 3), (NATURAL, 2), (META, 1)]
    assert list(res.facets["year"].items()) == [
        ("2015", 1), ("2019", 2), ("2021", 1), ("2023", 2)]


def test_facet_order_follows_the_query(idx: SearchIndex) -> None:
    res = search(idx, "empathy OR depression")
    assert list(res.facets["topics"].items()) == [
        (DEPRESSION, 2), (EMPATHY, 2), (ALLIANCE, 1)]
    assert list(res.facets["research_type"].items()) == [(NATURAL, 2), (META, 1), (RCT, 1)]


# ------------------------------------------------------------------ every OR / AND form


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ruptures OR measures", {"m-ruptures", "a-measures"}),
        ("ruptures || measures", {"m-ruptures", "a-measures"}),
        ("ruptures | measures", {"m-ruptures", "a-measures"}),
        ("ruptures OR measures OR group", {"m-ruptures", "a-measures", "z-group"}),
        ("alliance AND empathy", {"c-training"}),
        ("alliance && empathy", {"c-training"}),
        ("alliance empathy", {"c-training"}),
        ("+alliance +empathy", {"c-training"}),
        ('"alliance measures" routine', {"a-measures"}),
        ('"group" empathy "leader"', {"z-group"}),
        ("(alliance empathy) OR depression", {"c-training", "b-mood", "k-mood-twin"}),
        ("group OR (alliance AND trainees)", {"z-group", "c-training"}),
    ],
)
def test_or_and_forms(idx: SearchIndex, text: str, expected: set[str]) -> None:
    res = search(idx, text)
    assert ids(res) == expected
    assert res.total == len(expected)


@pytest.mark.parametrize("per_page", [1, 2, 3])
def test_relevance_pages_partition_the_ranking(idx: SearchIndex, per_page: int) -> None:
    text = "alliance OR empathy OR care"
    whole = search(idx, text, sort="relevance")
    assert whole.total == len(EDGE)
    count = -(-len(EDGE) // per_page)
    pages = [search(idx, text, sort="relevance", page=p, per_page=per_page)
             for p in range(1, count + 1)]
    assert {r.pages for r in pages} == {count}
    assert [i for r in pages for i in order(r)] == order(whole)


def test_relevance_without_scores_is_newest_first(idx: SearchIndex) -> None:
    # a filter-only query ranks nothing: relevance falls back to newest first
    res = search(idx, f'topic:"{EMPATHY}"', sort="relevance")
    assert order(res) == ["c-training", "z-group"]
    assert order(search(idx, "type:RCT", sort="relevance")) == ["a-measures", "m-ruptures",
                                                                "b-mood"]


# ------------------------------------------------------------------ a pasted DOI or reference
# finds the summary of that article, and only what the pasted text names (not every summary
# sharing a word of the reference)


def cited_as(sid: str, title: str, cited: str, doi: str | None) -> Summary:
    return Summary(id=sid, published="2020-01", title=title,
                   body=f"On {cited.lower()}.",
                   implications="Consider it.",
                   citation=Citation(authors=["Doe, J."], year="2019", title=cited,
                                     journal="Journal of Tests", doi=doi),
                   topics=[], research_type=None)


PASTED = [
    cited_as("protocols", "Manuals in practice", "Imperfect protocols in pragmatic guidelines",
         "10.1037/abc0000123"),
    cited_as("ruptures", "Repairing ruptures", "Rupture repair in brief therapy",
         "10.1080/10503307.2020.1"),
    cited_as("guidelines", "What guidelines say", "Stepped care for clinicians in schools", None),
    cited_as("journal", "Journal clubs", "Reading journal articles with trainees", None),
]


@pytest.fixture(scope="module")
def pasted_idx(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    folder: Path = tmp_path_factory.mktemp("pasted")
    build_index(PASTED, folder, taxonomy=TAXONOMY)
    return SearchIndex.open(folder)


@pytest.mark.parametrize("text", ["10.1037/abc0000123", "doi:10.1037/ABC0000123",
                                  "https://doi.org/10.1037/abc0000123",
                                  "see 10.1037/abc0000123."])
def test_a_doi_finds_only_its_summary(pasted_idx: SearchIndex, text: str) -> None:
    assert order(search(pasted_idx, text)) == ["protocols"]


def test_an_unknown_doi_finds_nothing(pasted_idx: SearchIndex) -> None:
    assert order(search(pasted_idx, "10.9999/none.1")) == []


def test_a_reference_finds_the_article_by_doi_and_by_title(pasted_idx: SearchIndex) -> None:
    # the DOI names one summary; the title's words name another whose citation lacks a DOI
    ref = ("Doe, J. (2019). Stepped care for clinicians in schools. Journal of Tests, 1(2), 3-4. "
           "https://doi.org/10.1080/10503307.2020.1")
    assert set(order(search(pasted_idx, ref))) == {"ruptures", "guidelines"}


def test_a_reference_without_a_doi_is_searched_by_its_title_words(pasted_idx: SearchIndex) -> None:
    ref = "Doe, J. (2019). Imperfect protocols in pragmatic guidelines. Journal of Tests, 1, 3."
    res = search(pasted_idx, ref)
    # all title words: not "guidelines", which has only some of them, nor "journal" (a
    # word of the journal's name, not of the title)
    assert order(res) == ["protocols"]
    assert res.query == ref and res.corrected_from is None and res.did_you_mean is None


def test_a_reference_with_a_misspelt_title_is_not_corrected(pasted_idx: SearchIndex) -> None:
    ref = "Doe, J. (2019). Imperfekt protocols in pragmatik guidelines. Journal of Tests, 1, 3."
    res = search(pasted_idx, ref)
    assert order(res) == ["protocols"]  # most of the title's words are enough
    assert res.corrected_from is None and res.did_you_mean is None
