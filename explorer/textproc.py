"""The one text pipeline shared by the search index and the tagger.

Both must see words the same way, or the tagger learns from tokens the index never
makes: tokenize (a regexp, as NLTK's RegexpTokenizer would, with character offsets for
highlighting), fold British spellings to American ones, drop stop words, stem with NLTK's
Snowball stemmer (Whoosh's own stemmer turns ``running`` into ``runn``), and make the field's
acronyms meet their long forms in both directions: a text saying "CBT" also yields the
terms of "cognitive behavioral therapy", and a text spelling out the long form also
yields ``cbt``. No NLTK data downloads are needed: the stemmer is pure code, and the
stop word list lives here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# Letters and digits; apostrophes inside words are kept (client's -> client's) and then
# dropped by normalisation. Hyphenated words split into parts ("cognitive-behavioural").
_TOKEN_PATTERN = r"[^\W_]+(?:['\u2019][^\W_]+)*"
# Compiled as NLTK's RegexpTokenizer compiles it (same flags): its ``span_tokenize`` is a
# generator over ``finditer``, so calling ``finditer`` here gives the same spans without
# a Python call per word or NLTK's ReDoS guard (needed for caller-supplied patterns, not
# for this constant, linear one), and word spans need no NLTK import.
_TOKEN_RE = re.compile(_TOKEN_PATTERN, re.UNICODE | re.MULTILINE | re.DOTALL)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    """NLTK's Snowball stemmer, imported on the first word stemmed.

    ``import nltk`` loads scipy and more (seconds), so commands that never stem a word
    (``pprnet check``, ``dump``, ``--help``) must not pay for it at import time.
    """
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


STOP_WORDS: frozenset[str] = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "let",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "ought",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "et",
        "al",
        "us",
        "may",
        "might",
        "must",
        "shall",
    ]
)
# normalize_spelling drops apostrophes before the stop word check ("aren't" -> "arent"),
# so the list must hold those forms too.
STOP_WORDS = STOP_WORDS | frozenset(
    w.replace("'", "")
    for w in (*STOP_WORDS, "don't", "doesn't", "didn't", "isn't", "wasn't", "weren't",
              "won't", "can't", "couldn't", "shouldn't", "wouldn't", "haven't", "hasn't",
              "hadn't", "i'm", "you're", "we're", "they're", "it's", "that's", "there's")
    if "'" in w
)

# British -> American spellings. Whole words first; suffix rules below catch the rest.
SPELLINGS: dict[str, str] = {
    "behaviour": "behavior",
    "behaviours": "behaviors",
    "behavioural": "behavioral",
    "behaviourally": "behaviorally",
    "behaviourism": "behaviorism",
    "counselling": "counseling",
    "counselled": "counseled",
    "counsellor": "counselor",
    "counsellors": "counselors",
    "programme": "program",
    "programmes": "programs",
    "paediatric": "pediatric",
    "paediatrics": "pediatrics",
    "paediatrician": "pediatrician",
    "colour": "color",
    "colours": "colors",
    "favour": "favor",
    "favourable": "favorable",
    "favoured": "favored",
    "humour": "humor",
    "tumour": "tumor",
    "tumours": "tumors",
    "labour": "labor",
    "neighbour": "neighbor",
    "neighbourhood": "neighborhood",
    "centre": "center",
    "centres": "centers",
    "centred": "centered",
    "fibre": "fiber",
    "litre": "liter",
    "metre": "meter",
    "theatre": "theater",
    "modelling": "modeling",
    "modelled": "modeled",
    "labelling": "labeling",
    "labelled": "labeled",
    "travelling": "traveling",
    "signalling": "signaling",
    "fulfil": "fulfill",
    "enrol": "enroll",
    "enrolment": "enrollment",
    "ageing": "aging",
    "judgement": "judgment",
    "judgements": "judgments",
    "anaemia": "anemia",
    "haemorrhage": "hemorrhage",
    "oestrogen": "estrogen",
    "oesophageal": "esophageal",
    "diarrhoea": "diarrhea",
    "anaesthesia": "anesthesia",
    "orthopaedic": "orthopedic",
    "foetal": "fetal",
    "manoeuvre": "maneuver",
    "practise": "practice",
    "practised": "practiced",
    "practising": "practicing",
    "defence": "defense",
    "defences": "defenses",
    "offence": "offense",
    "licence": "license",
    "analyse": "analyze",
    "analysed": "analyzed",
    "analysing": "analyzing",
    "catalogue": "catalog",
    "dialogue": "dialog",
    "grey": "gray",
    "mum": "mom",
    "sceptical": "skeptical",
    "scepticism": "skepticism",
    "towards": "toward",
    "whilst": "while",
    "amongst": "among",
    "learnt": "learned",
    "posttraumatic": "post traumatic",
}

# British -ise/-isation -> American -ize/-ization, by rule: every word ending in -ise,
# -ised, -ises, -ising, -iser(s), -isation(s) folds, except where "ise" is not the Greek
# suffix: a vowel before it (raise, noise, guise), "-wise" words (otherwise, pairwise)
# and the roots below (advise, exercise, promise, surprise, supervise...).
_ISE_KEEP_ROOTS = frozenset(
    [
        "adv", "appr", "ar", "chast", "circumc", "compr", "comprom", "conc", "dem", "desp", "dev",
        "enterpr", "exc", "exerc", "expert", "franch", "improv", "inc", "merchand", "parad", "prec",
        "prem", "prom", "repr", "rev", "r", "superv", "surm", "surpr", "telev", "treat", "advert",
        "pr", "mort", "an", "v", "tort", "porp", "val", "cer", "demi", "mat"
    ]
)
_ISE_RE = re.compile(r"^([a-z]+?)is(e|es|ed|ing|er|ers|ation|ations|ational)$")


def _fold_ise(word: str) -> str | None:
    """The -ize form of a British -ise word, or None when the rule does not apply."""
    match = _ISE_RE.match(word)
    if not match:
        return None
    root, ending = match.groups()
    if len(root) < 2 or root[-1] in "aeiouw" or root in _ISE_KEEP_ROOTS:
        return None
    return f"{root}iz{ending}"


@dataclass(frozen=True)
class Acronym:
    short: str
    long_forms: tuple[str, ...]
    case_sensitive: bool = False  # True where the lowercase form is an ordinary word


ACRONYMS: tuple[Acronym, ...] = (
    Acronym(
        "CBT",
        (
            "cognitive behavioral therapy",
            "cognitive behavior therapy",
            "cognitive behavioral therapies",
        ),
    ),
    Acronym("CT", ("cognitive therapy",), case_sensitive=True),
    Acronym("PTSD", ("post traumatic stress disorder",)),
    Acronym("IPT", ("interpersonal psychotherapy", "interpersonal therapy")),
    Acronym("PDT", ("psychodynamic therapy", "psychodynamic psychotherapy")),
    Acronym("STPP", ("short term psychodynamic psychotherapy",)),
    Acronym("DBT", ("dialectical behavior therapy",)),
    Acronym(
        "ERP",
        ("exposure and response prevention", "exposure response prevention"),
        case_sensitive=True,
    ),
    Acronym("OCD", ("obsessive compulsive disorder",)),
    Acronym("GAD", ("generalized anxiety disorder",), case_sensitive=True),
    Acronym("BPD", ("borderline personality disorder",)),
    Acronym("RCT", ("randomized controlled trial", "randomized clinical trial")),
    Acronym("ROM", ("routine outcome monitoring",), case_sensitive=True),
    Acronym("MBCT", ("mindfulness based cognitive therapy",)),
    Acronym("EFT", ("emotion focused therapy",), case_sensitive=True),
    Acronym("TAU", ("treatment as usual",), case_sensitive=True),
)


@dataclass(frozen=True)
class Token:
    """One analyzed term with the character span of the source text it came from."""

    term: str
    start: int
    end: int
    synthetic: bool = False  # added by acronym expansion, not written in the text


_LETTER_FOLDS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l",
                               "ı": "i"})


def fold_accents(word: str) -> str:
    """The word without diacritics: letters decomposed, combining marks dropped."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_LETTER_FOLDS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def normalize_spelling(word: str) -> str:
    """Lowercase American spelling of a word (may return two words for 'posttraumatic').

    Accents are dropped (Månsson -> mansson, Löwe -> lowe), since people type names
    without them."""
    word = word.lower().replace("\u2019", "'")
    if not word.isascii():
        word = fold_accents(word)
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    if word in SPELLINGS:
        return SPELLINGS[word]
    folded = _fold_ise(word)
    if folded is not None:
        return folded
    if word.endswith("our") and word[:-3] + "or" in _OR_WORDS:
        return word[:-3] + "or"
    return word


def spelling_may_differ(word: str) -> bool:
    """Whether `normalize_spelling` may change ``word``, a lowercase ASCII word of letters
    (the rules above: a listed spelling, -ise, -our). A spelling corrector testing
    hundreds of edit candidates per word normalises only these, not all."""
    return word in SPELLINGS or "is" in word or word.endswith("our")


_OR_WORDS = frozenset(
    {
        "behavior",
        "color",
        "favor",
        "humor",
        "tumor",
        "labor",
        "neighbor",
        "honor",
        "rumor",
        "vigor",
        "flavor",
        "harbor",
        "endeavor",
        "valor",
    }
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball stem of an already lowercased, spelling-normalised word."""
    return _stemmer().stem(word)


def _stems_of(phrase: str) -> tuple[str, ...]:
    words = []
    for raw in phrase.split():
        for word in normalize_spelling(raw).split():
            if word not in STOP_WORDS:
                words.append(stem(word))
    return tuple(words)


@dataclass(frozen=True)
class _AcronymTables:
    """Lookup tables derived once from ACRONYMS (stemmed, so built on first use)."""

    short_to_long: dict[str, tuple[str, ...]]
    case_sensitive: frozenset[str]
    long_to_short: dict[tuple[str, ...], str]
    max_long: int
    long_first: frozenset[str]  # cheap pre-check before windows


@lru_cache(maxsize=1)
def _tables() -> _AcronymTables:
    short_to_long: dict[str, tuple[str, ...]] = {}
    long_to_short: dict[tuple[str, ...], str] = {}
    for acr in ACRONYMS:
        short_to_long[acr.short.lower()] = _stems_of(acr.long_forms[0])
        for form in acr.long_forms:
            long_to_short[_stems_of(form)] = acr.short.lower()
    return _AcronymTables(
        short_to_long=short_to_long,
        case_sensitive=frozenset(a.short.lower() for a in ACRONYMS if a.case_sensitive),
        long_to_short=long_to_short,
        max_long=max(len(k) for k in long_to_short),
        long_first=frozenset(k[0] for k in long_to_short),
    )


def _acronym_key(raw: str, *, query: bool) -> str | None:
    """'CBT'/'CBTs' -> 'cbt'. Ambiguous ones ('ROM', 'TAU') only in capitals in documents."""
    tables = _tables()
    candidates = [raw]
    if len(raw) > 2 and raw[-1] in "sS":
        candidates.append(raw[:-1])
    for cand in candidates:
        key = cand.lower()
        if key in tables.short_to_long:
            if key in tables.case_sensitive and not cand.isupper():
                continue
            if not query and not cand.isupper() and len(key) <= 3:
                continue
            return key
    return None


def tokens(
    text: str, *, expand_acronyms: bool = True, query: bool = False, remove_stops: bool = True,
    compounds: bool = False, spans: list[tuple[int, int]] | None = None,
    closed: list[Token] | None = None,
) -> list[Token]:
    """Analyze text into stemmed terms with character spans.

    ``query=True`` accepts lowercase acronyms ("cbt") as acronyms, since people type them
    that way; in documents only capitals count, so the word "rom" stays a word.
    ``compounds=True`` (the search index) adds the closed form of each hyphenated
    compound ("drop-out" also yields ``dropout``), so closed and hyphenated spellings meet.
    ``spans`` and ``closed``: ``word_spans(text)`` and ``compound_tokens(text, spans)``
    when the caller has them already (the index build needs them for another field too).
    """
    out: list[Token] = []
    spans = word_spans(text) if spans is None else spans
    for start, end in spans:
        for term, synthetic in _word_terms(text[start:end], expand_acronyms, query,
                                           remove_stops):
            out.append(Token(term, start, end, synthetic))
    if expand_acronyms:
        out = _add_short_forms(out)
    if compounds:
        out = _merge_compounds(out, compound_tokens(text, spans) if closed is None else closed)
    return out


@lru_cache(maxsize=400_000)
def _word_terms(raw: str, expand_acronyms: bool, query: bool,
                remove_stops: bool) -> tuple[tuple[str, bool], ...]:
    """(term, synthetic) of one surface word, memoised: a word's terms depend only on the
    word and the flags, and a corpus repeats its words, so a 30 000-summary build looks
    each one up instead of lowercasing, normalising and stemming it again (a quarter of
    the build's time went here)."""
    key = _acronym_key(raw, query=query) if expand_acronyms else None
    if key is not None:
        return ((key, False), *((t, True) for t in _tables().short_to_long[key]))
    return tuple((stem(word), False) for word in normalize_spelling(raw).split()
                 if not (remove_stops and word in STOP_WORDS))


_MAX_COMPOUND_PARTS = 3


def compound_tokens(text: str, spans: list[tuple[int, int]]) -> list[Token]:
    """The closed form of every hyphenated compound of 2-3 parts ("follow-up" ->
    ``followup``) and of the vocabulary's compounds written open ("drop out"), spanning
    the whole compound, marked synthetic."""
    out: list[Token] = []
    i = 0
    while i < len(spans):
        j = i
        while (j + 1 < len(spans) and j - i + 1 < _MAX_COMPOUND_PARTS
               and text[spans[j][1]:spans[j + 1][0]] == "-"):
            j += 1
        if j > i:
            start, end = spans[i][0], spans[j][1]
            closed = "".join(normalize_spelling(text[a:b]) for a, b in spans[i:j + 1])
            if " " not in closed and closed not in STOP_WORDS:
                out.append(Token(stem(closed), start, end, True))
        i = j + 1
    return _open_forms(text, out)


def _open_forms(text: str, closed: list[Token]) -> list[Token]:
    """``closed`` plus the closed form of each open compound of the vocabulary ("drop out",
    "dropped out" -> ``dropout``; see `open_compounds`), sorted by position. A regular
    expression of the compounds' second words finds the few candidates at C speed."""
    pattern = _open_compound_re()
    if pattern is None:
        return closed
    found = [Token(term, m.start(1), m.end(2), True) for m in pattern.finditer(text)
             if (term := open_compound(m.group(1), m.group(2))) is not None]
    if not found:
        return closed
    return sorted(closed + found, key=lambda t: (t.end, t.start))


def _merge_compounds(toks: list[Token], closed: list[Token]) -> list[Token]:
    """Each closed form right after the last token of its compound."""
    if not closed:
        return toks
    result: list[Token] = []
    k = 0
    for tok in toks:
        while k < len(closed) and closed[k].end < tok.start:
            result.append(closed[k])
            k += 1
        result.append(tok)
    result.extend(closed[k:])
    return result


# ----------------------------------------------------------------------------- synonyms

SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms.txt"


def query_form(phrase: str) -> tuple[str, ...]:
    """Index terms of a vocabulary entry: a hyphenated one as its closed form."""
    if "-" in phrase and " " not in phrase.strip():
        return (stem(normalize_spelling(phrase.replace("-", "").strip())),)
    return tuple(t.term for t in tokens(phrase, query=True) if not t.synthetic)


def parse_synonyms(text: str) -> list[tuple[tuple[str, ...], ...]]:
    """Groups of analyzed members from the synonym file's text (comments skipped)."""
    groups: list[tuple[tuple[str, ...], ...]] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        members: list[tuple[str, ...]] = []
        for entry in line.split(","):
            form = query_form(entry.strip())
            if form and form not in members:
                members.append(form)
        if len(members) > 1:
            groups.append(tuple(members))
    return groups


@lru_cache(maxsize=1)
def open_compounds() -> dict[tuple[str, str], str]:
    """(stem of the first word, second word) -> closed term, for each hyphenated word of
    the vocabulary file ("drop-out": ("drop", "out") -> ``dropout``). Written open, such
    a compound's second word is often a stop word ("out", "up") that no index keeps, so
    the index adds the closed term where the two words stand together, in any
    inflection of the first ("dropped out")."""
    pairs: dict[tuple[str, str], str] = {}
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        for entry in line.split("#", 1)[0].split(","):
            parts = entry.strip().split("-")
            if len(parts) != 2 or not all(p.isalpha() for p in parts):
                continue
            first, second = (normalize_spelling(p) for p in parts)
            if " " not in first + second:
                pairs[(stem(first), second)] = stem(first + second)
    return pairs


def open_compound(first: str, second: str) -> str | None:
    """The closed term of two words written apart, if the vocabulary has them as a
    hyphenated compound ("dropped", "out" -> ``dropout``), else None."""
    head, tail = normalize_spelling(first), normalize_spelling(second)
    if " " in head:
        return None
    return open_compounds().get((stem(head), tail))


@lru_cache(maxsize=1)
def _open_compound_re() -> re.Pattern[str] | None:
    seconds = sorted({second for _, second in open_compounds()})
    if not seconds:
        return None
    words = "|".join(re.escape(w) for w in seconds)
    return re.compile(rf"(?<![^\W_])([^\W_]+)[ \t]+({words})(?![^\W_])", re.IGNORECASE)


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Single index term -> the other members of its groups (each a term tuple)."""
    table: dict[str, list[tuple[str, ...]]] = {}
    for group in parse_synonyms(SYNONYMS_FILE.read_text(encoding="utf-8")):
        for member in group:
            if len(member) != 1:
                continue  # a phrase member is found from the others, not looked up
            others = table.setdefault(member[0], [])
            others.extend(m for m in group if m != member and m not in others)
    return {term: tuple(others) for term, others in table.items()}


def synonyms(term: str) -> tuple[tuple[str, ...], ...]:
    """The other members of ``term``'s synonym groups, as index-term tuples."""
    return synonym_table().get(term, ())


_FAMILY_END = re.compile(r"(?:ical|ic|al|i|e|y)$")


def family_key(term: str) -> str:
    """A derivational key on a stem: words of one family share it (``histori`` and
    ``histor``, from history and historical). Short stems are their own key."""
    if len(term) < 5:
        return term
    key = _FAMILY_END.sub("", term)
    return key if len(key) >= 4 else term


def _add_short_forms(toks: list[Token]) -> list[Token]:
    """After each spelled-out long form, add its acronym term (same character span)."""
    tables = _tables()
    terms = [t.term for t in toks]
    result: list[Token] = []
    i = 0
    while i < len(toks):
        result.append(toks[i])
        if not toks[i].synthetic and terms[i] in tables.long_first:
            for n in range(tables.max_long, 1, -1):
                window = tuple(terms[i : i + n])
                # All window tokens must be real words, not an acronym's own expansion.
                if (
                    len(window) == n
                    and window in tables.long_to_short
                    and not any(t.synthetic for t in toks[i : i + n])
                ):
                        result.extend(toks[i + 1 : i + n])
                        short = tables.long_to_short[window]
                        result.append(Token(short, toks[i].start, toks[i + n - 1].end, True))
                        i += n
                        break
            else:
                i += 1
                continue
            continue
        i += 1
    return result


def analyze(text: str, *, query: bool = False) -> list[str]:
    """Just the terms: what the tagger's vectorizer consumes."""
    return [t.term for t in tokens(text, query=query)]


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the tokenizer's words (hyphenated words split into parts)."""
    return [m.span() for m in _TOKEN_RE.finditer(text)]

