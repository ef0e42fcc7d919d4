"""The engines of the relevance benchmark, each behind one call: ``search(q) -> ids``.

Every engine gets the same summaries and the same fields: title, body, implications, the
cited article's title, authors and journal, and the topics. This engine is queried
through its public API with the user's text as typed. The peers get the user's content
words (`relevance_metrics.content_words`), each quoted or passed as a plain term so that
no character of the user's text can reach their query syntax; a query a peer still
cannot parse counts as zero results for it, never a crash. A peer whose package is not
installed raises `EngineUnavailable` at build time, and the benchmark skips it.

Field weights for the multi-field peers (tantivy, FTS5) follow `bench/search_bench.py`:
the title weighs more than the text, as every engine tuned for titles would have it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from relevance_metrics import STOP_WORDS, K, content_words

FIELDS = ("title", "body", "implications", "cited_title", "authors", "journal", "topics")
TITLE_BOOST = 2.0
ENGINES = ("ours", "tantivy", "bm25s", "fts5-and", "fts5-or")

Search = Callable[[str], list[str]]


class EngineUnavailable(RuntimeError):
    """A peer's package is not installed (the message says which)."""


def doc_fields(summary: object) -> dict[str, str]:
    """The benchmark's fields of one `Summary` as plain strings."""
    cit = summary.citation  # type: ignore[attr-defined]
    return {
        "title": summary.title or "",  # type: ignore[attr-defined]
        "body": summary.body or "",  # type: ignore[attr-defined]
        "implications": summary.implications or "",  # type: ignore[attr-defined]
        "cited_title": cit.title or "",
        "authors": "; ".join(cit.authors),
        "journal": cit.journal or "",
        "topics": "; ".join(summary.topics),  # type: ignore[attr-defined]
    }


# ----------------------------------------------------------------------------- ours


def build_ours(summaries: Sequence[object], work: Path) -> Search:
    """This engine, as the web page and the API call it: one page of 10, by relevance."""
    from explorer.corpus import load_taxonomy
    from explorer.search import SearchIndex, SearchRequest, build_index

    folder = work / "ours"
    build_index(list(summaries), folder, workers=1, taxonomy=load_taxonomy())  # type: ignore[arg-type]
    index = SearchIndex.open(folder)

    def search(q: str) -> list[str]:
        return [hit.id for hit in index.search(SearchRequest(q=q, per_page=K)).hits]

    return search


# ----------------------------------------------------------------------------- tantivy


def build_tantivy(summaries: Sequence[object], work: Path) -> Search:
    """tantivy, English stemmer tokenizer on every field, OR of the words (its default)."""
    try:
        import tantivy
    except ImportError as exc:
        raise EngineUnavailable("tantivy is not installed (pip install -e '.[bench]')") from exc
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in FIELDS:
        builder.add_text_field(name, tokenizer_name="en_stem")
    index = tantivy.Index(builder.build())
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    for s in summaries:
        writer.add_document(tantivy.Document(id=s.id, **doc_fields(s)))  # type: ignore[attr-defined]
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()

    def search(q: str) -> list[str]:
        words = content_words(q)
        if not words:
            return []
        text = " ".join(f'"{w}"' for w in words)  # quoted: no query syntax survives
        try:
            query = index.parse_query(text, list(FIELDS), field_boosts={"title": TITLE_BOOST})
            hits = searcher.search(query, K).hits
        except ValueError:
            return []
        return [searcher.doc(addr)["id"][0] for _score, addr in hits]

    return search


# ----------------------------------------------------------------------------- bm25s


def _english_stemmer() -> object:
    """PyStemmer's English Snowball stemmer, else NLTK's (same algorithm, pure Python),
    in the two shapes bm25s accepts: an object with ``stemWords``, or a list callable."""
    try:
        import Stemmer

        return Stemmer.Stemmer("english")
    except ImportError:
        from nltk.stem.snowball import SnowballStemmer

        stem = SnowballStemmer("english").stem
        return lambda words: [stem(w) for w in words]


def build_bm25s(summaries: Sequence[object], work: Path) -> Search:
    """bm25s over all fields joined into one text (it has no fields), title twice.

    Tokenized by bm25s itself (its stemmer support, the benchmark's stop list), so the
    query goes through exactly what the corpus did.
    """
    try:
        import bm25s
    except ImportError as exc:
        raise EngineUnavailable("bm25s is not installed (pip install -e '.[bench]')") from exc
    stemmer = _english_stemmer()
    stop = sorted(STOP_WORDS)
    ids = [s.id for s in summaries]  # type: ignore[attr-defined]
    texts = []
    for s in summaries:
        f = doc_fields(s)
        texts.append(" ".join([f["title"], f["title"], *(f[n] for n in FIELDS[1:])]))
    tokens = bm25s.tokenize(texts, stopwords=stop, stemmer=stemmer, return_ids=False,
                            show_progress=False)
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    vocab = set(retriever.vocab_dict)

    def search(q: str) -> list[str]:
        words = bm25s.tokenize([q], stopwords=stop, stemmer=stemmer, return_ids=False,
                               show_progress=False)[0]
        words = [w for w in words if w in vocab]
        if not words:
            return []
        docs, scores = retriever.retrieve([words], k=min(K, len(ids)), show_progress=False)
        return [ids[int(d)] for d, sc in zip(docs[0], scores[0], strict=True) if sc > 0]

    return search


# ----------------------------------------------------------------------------- FTS5


def _build_fts5(summaries: Sequence[object], work: Path, joiner: str) -> Search:
    """SQLite FTS5, tokenizer 'porter unicode61', ranked by bm25 with the title weighted."""
    con = sqlite3.connect(str(work / f"fts5-{joiner.strip() or 'and'}.db"),
                          check_same_thread=False)
    con.execute(f"CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, {', '.join(FIELDS)}, "
                "tokenize='porter unicode61')")
    with con:
        for s in summaries:
            f = doc_fields(s)
            con.execute(f"INSERT INTO fts VALUES (?{', ?' * len(FIELDS)})",
                        (s.id, *(f[n] for n in FIELDS)))  # type: ignore[attr-defined]
    weights = ", ".join(["0", str(TITLE_BOOST)] + ["1.0"] * (len(FIELDS) - 1))

    def search(q: str) -> list[str]:
        words = content_words(q)
        if not words:
            return []
        match = joiner.join('"' + w.replace('"', '""') + '"' for w in words)
        try:
            rows = con.execute(f"SELECT id FROM fts WHERE fts MATCH ? "
                               f"ORDER BY bm25(fts, {weights}) LIMIT {K}", (match,)).fetchall()
        except sqlite3.Error:
            return []
        return [r[0] for r in rows]

    return search


def build_fts5_and(summaries: Sequence[object], work: Path) -> Search:
    """FTS5 with its implicit AND: every word must match."""
    return _build_fts5(summaries, work, " ")


def build_fts5_or(summaries: Sequence[object], work: Path) -> Search:
    """FTS5 with OR between the words, ranked by bm25."""
    return _build_fts5(summaries, work, " OR ")


BUILDERS: dict[str, Callable[[Sequence[object], Path], Search]] = {
    "ours": build_ours,
    "tantivy": build_tantivy,
    "bm25s": build_bm25s,
    "fts5-and": build_fts5_and,
    "fts5-or": build_fts5_or,
}

