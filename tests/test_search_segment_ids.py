"""Two indexes whose segments carry the same id never answer with each other's documents.

Whoosh draws segment ids from the process's global random numbers: a caller that seeds
them (test frameworks do, per example) gets the same ids again, and a copied index keeps
its ids while its corpus moves on. The engine's process-wide caches (stored fields,
raw postings) must therefore tell indexes apart by folder, not by segment id alone.
"""

from __future__ import annotations

import random
from pathlib import Path

from explorer.corpus import load_taxonomy
from explorer.records import Citation, Summary
from explorer.search import SearchIndex, SearchRequest, build_index

TAXONOMY = load_taxonomy()


def make(sid: str, title: str, published: str) -> Summary:
    return Summary(id=sid, published=published, title=title,
                   body=f"{title}. Clients and therapists were followed over a year.",
                   implications="", topics=[], research_type="Naturalistic",
                   citation=Citation(authors=["Smith, A."], year="2019", title=None,
                                     journal="Journal of Tests"))


def build_seeded(folder: Path, summaries: list[Summary]) -> SearchIndex:
    random.seed(2024)  # what a seeding caller does: the same segment id every time
    build_index(summaries, folder, taxonomy=TAXONOMY)
    return SearchIndex.open(folder)


def segment_ids(folder: Path) -> set[str]:
    return {p.name.split(".")[0] for p in folder.rglob("*.seg")}


def test_same_segment_ids_in_two_folders_keep_their_own_documents(tmp_path: Path) -> None:
    first = build_seeded(tmp_path / "a", [make("alpha-1", "Alliance ruptures", "2020-01"),
                                          make("alpha-2", "Alliance repair", "2021-01")])
    # read the first index's hits, so its stored fields sit in the caches
    assert {h.id for h in first.search(SearchRequest(q="clients")).hits} == {"alpha-1", "alpha-2"}
    second = build_seeded(tmp_path / "b", [make("beta-1", "Empathy in groups", "2018-05"),
                                           make("beta-2", "Empathy online", "2017-03")])
    assert segment_ids(tmp_path / "a") == segment_ids(tmp_path / "b")  # the premise
    hits = second.search(SearchRequest(q="clients", sort="newest")).hits
    assert [(h.id, h.title, h.published) for h in hits] == [
        ("beta-1", "Empathy in groups", "2018-05"), ("beta-2", "Empathy online", "2017-03")]
    assert {h.id for h in second.search(SearchRequest(q="empathy")).hits} == {"beta-1",
                                                                             "beta-2"}
    assert second.search(SearchRequest(q="alliance")).total == 0
    # and the first index still answers with its own
    assert [h.id for h in first.search(SearchRequest(q="alliance", sort="newest")).hits] == [
        "alpha-2", "alpha-1"]
