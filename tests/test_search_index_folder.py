"""The index folder as searches and the editor's saves find it: the taxonomy saved with each
build decides which filter names are known, damage found while saving is reported with the
folder it is in, a save waits for another writer that finishes in time, and a save leaves
the manifest to a writer that takes the lock between its commit and the manifest update."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from explorer.corpus import load_taxonomy
from explorer.integrity import VERIFIED, CorruptError, read_manifest, write_manifest
from explorer.records import Citation, Summary, Taxonomy
from explorer.search import SearchIndex, SearchRequest, build_index
from explorer.search import index as index_module
from explorer.search.build import INDEX_FORMAT, TAXONOMY_FILE
from explorer.search.store import IndexCorruptError, current_dir

TAXONOMY = load_taxonomy()

OWN = Taxonomy(topics=["Alliance", "Mood"], research_types=["Trial", "Essay"],
               aliases={"Rapport": "Alliance"}, type_aliases={"RCT": "Trial"})


def make(sid: str, topics: list[str], rtype: str | None) -> Summary:
    return Summary(id=sid, published="2020-01", title=f"Note {sid}", body="Words about care.",
                   implications="Read on.", citation=Citation(), topics=topics,
                   research_type=rtype)


DOCS = [make("a-alliance", ["Alliance"], "Trial"), make("b-mood", ["Mood"], "Essay"),
        make("c-empathy", ["Empathy"], None)]


def found(idx: SearchIndex, **request: object) -> set[str]:
    return {h.id for h in idx.search(SearchRequest(**request)).hits}  # type: ignore[arg-type]


def _rewrite_manifest(folder: Path) -> None:
    """As an index written before the file in question existed (or changed) would list it."""
    write_manifest(folder, kind="search-index", format_version=INDEX_FORMAT, fingerprint=None,
                   unlisted_forbidden=("*.toc",))


def test_filters_resolve_names_by_the_taxonomy_saved_with_the_index(tmp_path: Path) -> None:
    build_index(DOCS, tmp_path / "ix", taxonomy=OWN)
    idx = SearchIndex.open(tmp_path / "ix")
    res = idx.search(SearchRequest(topics=["rapport"], types=["rct"]))
    assert {h.id for h in res.hits} == {"a-alliance"}
    assert (res.topics, res.types) == (["Alliance"], ["Trial"])
    assert found(idx, types=["Essay"]) == {"b-mood"}
    assert idx.resolve_topic("Rapport") == "Alliance"
    assert idx.resolve_type("rct") == "Trial"
    assert idx.resolve_topic("Depression") is None  # a bundled topic this index does not have
    assert idx.resolve_type("Meta-analysis") is None


def test_a_rebuild_with_another_taxonomy_is_followed(tmp_path: Path) -> None:
    build_index(DOCS, tmp_path / "ix", taxonomy=OWN)
    idx = SearchIndex.open(tmp_path / "ix")
    assert idx.resolve_topic("Rapport") == "Alliance"
    renamed = Taxonomy(topics=["Working alliance", "Mood"], research_types=["Trial"],
                       aliases={"Bond": "Working alliance"})
    build_index([make("a-alliance", ["Working alliance"], "Trial")], tmp_path / "ix",
                taxonomy=renamed)
    assert found(idx, topics=["bond"]) == {"a-alliance"}
    assert idx.resolve_topic("Rapport") is None


def test_an_index_without_a_saved_taxonomy_is_damage_not_the_bundled_one(
        tmp_path: Path) -> None:
    # search/ takes the taxonomy it was built with; guessing the bundled one instead could
    # silently file summaries under other topic names
    build_index(DOCS, tmp_path / "ix", taxonomy=OWN)
    live = current_dir(tmp_path / "ix")
    (live / TAXONOMY_FILE).unlink()
    _rewrite_manifest(live)
    idx = SearchIndex.open(tmp_path / "ix")
    with pytest.raises(IndexCorruptError) as caught:
        idx.search(SearchRequest(q="care"))
    assert str(caught.value) == (f"the search index in {tmp_path / 'ix'} is damaged "
                                 f"({TAXONOMY_FILE}: FileNotFoundError): run `pprnet build` "
                                 "to rebuild it")


@pytest.mark.parametrize(("text", "kind"), [
    ("{not json", "JSONDecodeError"),
    ('{"topics": ["A"]}', "KeyError"),  # no research types
    ('{"topics": 5, "research_types": []}', "TypeError"),
])
def test_an_unreadable_saved_taxonomy_is_damage_not_the_bundled_one(tmp_path: Path, text: str,
                                                                     kind: str) -> None:
    build_index(DOCS, tmp_path / "ix", taxonomy=OWN)
    live = current_dir(tmp_path / "ix")
    (live / TAXONOMY_FILE).write_text(text, encoding="utf-8")
    _rewrite_manifest(live)  # listed as it is: only its content is wrong
    idx = SearchIndex(tmp_path / "ix")
    with pytest.raises(IndexCorruptError) as caught:
        idx.search(SearchRequest(q="care"))
    assert str(caught.value) == (f"the search index in {tmp_path / 'ix'} is damaged "
                                 f"({TAXONOMY_FILE}: {kind}): run `pprnet build` to rebuild it")


def test_a_save_into_an_index_with_a_missing_table_of_contents_is_refused(
        tmp_path: Path) -> None:
    build_index(DOCS, tmp_path / "ix", taxonomy=TAXONOMY)
    idx = SearchIndex.open(tmp_path / "ix")
    for toc in current_dir(tmp_path / "ix").glob("*.toc"):
        toc.unlink()
    with pytest.raises(IndexCorruptError) as caught:
        idx.add_or_replace(make("d-new", [], None))
    assert str(caught.value) == (f"the search index in {tmp_path / 'ix'} is damaged "
                                 "(EmptyIndexError): run `pprnet build` to rebuild it")


def test_a_save_into_a_folder_found_damaged_names_the_damage_and_folder(
        tmp_path: Path) -> None:
    build_index(DOCS, tmp_path / "ix", taxonomy=TAXONOMY)
    idx = SearchIndex.open(tmp_path / "ix")
    live = current_dir(tmp_path / "ix")
    segment = next(live.glob("*.seg"))
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the hash tells
    segment.write_bytes(bytes(data))
    stamp = (live / "MANIFEST.json").stat().st_mtime_ns + 10**9
    os.utime(live / "MANIFEST.json", ns=(stamp, stamp))  # as if another process checks it
    with pytest.raises(CorruptError) as found_damage:
        VERIFIED.check(live, background=False)
    with pytest.raises(IndexCorruptError) as caught:
        idx.add_or_replace(make("d-new", [], None))
    assert str(caught.value) == (f"the search index in {tmp_path / 'ix'} is damaged "
                                 f"({found_damage.value}; in {live.name}): run `pprnet build` "
                                 "to rebuild it")


def test_a_save_waits_for_another_writer_that_finishes_in_time(tmp_path: Path) -> None:
    build_index(DOCS, tmp_path / "ix", taxonomy=TAXONOMY)
    idx = SearchIndex.open(tmp_path / "ix", lock_timeout=10)
    other = whoosh_index.open_dir(str(current_dir(tmp_path / "ix"))).writer()
    # the other writer holds the lock past Whoosh's own one-second wait, then gives up
    releaser = threading.Timer(1.5, other.cancel)
    releaser.start()
    try:
        idx.add_or_replace(make("d-new", [], None))
    finally:
        releaser.join()
    assert "d-new" in found(idx, q="care")


def test_a_save_that_finds_a_listed_file_changed_names_the_damage_and_folder(
        tmp_path: Path) -> None:
    build_index(DOCS, tmp_path / "ix", taxonomy=TAXONOMY)
    idx = SearchIndex.open(tmp_path / "ix")
    live = current_dir(tmp_path / "ix")
    with (live / TAXONOMY_FILE).open("a", encoding="utf-8") as handle:
        handle.write(" ")  # a file no commit rewrites, now a byte longer
    with pytest.raises(IndexCorruptError) as caught:
        idx.add_or_replace(make("d-new", [], None))
    size = (live / TAXONOMY_FILE).stat().st_size
    assert str(caught.value) == (f"the search index in {tmp_path / 'ix'} is damaged "
                                 f"({TAXONOMY_FILE} has {size} bytes, the build wrote "
                                 f"{size - 1}; in {live.name}): run `pprnet build` to rebuild it")


def test_a_writer_that_takes_the_lock_after_a_commit_is_left_the_manifest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    build_index(DOCS, tmp_path / "ix", taxonomy=TAXONOMY)
    live = current_dir(tmp_path / "ix")
    idx = SearchIndex.open(tmp_path / "ix", lock_timeout=0.2)
    before = read_manifest(live).files
    real_try_for = index_module.try_for
    releasers: list[threading.Timer] = []

    def another_writer_slips_in(*args: object, **kwargs: object) -> object:
        # between this save's commit and its manifest update, another writer takes the lock
        # and keeps it past this save's lock timeout (0.2 s) for 0.6 s
        other = whoosh_index.open_dir(str(live)).writer()
        releasers.append(threading.Timer(0.6, other.cancel))
        releasers[-1].start()
        return real_try_for(*args, **kwargs)

    monkeypatch.setattr(index_module, "try_for", another_writer_slips_in)
    with caplog.at_level(logging.WARNING, logger="explorer.search.index"):
        idx.add_or_replace(make("d-new", [], None))  # the save itself is done
    for releaser in releasers:
        releaser.join()
    assert [r.getMessage() for r in caplog.records] == [
        f"manifest of {live} not refreshed: the index is locked by another writer, whose "
        "commit refreshes it"]
    assert read_manifest(live).files == before  # not touched while the other held the lock
    assert "d-new" in found(idx, q="care")
    monkeypatch.undo()
    idx.add_or_replace(make("e-later", [], None))  # the next commit lists every new file
    assert found(SearchIndex.open(tmp_path / "ix"), q="care") == {
        "a-alliance", "b-mood", "c-empathy", "d-new", "e-later"}


def test_the_saved_taxonomy_is_read_once_per_index_folder(tmp_path: Path) -> None:
    # a built folder never changes its taxonomy, so a save (a new generation of the same
    # folder) does not read it again
    build_index(DOCS, tmp_path / "ix", taxonomy=OWN)
    idx = SearchIndex.open(tmp_path / "ix")
    assert found(idx, topics=["rapport"]) == {"a-alliance"}
    saved = current_dir(tmp_path / "ix") / TAXONOMY_FILE
    saved.write_text("x" * saved.stat().st_size, encoding="utf-8")  # unreadable, same size
    idx.add_or_replace(make("d-alliance", ["Alliance"], None))
    assert found(idx, topics=["rapport"]) == {"a-alliance", "d-alliance"}
    assert idx.resolve_type("rct") == "Trial"


def test_saves_wait_ten_seconds_for_another_writer_unless_told(tmp_path: Path) -> None:
    build_index(DOCS, tmp_path / "ix", taxonomy=TAXONOMY)
    assert SearchIndex(tmp_path / "ix").lock_timeout == 10.0
    assert SearchIndex.open(tmp_path / "ix").lock_timeout == 10.0
    assert SearchIndex.open(tmp_path / "ix", lock_timeout=2.5).lock_timeout == 2.5


def test_opening_a_folder_whose_listed_file_changed_names_the_damage_and_folder(
        tmp_path: Path) -> None:
    build_index(DOCS, tmp_path / "ix", taxonomy=TAXONOMY)
    live = current_dir(tmp_path / "ix")
    size = (live / TAXONOMY_FILE).stat().st_size
    with (live / TAXONOMY_FILE).open("a", encoding="utf-8") as handle:
        handle.write(" ")
    with pytest.raises(IndexCorruptError) as caught:
        SearchIndex.open(tmp_path / "ix")
    assert str(caught.value) == (f"the search index in {tmp_path / 'ix'} is damaged "
                                 f"({TAXONOMY_FILE} has {size + 1} bytes, the build wrote "
                                 f"{size}; in {live.name}): run `pprnet build` to rebuild it")


def test_the_taxonomy_is_known_before_any_search_and_on_any_thread(tmp_path: Path) -> None:
    # `pprnet search --topic` asks for the taxonomy before searching; a web worker thread
    # may ask before it has opened a searcher of its own
    build_index(DOCS, tmp_path / "ix", taxonomy=OWN)
    idx = SearchIndex(tmp_path / "ix")
    assert idx.taxonomy().topics == ["Alliance", "Mood"]
    seen: list[list[str]] = []
    fresh = SearchIndex(tmp_path / "ix")
    worker = threading.Thread(target=lambda: seen.append(fresh.taxonomy().topics))
    worker.start()
    worker.join()
    assert seen == [["Alliance", "Mood"]]


def test_an_index_of_another_format_is_refused_with_the_command_that_fixes_it(
        tmp_path: Path) -> None:
    """An index written by an earlier version (format 1 kept the analyzed fields' postings
    in Whoosh) is not read as if it were this version's: one line says to rebuild."""
    from explorer.search.store import IndexMissingError

    build_index(DOCS, tmp_path / "ix", taxonomy=OWN)
    folder = current_dir(tmp_path / "ix")
    old = read_manifest(folder)
    write_manifest(folder, kind=old.kind, format_version=INDEX_FORMAT - 1,
                   fingerprint=old.fingerprint, unlisted_forbidden=old.unlisted_forbidden)
    with pytest.raises(IndexMissingError) as caught:
        SearchIndex.open(tmp_path / "ix")
    message = str(caught.value)
    assert f"has format {INDEX_FORMAT - 1}" in message and "run `pprnet build`" in message
    assert "\n" not in message
    with pytest.raises(IndexMissingError, match="run `pprnet build`"):  # nor saved into
        SearchIndex(tmp_path / "ix").add_or_replace(make("d-new", ["Mood"], None))


def test_saves_never_merge_a_built_segment(tmp_path: Path) -> None:
    """A built segment's analyzed fields have postings only in its arrays, which a Whoosh
    merge would not carry over: after many saves (which Whoosh merges among themselves)
    the built segment and its arrays are still there, and every summary is found by
    word, phrase and prefix as in a fresh build of the same summaries."""
    extra = [Summary(id=f"s-{i}", published="2021-02", title=f"Rupture repair {i}",
                     body=f"Therapists repaired ruptures in session {i}.",
                     implications="Notice withdrawal.", citation=Citation(),
                     topics=["Alliance"], research_type="Trial") for i in range(9)]
    build_index(DOCS, tmp_path / "ix", taxonomy=OWN)
    folder = current_dir(tmp_path / "ix")
    (built,) = folder.glob("*.postings.npz")
    idx = SearchIndex.open(tmp_path / "ix")
    for summary in extra:
        idx.add_or_replace(summary)
    idx.add_or_replace(make("b-mood", ["Mood"], "Trial"))  # a deletion in the built segment
    ix = whoosh_index.open_dir(str(folder))
    segments = ix._segments()
    ix.close()
    assert built.is_file() and len(segments) < 1 + len(extra)  # the saves were merged
    assert built.name.split(".")[0] in {s.segment_id() for s in segments}
    build_index([*DOCS[:1], make("b-mood", ["Mood"], "Trial"), *DOCS[2:], *extra],
                tmp_path / "fresh", taxonomy=OWN)
    fresh = SearchIndex.open(tmp_path / "fresh")
    for text in ("rupture", '"repaired ruptures"', "therap*", "care", "mood", '"words about"'):
        assert found(idx, q=text) == found(fresh, q=text), text
    assert len(found(idx, q='"repaired ruptures"', per_page=50)) == len(extra)
