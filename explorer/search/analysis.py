"""Whoosh analyzers built on `explorer.textproc`, so index, query and tagger see one text.

Whoosh's own StemmingAnalyzer is not used: it stems ``running`` to ``runn`` and knows
nothing of British spellings or the field's acronyms. The tokenizer here hands Whoosh
textproc's terms with their character spans (for highlighting from the postings) and
positions (for phrases). Acronym expansions share the position of what they expand:
"CBT" at position p yields ``cbt`` at p and ``cognit``/``behavior``/``therapi`` at
p, p+1, p+2 without moving the words after it, so both the phrase "CBT outcomes" and the
phrase "cognitive behavioral therapy" find a text that says "CBT outcomes". A spelled-out
long form yields its acronym at the position of its last word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer

from explorer import textproc


class _AnalyzedTokenizer(Tokenizer):
    """Whoosh's tokenizer call (the signature Whoosh imposes), written once for every
    tokenizer here: the subclass's `positioned` makes (term, position, start, end) tuples
    and this fills Whoosh's one reused token from them. ``has_spans`` says whether start
    and end are real character offsets (a word list has none, so its tokens carry no span
    and no original text)."""

    has_spans = True

    def positioned(self, value: str, mode: str) -> Iterable[tuple[str, int, int, int]]:
        raise NotImplementedError

    def __call__(
        self, value: str, positions: bool = False, chars: bool = False,
        keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
        start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: object,
    ) -> Iterator[WhooshToken]:
        t = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        keeporiginal, chars = keeporiginal and self.has_spans, chars and self.has_spans
        for term, pos, start, end in self.positioned(value, mode):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class TextprocTokenizer(_AnalyzedTokenizer):
    """Whoosh tokenizer yielding `textproc.tokens` terms with positions and char spans."""

    def __init__(self, expand_acronyms: bool = True) -> None:
        self.expand_acronyms = expand_acronyms

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TextprocTokenizer)
            and other.expand_acronyms == self.expand_acronyms
        )

    def __hash__(self) -> int:
        return hash((type(self), self.expand_acronyms))

    def positioned(self, value: str, mode: str) -> Iterable[tuple[str, int, int, int]]:
        return positioned_tokens(
            value, expand_acronyms=self.expand_acronyms, query=(mode == "query"))


def positioned_tokens(
    text: str, *, expand_acronyms: bool = True, query: bool = False,
    spans: list[tuple[int, int]] | None = None, closed: list[textproc.Token] | None = None,
) -> list[tuple[str, int, int, int]]:
    """(term, position, start, end) for every textproc token of ``text`` (``spans`` and
    ``closed``: its word spans and compounds, if already found; see `textproc.tokens`)."""
    out: list[tuple[str, int, int, int]] = []
    pos = -1
    last_real: tuple[int, int] | None = None
    expansion_step = 0
    for tok in textproc.tokens(text, expand_acronyms=expand_acronyms, query=query,
                               compounds=True, spans=spans, closed=closed):
        if not tok.synthetic:
            pos += 1
            last_real = (tok.start, tok.end)
            expansion_step = 0
            out.append((tok.term, pos, tok.start, tok.end))
        elif last_real == (tok.start, tok.end):
            # Expansion of an acronym: its words at p, p+1, ... without shifting the text.
            out.append((tok.term, max(pos, 0) + expansion_step, tok.start, tok.end))
            expansion_step += 1
        else:
            # Acronym of a spelled-out long form: at the long form's last word.
            out.append((tok.term, max(pos, 0), tok.start, tok.end))
    return out


class _WordListTokenizer(_AnalyzedTokenizer):
    """Tokens from a plain list of strings, one position each (no character spans)."""

    has_spans = False

    def words(self, value: str) -> list[str]:
        raise NotImplementedError

    def positioned(self, value: str, mode: str) -> Iterable[tuple[str, int, int, int]]:
        return ((word, i, 0, 0) for i, word in enumerate(self.words(value)))


class LinesTokenizer(_WordListTokenizer):
    """One token per line: topic and research type names (some contain commas)."""

    def words(self, value: str) -> list[str]:
        return [line.strip() for line in value.split("\n") if line.strip()]


class ExactFormTokenizer(_WordListTokenizer):
    """Unstemmed, spelling-folded words (closed compounds included): the ``exact`` field,
    which lets a search rank the typed form above words that only share its stem."""

    def words(self, value: str) -> list[str]:
        return exact_forms(value)


_COMPOUND_GAP = re.compile(r"[\s-]+")  # between the parts of a compound, hyphenated or open


def exact_forms(text: str, spans: list[tuple[int, int]] | None = None,
                closed: list[textproc.Token] | None = None) -> list[str]:
    """The ``exact`` field's terms of a text: each word lowercased and folded to American
    spelling but not stemmed, stop words left out, hyphenated compounds also closed
    (``spans`` and ``closed`` as in `positioned_tokens`)."""
    spans = textproc.word_spans(text) if spans is None else spans
    out = [w for start, end in spans for w in _exact_words(text[start:end])]
    for tok in textproc.compound_tokens(text, spans) if closed is None else closed:
        out.append("".join(textproc.normalize_spelling(w) for w in
                           _COMPOUND_GAP.split(text[tok.start:tok.end])))
    return out


def text_and_exact(text: str, expand_acronyms: bool
                   ) -> tuple[list[tuple[str, int, int, int]], list[str]]:
    """`positioned_tokens` and `exact_forms` of one text, its word spans and compounds
    found once for both (the build indexes each text field also into the exact field)."""
    spans = textproc.word_spans(text)
    closed = textproc.compound_tokens(text, spans)
    return (positioned_tokens(text, expand_acronyms=expand_acronyms, spans=spans,
                              closed=closed),
            exact_forms(text, spans, closed))


@lru_cache(maxsize=200_000)
def _exact_words(raw: str) -> tuple[str, ...]:
    """The ``exact`` terms of one surface word, once per word (a build meets each often)."""
    return tuple(w for w in textproc.normalize_spelling(raw).split()
                 if w not in textproc.STOP_WORDS)


def inflections(word: str) -> frozenset[str]:
    """Regular inflected forms of one folded word ("effects" -> effect, effects): what
    counts as the typed form itself in the ``exact`` field."""
    forms = {word}
    if word.endswith("ies") and len(word) > 4:
        forms.add(word[:-3] + "y")
    elif word.endswith("es") and len(word) > 4:
        forms.update((word[:-2], word[:-1]))
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        forms.add(word[:-1])
    else:
        forms.update((word + "s", word + "es"))
        if word.endswith("y") and len(word) > 3:
            forms.add(word[:-1] + "ies")
    return frozenset(forms)


def query_terms(text: str) -> list[str]:
    """Index terms of a query word or phrase (acronym expansions left out: the index has
    both forms, so ``cbt`` alone finds texts that spell it out and vice versa)."""
    return [tok.term for tok in textproc.tokens(text, query=True) if not tok.synthetic]
