"""Shortcuts inside Whoosh's segment writer for a bulk build (one fresh segment).

`add_document` is Whoosh's ``SegmentWriter.add_document`` for a build whose analyzed
fields are indexed in our own postings arrays (`explorer.search.postings`): for those it
writes the stored value and the length Whoosh would have counted, and no postings (which
the engine no longer reads; building them was most of a large build). The other fields
(id, topics, research type, month, year, DOI, origin) go through Whoosh's own indexing.

Whoosh's writer puts every posting of a segment, as a tuple, in one pool, sorts the whole
pool at commit, then asks the lengths column for the document's field length once per
posting (a disk read each time). For a build that adds documents in order to a new
segment, none of that is needed: postings grouped per (field, term) as they arrive are
already in document order, so only the distinct terms need sorting, and each document's
field length is read once. The bytes written are the same; only the bookkeeping changes.
`install` swaps both in on a fresh `SegmentWriter`; anything unexpected (another codec,
a merge) takes Whoosh's own path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

_Posting = tuple[int, float, bytes | None]


class TermPool:
    """Drop-in for Whoosh's `PostingPool`: postings kept per (field, term bytes)."""

    def __init__(self) -> None:
        self.fieldnames: set[str] = set()
        self._terms: dict[tuple[str, bytes], list[_Posting]] = {}

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        key = (fieldname, tbytes)
        postings = self._terms.get(key)
        if postings is None:
            postings = self._terms[key] = []
            self.fieldnames.add(fieldname)
        postings.append((docnum, weight, vbytes))

    def sorted_terms(self) -> list[tuple[str, bytes]]:
        return sorted(self._terms)

    def postings(self, key: tuple[str, bytes]) -> list[_Posting]:
        return self._terms[key]

    def iter_postings(self) -> TermPool:
        """What the writer hands to ``add_postings``: the pool itself (see `install`)."""
        return self

    def __iter__(self) -> Iterator[tuple[str, bytes, int, float, bytes | None]]:
        """Whoosh's item order, for any caller other than the patched ``add_postings``."""
        for fieldname, tbytes in self.sorted_terms():
            for docnum, weight, vbytes in self._terms[(fieldname, tbytes)]:
                yield fieldname, tbytes, docnum, weight, vbytes

    def cleanup(self) -> None:
        self._terms.clear()


def _write_pool(fieldwriter: Any, schema: Any, lengths: Any, pool: TermPool) -> None:
    """`FieldWriter.add_postings` for a `TermPool`: each term's postings added a block at a
    time where the codec is Whoosh 3's (one call per posting otherwise), and each
    (document, field) length read once."""
    known: dict[str, dict[int, int]] = {}
    lastfield = None
    per_field: dict[int, int] = {}
    postwriter, blocks = None, False
    for fieldname, tbytes in pool.sorted_terms():
        if fieldname != lastfield:
            if lastfield is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            # a field that is not scorable has no lengths column: every length is 0,
            # without asking the column (a file lookup each time) per document
            scorable = schema[fieldname].scorable
            per_field = known.setdefault(fieldname, {} if scorable else defaultdict(int))
            lastfield = fieldname
            postwriter = None
        fieldwriter.start_term(tbytes)
        if postwriter is None:
            # One postings writer per field; its block buffers exist only once a term has
            # started, so it is looked at here (before: never, and every posting took
            # the one-at-a-time path).
            postwriter = getattr(fieldwriter, "_postwriter", None)
            blocks = _BLOCK_ATTRS.issubset(dir(postwriter))
        postings = pool.postings((fieldname, tbytes))
        if scorable:
            for docnum, _weight, _vbytes in postings:
                if docnum not in per_field:
                    per_field[docnum] = (
                        lengths.doc_field_length(docnum, fieldname, 0) if lengths else 0)
        if blocks:
            _add_blocks(postwriter, postings, per_field)
        else:
            for docnum, weight, vbytes in postings:
                fieldwriter.add(docnum, weight, vbytes or b"", per_field[docnum])
        fieldwriter.finish_term()
    if lastfield is not None:
        fieldwriter.finish_field()


# What `_add_blocks` uses of Whoosh 3's postings writer (`whoosh.codec.whoosh3`).
_BLOCK_ATTRS = frozenset({"_ids", "_weights", "_values", "_blocklimit", "_maxweight",
                          "_minlength", "_maxlength", "_write_block"})


def _add_blocks(postwriter: Any, postings: list[_Posting], lengths: dict[int, int]) -> None:
    """What ``add_posting`` does once per posting, done a block (up to 128) at a time:
    the same buffers, statistics and block boundaries, so the same bytes."""
    limit = postwriter._blocklimit
    start = 0
    while start < len(postings):
        if len(postwriter._ids) >= limit:
            postwriter._write_block()
        end = min(len(postings), start + limit - len(postwriter._ids))
        chunk = postings[start:end]
        weights = [w for _, w, _ in chunk]
        postwriter._ids.extend([d for d, _, _ in chunk])
        postwriter._weights.extend(weights)
        postwriter._values.extend([v for _, _, v in chunk if v])
        postwriter._maxweight = max(postwriter._maxweight, *weights)
        sizes = [lengths[d] for d, _, _ in chunk if lengths[d]]
        if sizes:
            low = min(sizes)
            if postwriter._minlength is None or low < postwriter._minlength:
                postwriter._minlength = low
            postwriter._maxlength = max(postwriter._maxlength, *sizes)
        start = end


def install(writer: Any) -> bool:
    """Use `TermPool` in a fresh Whoosh `SegmentWriter`; False (unchanged) if it has no
    pool or field writer of the expected shape, or already holds postings."""
    fieldwriter = getattr(writer, "fieldwriter", None)
    pool = getattr(writer, "pool", None)
    if fieldwriter is None or pool is None or getattr(pool, "current", None):
        return False
    original = fieldwriter.add_postings

    def add_postings(schema: Any, lengths: Any, items: Any) -> None:
        if isinstance(items, TermPool):
            _write_pool(fieldwriter, schema, lengths, items)
        else:
            original(schema, lengths, items)

    writer.pool = TermPool()
    fieldwriter.add_postings = add_postings
    return True


def add_document(writer: Any, fields: dict[str, Any], lengths: dict[str, int]) -> None:
    """Whoosh's ``SegmentWriter.add_document`` (no boosts, spelling or vector fields, as in
    `explorer.search.schema`), except that a field named in ``lengths`` is not analyzed
    or posted: it gets its stored value and that length (its token count) only."""
    writer._check_state()
    perdocwriter = writer.perdocwriter
    schema = writer.schema
    docnum = writer.docnum
    add_post = writer.pool.add
    fieldnames = sorted(name for name in fields if not name.startswith("_"))
    writer._check_fields(schema, fieldnames)
    perdocwriter.start_doc(docnum)
    try:
        for fieldname in fieldnames:
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            if field.separate_spelling() or field.vector:
                raise ValueError(f"{fieldname}: spelling and vector fields are not supported")
            length = lengths.get(fieldname)
            if length is None:
                length = 0
                if field.indexed:
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        add_post((fieldname, tbytes, docnum, weight, vbytes))
            elif not field.scorable:
                length = 0
            perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
    except Exception:
        perdocwriter.cancel_doc()
        raise
    perdocwriter.finish_doc()
    writer._added = True
    writer.docnum += 1
