"""The bulk build's shortcuts inside Whoosh (precomputed positions, per-term pool) must
write exactly what Whoosh's own writer writes from the same documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from explorer.corpus import load_corpus, load_taxonomy
from explorer.search import build_index, bulkwrite
from explorer.search.schema import document_for, make_schema
from explorer.search.store import current_dir

ROOT = Path(__file__).resolve().parent.parent
TAXONOMY = load_taxonomy(ROOT / "corpus")


def _everything(folder: Path) -> tuple[dict, list, dict]:
    """Every posting (document, weight, raw value), stored fields and field lengths."""
    ix = whoosh_index.open_dir(str(folder))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        postings = {}
        for field, term in reader.all_terms():
            matcher = reader.postings(field, term)
            rows = []
            while matcher.is_active():
                rows.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            postings[(field, term)] = rows
        stored = [reader.stored_fields(n) for n in range(reader.doc_count_all())]
        lengths = {(n, f): reader.doc_field_length(n, f)
                   for n in range(reader.doc_count_all()) for f in ix.schema.scorable_names()}
    ix.close()
    return postings, stored, lengths


@pytest.mark.parametrize("blocks", [True, False])
def test_bulk_build_writes_what_whoosh_writes(tmp_path: Path, monkeypatch, blocks: bool) -> None:  # type: ignore[no-untyped-def]
    """Both ways of handing postings to Whoosh 3's writer: a block at a time, and (for a
    codec without those internals) one posting at a time."""
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
    assert len(bulk[0]) > 1000
    assert bulk[0] == reference[0]
    assert bulk[1] == reference[1]
    assert bulk[2] == reference[2]
    assert bool(block_calls) == blocks  # the path under test is the one taken


def test_block_at_a_time_writes_the_same_postings_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Block statistics (which searches use to skip blocks) included: byte for byte what
    the one-posting-at-a-time path writes."""
    summaries = load_corpus(ROOT / "corpus").summaries[:80]
    build_index(summaries, tmp_path / "blocks", workers=1, taxonomy=TAXONOMY)
    monkeypatch.setattr(bulkwrite, "_BLOCK_ATTRS", frozenset({"_no_such_attribute"}))
    build_index(summaries, tmp_path / "single", workers=1, taxonomy=TAXONOMY)
    blocks = _postings_bytes(current_dir(tmp_path / "blocks"))
    assert len(blocks) > 10_000
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
