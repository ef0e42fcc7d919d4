"""search/ takes records and a taxonomy, never files: the taxonomy travels with the index
as plain data (`Taxonomy.to_dict`/`from_dict`), and nothing in search/ imports the corpus
reader."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from explorer.records import ORIGINS_DEFAULT, Citation, Origin, Summary, Taxonomy
from explorer.search import SearchIndex, SearchRequest, build_index

SEARCH_DIR = Path(__file__).resolve().parent.parent / "explorer" / "search"

CUSTOM = Taxonomy(
    topics=["Alliance and Therapeutic Relationship", "Empathy"],
    research_types=["Meta-analysis", "Case study"],
    aliases={"Alliance": "Alliance and Therapeutic Relationship"},
    type_aliases={"MA": "Meta-analysis"},
    origins=[Origin("blog-post", "Blog post", True, "On the blog"),
             Origin("workshop", "Workshop handout", False, "Handed out at a workshop")],
)


def test_taxonomy_round_trips_through_plain_data() -> None:
    data = CUSTOM.to_dict()
    assert isinstance(data["origins"][1], dict)
    again = Taxonomy.from_dict(data)
    assert again == CUSTOM
    assert again.canonical_topic("alliance") == "Alliance and Therapeutic Relationship"
    assert again.canonical_type("ma") == "Meta-analysis"
    assert again.origin("Workshop handout") == CUSTOM.origins[1]


def test_taxonomy_saved_before_origins_were_kept_gets_the_default_origins() -> None:
    data = CUSTOM.to_dict()
    del data["origins"]
    assert Taxonomy.from_dict(data).origins == list(ORIGINS_DEFAULT)


@pytest.mark.parametrize("bad", [
    {"topics": ["A"]},  # no research types
    {"topics": ["A"], "research_types": [], "origins": [{"id": "x", "name": "X"}]},
    {"topics": ["A"], "research_types": [],
     "origins": [{"id": "x", "name": "X", "posted": "false"}]},
])
def test_taxonomy_from_data_of_another_shape_is_refused(bad: dict) -> None:
    with pytest.raises((KeyError, TypeError)):
        Taxonomy.from_dict(bad)


def test_search_package_does_not_import_the_corpus_reader() -> None:
    offenders = []
    for path in sorted(SEARCH_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any(n == "explorer.corpus" or n.startswith("explorer.corpus.") for n in names):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_index_answers_with_the_taxonomy_it_was_given(tmp_path: Path) -> None:
    summary = Summary(
        id="w1", published="", origin="workshop", title="Repairing alliance ruptures",
        body="Therapists who notice ruptures in the alliance and repair them keep clients.",
        implications="Ask about the relationship.",
        citation=Citation(authors=["Doe, J."], year="2020", title="Ruptures",
                          journal="Psychotherapy"),
        topics=["Alliance and Therapeutic Relationship"], research_type="Case study",
    )
    build_index([summary], tmp_path / "ix", taxonomy=CUSTOM)
    index = SearchIndex.open(tmp_path / "ix")
    assert index.taxonomy() == CUSTOM
    found = index.search(SearchRequest(q="ruptures", topics=["alliance"], types=["MA"]))
    assert found.topics == ["Alliance and Therapeutic Relationship"]
    assert found.types == ["Meta-analysis"]
    assert index.search(SearchRequest(q="ruptures", topics=["alliance"])).total == 1
    # a source the corpus's taxonomy defines (the index used to fall back to the defaults)
    by_source = index.search(SearchRequest(q="ruptures", sources=["Workshop handout"]))
    assert (by_source.sources, by_source.total) == (["workshop"], 1)
