"""Parse what people type into a small query tree. Never raises.

Grammar (loose on purpose, every input gets an answer):
words (one or two: all must match; more: most of them, see `explorer.search.evaluator`),
"exact phrases", OR / AND / NOT (capitals), ``-word`` and
``-"phrase"``, parentheses, ``prefix*``, fields ``title:`` ``author:`` ``journal:``
``topic:`` ``type:`` ``year:2015`` ``year:2015-2020`` ``doi:``. Unbalanced quotes and
parentheses are ignored, lone operators dropped, unknown ``field:`` prefixes read as
words, control characters removed and the length capped with a notice. Nesting deeper
than `MAX_DEPTH` is flattened so that no input can exhaust the stack.

The tree holds raw words; `explorer.search.words` analyzes them with textproc.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field, replace

from explorer import strict

log = logging.getLogger(__name__)

MAX_LENGTH = 500
MAX_DEPTH = 8
MAX_NODES = 64

FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "author": ("authors",),
    "authors": ("authors",),
    "journal": ("journal",),
    "body": ("body",),
    "summary": ("body",),
    "implications": ("implications",),
    "practice": ("implications",),
}
FACET_FIELDS = {"topic": "topic", "topics": "topic", "type": "type", "research_type": "type",
                "year": "year", "doi": "doi"}


@dataclass(frozen=True)
class Word:
    text: str
    fields: tuple[str, ...] | None = None  # None: the default text fields
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    text: str
    fields: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Facet:
    kind: str  # topic | type | year | doi
    value: str


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]
    explicit: bool = False  # joined by a typed AND: every child must match


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class MatchAll:
    pass


Node = Word | Phrase | Facet | And | Or | Not | MatchAll


@dataclass
class ParsedQuery:
    text: str  # the cleaned, possibly shortened query
    node: Node
    notices: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # plain positive words, for spelling
    implicit_and: bool = False  # words only joined by spaces: eligible for the OR fallback

    @property
    def is_empty(self) -> bool:
        return isinstance(self.node, MatchAll)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_FIELD_RE = re.compile(r"^([A-Za-z_]+):(.*)$", re.S)
_YEAR_RE = re.compile(r"^(\d{4})?\s*(?:(-|–|\.\.|to)\s*(\d{4})?)?$")
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"',
                         "\u00bb": '"'})


def clean(text: object) -> tuple[str, list[str]]:
    """Normalise raw input: str, no control characters, capped length."""
    notices: list[str] = []
    if text is None:
        return "", notices
    if not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = _CONTROL_RE.sub(" ", text).replace("\t", " ").replace("\n", " ").replace("\r", " ")
    text = " ".join(text.split())
    if len(text) > MAX_LENGTH:
        cut = text[:MAX_LENGTH]
        if " " in cut[MAX_LENGTH - 40:]:
            cut = cut[: cut.rfind(" ")]
        text = cut.strip()
        notices.append(f"The query was shortened to {MAX_LENGTH} characters.")
    return text, notices


# ----------------------------------------------------------------------------- lexer

_Tok = tuple[str, str, str]  # (kind, value, field-name or "")


def _lex(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            toks.append((ch, ch, ""))
            i += 1
        elif ch == '"':
            close = text.find('"', i + 1)
            if close < 0:  # unbalanced quote: ignore it
                i += 1
                continue
            toks.append(("PHRASE", text[i + 1:close], ""))
            i = close + 1
        elif ch in "-!" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] not in ")-!":
            toks.append(("NOT", ch, ""))
            i += 1
        elif ch == "+":
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"':
                j += 1
            word = text[i:j]
            i = j
            if word in ("AND", "&&"):
                toks.append(("AND", word, ""))
                continue
            if word in ("OR", "||", "|"):
                toks.append(("OR", word, ""))
                continue
            if word == "NOT":
                toks.append(("NOT", word, ""))
                continue
            match = _FIELD_RE.match(word)
            name = match.group(1).lower() if match else ""
            if match and (name in FIELDS or name in FACET_FIELDS):
                value = match.group(2)
                if not value and i < n and text[i] == '"':
                    close = text.find('"', i + 1)
                    if close > 0:
                        toks.append(("FPHRASE", text[i + 1:close], name))
                        i = close + 1
                        continue
                    # 'title:"unterminated': the stray quote is ignored (as anywhere
                    # else) and the field keeps the word that follows it
                    i += 1
                    j = i
                    while j < n and not text[j].isspace() and text[j] not in '()"':
                        j += 1
                    value, i = text[i:j], j
                if not value and i < n and text[i] == "(" and name in FIELDS:
                    toks.append(("FGROUP", "(", name))  # 'author:(smith OR jones)'
                    i += 1
                    continue
                if value:
                    toks.append(("FWORD", value, name))
                continue  # "title:" with nothing after it: dropped
            toks.append(("WORD", word, ""))
    return toks


# ----------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, toks: list[_Tok], notices: list[str]) -> None:
        self.toks = toks
        self.i = 0
        self.notices = notices
        self.explicit_ops = False
        self.nodes = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> Node | None:
        parts: list[Node] = []
        while self.peek() is not None:
            node = self.parse_or(0)
            if node is not None:
                parts.append(node)
            tok = self.peek()
            if tok is not None and tok[0] in (")", "OR", "AND"):
                self.i += 1  # stray closing parenthesis or dangling operator
        return _and(parts)

    def parse_or(self, depth: int) -> Node | None:
        options: list[Node] = []
        first = self.parse_and(depth)
        if first is not None:
            options.append(first)
        while (tok := self.peek()) is not None and tok[0] == "OR":
            self.explicit_ops = True
            self.i += 1
            nxt = self.parse_and(depth)
            if nxt is not None:
                options.append(nxt)
        if not options:
            return None
        return options[0] if len(options) == 1 else Or(tuple(options))

    def parse_and(self, depth: int) -> Node | None:
        items: list[Node] = []
        explicit = False
        while (tok := self.peek()) is not None and tok[0] not in (")", "OR"):
            if tok[0] == "AND":
                self.explicit_ops = explicit = True
                self.i += 1
                continue
            node = self.parse_unary(depth)
            if node is not None:
                items.append(node)
        return _and(items, explicit)

    def parse_unary(self, depth: int) -> Node | None:
        negate = False
        while (tok := self.peek()) is not None and tok[0] == "NOT":
            self.explicit_ops = True
            negate = not negate
            self.i += 1
        node = self.parse_atom(depth)
        if node is None:
            return None
        return Not(node) if negate else node

    def parse_atom(self, depth: int) -> Node | None:
        tok = self.peek()
        if tok is None:
            return None
        kind, value, name = tok
        self.i += 1
        if kind in ("(", "FGROUP"):
            if depth >= MAX_DEPTH:
                return None  # flatten: the words inside still count at this level
            self.explicit_ops = True
            node = self.parse_or(depth + 1)
            if (nxt := self.peek()) is not None and nxt[0] == ")":
                self.i += 1
            return _in_fields(node, FIELDS[name]) if kind == "FGROUP" else node
        if kind in (")", "AND", "OR"):
            return None
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if self.nodes == MAX_NODES + 1:
                self.notices.append(f"Only the first {MAX_NODES} terms of the query are used.")
            return None
        if kind == "PHRASE":
            return Phrase(value) if value.strip() else None
        if kind == "WORD":
            return _word(value, None)
        if not value.strip():
            return None  # 'title:""': an empty field is dropped, like 'title:' alone
        if name in FIELDS:
            fields = FIELDS[name]
            return Phrase(value, fields) if kind == "FPHRASE" else _word(value, fields)
        facet = FACET_FIELDS[name]
        if facet == "year" and _parse_year(value) is None:
            self.notices.append(f"The filter {name}:{value} was ignored "
                                "(use year:2015 or year:2015-2020).")
            return None
        return Facet(facet, value.strip())


def _in_fields(node: Node | None, fields: tuple[str, ...]) -> Node | None:
    """A group under a field ('author:(smith OR jones)'): its words and phrases search
    that field; ones that name their own field, and facets, keep theirs."""
    if isinstance(node, Word | Phrase) and node.fields is None:
        return replace(node, fields=fields)
    if isinstance(node, And | Or):
        kids = tuple(k for k in (_in_fields(c, fields) for c in node.children) if k is not None)
        return replace(node, children=kids)
    if isinstance(node, Not):
        return Not(_in_fields(node.child, fields) or node.child)
    return node


def _word(text: str, fields: tuple[str, ...] | None) -> Node | None:
    prefix = text.endswith("*")
    core = text.strip("*?")
    if not core:
        return None
    if prefix and "*" not in core and "?" not in core and len(core) >= 2 and core.isalnum():
        return Word(core, fields, prefix=True)
    return Word(core.replace("*", " ").replace("?", " "), fields)


def _and(items: list[Node], explicit: bool = False) -> Node | None:
    if not items:
        return None
    return items[0] if len(items) == 1 else And(tuple(items), explicit)


def _parse_year(value: str) -> tuple[int, int] | None:
    match = _YEAR_RE.match(value.strip())
    if not match or not (match.group(1) or match.group(3)):
        return None
    lo = int(match.group(1)) if match.group(1) else 0
    hi = (int(match.group(3)) if match.group(3) else 9999) if match.group(2) else lo
    return (min(lo, hi), max(lo, hi))


def year_range(value: str) -> tuple[int, int] | None:
    """``"2015"`` -> (2015, 2015); ``"2015-2020"`` -> (2015, 2020); ``"2015-"`` open."""
    return _parse_year(value)


def _plain_words(node: Node, out: list[str]) -> None:
    if isinstance(node, Word) and node.fields is None and not node.prefix:
        out.append(node.text)
    elif isinstance(node, Phrase) and node.fields is None:
        out.extend(node.text.split())
    elif isinstance(node, (And, Or)):
        for child in node.children:
            _plain_words(child, out)


def parse(text: object) -> ParsedQuery:
    """Parse any input into a `ParsedQuery`; never raises (except in strict mode)."""
    try:
        cleaned, notices = clean(text)
        parser = _Parser(_lex(cleaned), notices)
        node = parser.parse()
        if node is None:
            return ParsedQuery(cleaned, MatchAll(), notices)
        words: list[str] = []
        _plain_words(node, words)
        implicit = (
            not parser.explicit_ops
            and isinstance(node, And)
            and sum(1 for c in node.children if not isinstance(c, Not)) >= 2
        )
        return ParsedQuery(cleaned, node, notices, words, implicit)
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        strict.degraded(log, "the query could not be parsed", text, exc)
        return ParsedQuery("", MatchAll(), [f"The query could not be read ({type(exc).__name__})."])
