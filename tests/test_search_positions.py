"""Phrase positions (`segments.leaf_positions`): from a built segment's postings arrays,
and from Whoosh's postings (segments of saves) read block by block or by stepping a
matcher to each document: the same positions, across several postings blocks, with
deletions."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index

from explorer.corpus import load_taxonomy
from explorer.records import Citation, Summary
from explorer.search import SearchIndex, SearchRequest, build_index, segments
from explorer.search.phrases import phrase_terms
from explorer.search.schema import document_for, make_schema

WORDS = ["alliance", "rupture", "repair", "therapy", "client", "outcome", "session", "early"]


def _doc(i: int, body: str) -> Summary:
    return Summary(id=f"d{i:03d}", published="2020-01", title=f"Summary {i}", body=body,
                   implications="", citation=Citation(authors=["Smith, A."], year="2019",
                                                      title=None, journal="J"),
                   topics=[], research_type="Randomized controlled trial")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> tuple[SearchIndex, list[Summary]]:
    rng = random.Random(5)
    # 300 documents: a common term spans three postings blocks (128 postings each)
    docs = [_doc(i, " ".join(rng.choice(WORDS) for _ in range(12))) for i in range(300)]
    folder: Path = tmp_path_factory.mktemp("positions-index")
    build_index(docs, folder, taxonomy=load_taxonomy())
    idx = SearchIndex.open(folder)
    idx.delete("d007")  # a deleted document is never a phrase match
    return idx, [d for d in docs if d.id != "d007"]


def _brute(docs: list[Summary], phrase: str) -> set[str]:
    return {d.id for d in docs if f" {phrase} " in f" {d.body} "}


@pytest.mark.parametrize("phrase", ["alliance rupture", "rupture repair", "early session",
                                    "client outcome therapy", "repair repair"])
def test_phrase_matches_brute_force(index: tuple[SearchIndex, list[Summary]],
                                    phrase: str) -> None:
    idx, docs = index
    res = idx.search(SearchRequest(q=f'"{phrase}"', per_page=500))
    assert {h.id for h in res.hits} == _brute(docs, phrase)
    assert res.total == len(_brute(docs, phrase)) > 0


class _Stepped:
    """A matcher without the Whoosh 3 block internals: the other codec path."""

    def __init__(self, m) -> None:  # type: ignore[no-untyped-def]
        self._m = m  # with deletions, Whoosh's filter around the postings

    def is_active(self) -> bool:
        return bool(self._m.is_active())

    def skip_to(self, doc: int) -> None:
        self._m.skip_to(doc)

    def id(self) -> int:
        return int(self._m.id())

    def value(self) -> bytes:
        return bytes(self._m.value())


def test_arrays_block_and_stepped_paths_agree(index: tuple[SearchIndex, list[Summary]],
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    idx, _docs = index
    snap = idx._snapshot(idx._searcher())
    built, _offset = snap.leaves[0]
    wanted = list(range(0, built.doc_count_all(), 3))
    arrays = [g() if g else None for g in segments.leaf_positions(
        built, "body", "therapi", wanted, snap.segids[0], snap.folder)]
    assert sum(p is not None for p in arrays) > 20
    # the same documents in one segment written by Whoosh's own writer (as saves are)
    rng = random.Random(5)
    docs = [_doc(i, " ".join(rng.choice(WORDS) for _ in range(12))) for i in range(300)]
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    writer = ix.writer()
    for doc in docs:
        writer.add_document(**document_for(doc))
    writer.commit()
    with ix.reader() as reader:
        ((leaf, _),) = reader.leaf_readers()
        block = [g() if g else None for g in segments.leaf_positions(leaf, "body", "therapi",
                                                                     wanted)]
        assert block == arrays
        real = leaf.postings

        def stepped(field: str, term: str):  # type: ignore[no-untyped-def]
            return _Stepped(real(field, term))

        monkeypatch.setattr(leaf, "postings", stepped)
        steps = [g() if g else None for g in segments.leaf_positions(leaf, "body", "therapi",
                                                                     wanted)]
        assert steps == block
        missing = segments.leaf_positions(leaf, "body", "zzzunknown", wanted)
        assert missing == [None] * len(wanted)
    ix.close()
    assert segments.leaf_positions(built, "body", "zzzunknown", wanted, snap.segids[0],
                                   snap.folder) == [None] * len(wanted)


def test_phrase_terms_scores_only_matches(index: tuple[SearchIndex, list[Summary]]) -> None:
    idx, docs = index
    snap = idx._snapshot(idx._searcher())
    found = phrase_terms(snap, ["allianc", "ruptur"], ("body",))
    assert found.score is not None
    assert np.all(found.score[~found.mask] == 0) and np.all(found.score[found.mask] > 0)
    assert int(found.mask.sum()) == len(_brute(docs, "alliance rupture"))
