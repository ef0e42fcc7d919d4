"""`SearchIndex(recheck_seconds=...)`: how soon a search sees a change to the index.

A server's request threads look at the disk (the pointer file, the folder's listing) at
most every ``recheck_seconds``; a change made through the same `SearchIndex` (the editor's
save, the corpus follower) is seen by every thread at once, and a change made by another
process (another server worker, an outside `pprnet build`) once the interval is over.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from explorer.corpus import load_taxonomy
from explorer.records import Citation, Summary
from explorer.search import SearchIndex, SearchRequest, build_index

WORD = "zqvexillum"  # a made-up word: one index term, in no other summary


def summary(sid: str, title: str) -> Summary:
    return Summary(id=sid, title=title, published="2020-01", body=f"{title}. Some body text.",
                   implications="", topics=[], research_type=None,
                   citation=Citation(authors=["Doe, J."], year="2019", title=title))


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    build_index([summary("2020-01-first", "A first summary about therapy")], tmp_path / "index",
                taxonomy=load_taxonomy())
    return tmp_path / "index"


def total(idx: SearchIndex, q: str) -> int:
    return idx.search(SearchRequest(q=q)).total


def in_thread(fn):  # noqa: ANN001, ANN202 - a tiny helper
    out: list = []
    worker = threading.Thread(target=lambda: out.append(fn()))
    worker.start()
    worker.join()
    return out[0]


def test_a_save_through_the_same_index_is_seen_by_every_thread_at_once(folder: Path) -> None:
    idx = SearchIndex.open(folder, recheck_seconds=3600)
    assert total(idx, WORD) == 0
    waiting = threading.Event()
    go = threading.Event()
    seen: list[int] = []

    def reader() -> None:
        seen.append(total(idx, WORD))  # this thread's searcher is now open and fresh
        waiting.set()
        go.wait(10)
        seen.append(total(idx, WORD))

    worker = threading.Thread(target=reader)
    worker.start()
    waiting.wait(10)
    idx.add_or_replace(summary("2020-01-second", f"A second summary about {WORD}"))
    go.set()
    worker.join()
    assert seen == [0, 1]
    assert total(idx, WORD) == 1


def test_another_processs_save_is_seen_once_the_interval_is_over(folder: Path) -> None:
    reader = SearchIndex.open(folder, recheck_seconds=0.3)
    writer = SearchIndex.open(folder)  # stands for another server worker
    assert total(reader, WORD) == 0
    writer.add_or_replace(summary("2020-01-second", f"A second summary about {WORD}"))
    assert total(reader, WORD) == 0  # within the interval: the searcher it had
    time.sleep(0.35)
    assert total(reader, WORD) == 1


def test_without_an_interval_every_search_looks(folder: Path) -> None:
    reader = SearchIndex.open(folder)
    writer = SearchIndex.open(folder)
    assert total(reader, WORD) == 0
    writer.add_or_replace(summary("2020-01-second", f"A second summary about {WORD}"))
    assert total(reader, WORD) == 1
    assert in_thread(lambda: total(reader, WORD)) == 1


def test_refresh_makes_every_thread_look_again(folder: Path) -> None:
    reader = SearchIndex.open(folder, recheck_seconds=3600)
    writer = SearchIndex.open(folder)
    assert total(reader, WORD) == 0
    writer.add_or_replace(summary("2020-01-second", f"A second summary about {WORD}"))
    assert total(reader, WORD) == 0
    in_thread(reader.refresh)  # (as the corpus follower would, from its own thread)
    assert total(reader, WORD) == 1
