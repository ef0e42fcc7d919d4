"""The bulk build's shortcuts inside Whoosh (its own add_document, per-term pool) and the
postings arrays it writes instead of Whoosh's postings of the analyzed fields must hold
exactly what Whoosh's own writer writes from the same documents."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index

from explorer.corpus import load_corpus, load_taxonomy
from explorer.search import build_index, bulkwrite, postings
from explorer.search.schema import ANALYZED_FIELDS, EXACT_FIELDS, document_for, make_schema
from explorer.search.store import current_dir

ROOT = Path(__file__).resolve().parent.parent
TAXONOMY = load_taxonomy(ROOT / "corpus")
ARRAY_FIELDS = {*ANALYZED_FIELDS, *EXACT_FIELDS}


def _everything(folder: Path) -> tuple[dict, list, dict]:
    """Every posting (document, weight, raw value), stored fields and field lengths."""
    ix = whoosh_index.open_dir(str(folder))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        found = {}
        for field, term in reader.all_terms():
            matcher = reader.postings(field, term)
            rows = []
            while matcher.is_active():
                rows.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            found[(field, term)] = rows
        stored = [reader.stored_fields(n) for n in range(reader.doc_count_all())]
        lengths = {(n, f): reader.doc_field_length(n, f)
                   for n in range(reader.doc_count_all()) for f in ix.schema.scorable_names()}
    ix.close()
    return found, stored, lengths


def _arrays(folder: Path) -> dict:
    """The postings arrays of a one-segment build, as Whoosh's rows would read: (document,
    frequency, positions or None)."""
    (path,) = folder.glob(f"*{postings.SUFFIX}")
    arrays = postings.SegmentPostings(path)
    out = {}
    for field in ARRAY_FIELDS:
        for term in arrays.terms(field) or []:
            ids, tf = arrays.get(field, term)  # type: ignore[misc]
            where = arrays.positions(field, term, ids.tolist())
            out[(field, term.encode("utf-8"))] = [
                (int(d), float(w), None if where is None else where[j]())  # type: ignore[misc]
                for j, (d, w) in enumerate(zip(ids, tf, strict=True))]
    return out


def _decoded(field: str, rows: list) -> list:
    fmt = make_schema()[field].format
    return [(d, w, frozenset(fmt.decode_positions(v)) if field in ANALYZED_FIELDS else None)
            for d, w, v in rows]


@pytest.mark.parametrize("blocks", [True, False])
def test_bulk_build_writes_what_whoosh_writes(tmp_path: Path, monkeypatch, blocks: bool) -> None:  # type: ignore[no-untyped-def]
    """Both ways of handing postings to Whoosh 3's writer: a block at a time, and (for a
    codec without those internals) one posting at a time. The analyzed fields' postings
    are in the arrays only, positions included."""
    if not blocks:
        monkeypatch.setattr(bulkwrite, "_BLOCK_ATTRS", frozenset({"_no_such_attribute"}))
    block_calls = []
    real_add_blocks = bulkwrite._add_blocks
    monkeypatch.setattr(bulkwrite, "_add_blocks",
                        lambda *a: block_calls.append(1) or real_add_blocks(*a))
    summaries = load_corpus(ROOT / "corpus").summaries[:60]
    assert len(summaries) == 60
    build_index(summaries, tmp_path / "bulk", workers=1, taxonomy=TAXONOMY)
    plain = tmp_path / "plain"
    plain.mkdir()
    ix = whoosh_index.create_in(str(plain), make_schema())
    writer = ix.writer()
    for summary in summaries:
        writer.add_document(**document_for(summary))  # tokenizer, Whoosh's pool and flush
    writer.commit()
    ix.close()
    bulk = _everything(current_dir(tmp_path / "bulk"))
    reference = _everything(plain)
    own = {k: v for k, v in reference[0].items() if k[0] not in ARRAY_FIELDS}
    assert len(own) > 100 and bulk[0] == own  # keyword fields: Whoosh's own postings
    arrays = _arrays(current_dir(tmp_path / "bulk"))
    assert len(arrays) > 5000
    assert arrays == {k: _decoded(k[0], v) for k, v in reference[0].items()
                      if k[0] in ARRAY_FIELDS}
    assert any(len(row[2]) > 1 for rows in arrays.values() for row in rows if row[2])
    assert bulk[1] == reference[1]
    assert bulk[2] == reference[2]
    assert bool(block_calls) == blocks  # the path under test is the one taken


def test_positions_beyond_two_bytes_are_kept(tmp_path: Path) -> None:
    """Positions are stored in two bytes while they fit, four once they do not."""
    writer = postings.PostingsWriter(["body"], positional=frozenset({"body"}))
    writer.add(0, "body", [("word", 3, 0, 0), ("other", 70_000, 0, 0), ("word", 9, 0, 0)])
    writer.add(2, "body", [("word", 1, 0, 0)])
    writer.save(tmp_path / "x.postings.npz")
    arrays = postings.SegmentPostings(tmp_path / "x.postings.npz")
    ids, tf = arrays.get("body", "word")  # type: ignore[misc]
    assert ids.tolist() == [0, 2] and tf.tolist() == [2.0, 1.0]
    where = arrays.positions("body", "word", [0, 1, 2])
    assert where is not None and where[1] is None
    assert (where[0](), where[2]()) == ({3, 9}, {1})  # type: ignore[misc]
    assert arrays.positions("body", "other", [0])[0]() == {70_000}  # type: ignore[index,misc]
    assert np.load(tmp_path / "x.postings.npz")["body.pos"].dtype == np.int32
    assert arrays.expand_prefix("body", "w") == ["word"]
    assert arrays.expand_prefix("body", "x") == []
    assert arrays.positions("nofield", "word", [0]) is None


def test_block_at_a_time_writes_the_same_postings_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Block statistics (which searches use to skip blocks) included: byte for byte what
    the one-posting-at-a-time path writes."""
    summaries = load_corpus(ROOT / "corpus").summaries[:80]
    build_index(summaries, tmp_path / "blocks", workers=1, taxonomy=TAXONOMY)
    monkeypatch.setattr(bulkwrite, "_BLOCK_ATTRS", frozenset({"_no_such_attribute"}))
    build_index(summaries, tmp_path / "single", workers=1, taxonomy=TAXONOMY)
    blocks = _postings_bytes(current_dir(tmp_path / "blocks"))
    assert len(blocks) > 1000
    assert blocks == _postings_bytes(current_dir(tmp_path / "single"))


def _postings_bytes(folder: Path) -> bytes:
    """The postings file inside the one segment's compound file."""
    ix = whoosh_index.open_dir(str(folder))
    (segment,) = ix._segments()
    compound = segment.open_compound_file(ix.storage)
    try:
        return compound.open_file(segment.make_filename(".pst")).read()
    finally:
        compound.close()
        ix.close()
