"""The one text pipeline shared by the search index and the tagger.

Both must see words the same way, or the tagger learns from tokens the index never
makes: tokenize (NLTK regexp tokenizer, with character offsets for highlighting),
fold British spellings to American ones, drop stop words, stem with NLTK's Snowball
stemmer (Whoosh's own stemmer turns ``running`` into ``runn``), and make the field's
acronyms meet their long forms in both directions: a text saying "CBT" also yields the
terms of "cognitive behavioral therapy", and a text spelling out the long form also
yields ``cbt``. No NLTK data downloads are needed: the stemmer and the regexp tokenizer
are pure code, and the stop word list lives here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Letters and digits; apostrophes inside words are kept (client's -> client's) and then
# dropped by normalisation. Hyphenated words split into parts ("cognitive-behavioural").
_TOKEN_PATTERN = r"[^\W_]+(?:['\u2019][^\W_]+)*"


@lru_cache(maxsize=1)
def _nltk_tools() -> tuple[Any, Any]:
    """NLTK's regexp tokenizer and Snowball stemmer, imported on the first text analysed.

    ``import nltk`` loads scipy and more (seconds), so commands that never stem a word
    (``pprnet check``, ``dump``, ``--help``) must not pay for it at import time.
    """
    from nltk.stem.snowball import SnowballStemmer
    from nltk.tokenize import RegexpTokenizer

    class _PlainRegexpTokenizer(RegexpTokenizer):
        """NLTK's RegexpTokenizer, with its pattern compiled by the standard ``re``.

        NLTK 3.10 compiles every pattern through its ReDoS guard (the ``regex`` engine under
        a wall-clock timeout), which costs about 50 microseconds per call and dominated both
        indexing and query analysis. The guard exists for caller-supplied patterns; ours is a
        constant, linear one, so the stdlib engine is safe here and gives the same matches.
        """

        def _check_regexp(self) -> None:
            if self._regexp is None:
                self._regexp = re.compile(self._pattern, self._flags)

    return _PlainRegexpTokenizer(_TOKEN_PATTERN), SnowballStemmer("english")


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
    "enrolled": "enrolled",
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
    "analyses_verb": "analyzes",
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
    "post-traumatic": "post traumatic",
}

# -ise/-isation verbs whose American form is -ize (a list, because "exercise",
# "advise", "otherwise" and "promise" must not change).
_IZE_STEMS = (
    "random",
    "organ",
    "general",
    "recogn",
    "summar",
    "real",
    "minim",
    "maxim",
    "optim",
    "priorit",
    "categor",
    "emphas",
    "util",
    "standard",
    "normal",
    "special",
    "conceptual",
    "operational",
    "familiar",
    "critic",
    "stabil",
    "mobil",
    "character",
    "visual",
    "individual",
    "internal",
    "external",
    "symbol",
    "theor",
    "hospital",
    "stigmat",
    "traumat",  # traumatise: the stem must end where "ise" begins
    "social",
    "personal",
    "medical",
    "dichotom",
    "harmon",
    "legal",
    "memor",
    "apolog",
    "sensit",
    "desensit",
    "author",
    "computer",
    "central",
    "mental",
    "final",
    "local",
    "global",
    "formal",
    "rational",
    "hypothes",
    "polar",
    "custom",
    "synchron",
    "homogen",
    "neutral",
    "patholog",
    "psycholog",
    "ideal",
    "modern",
    "capital",
    "maxim",
    "epitom",
    "crystal",
    "special",
    "verbal",
    "vocal",
    "tailor",
)
_IZE_RE = re.compile(
    r"^("
    + "|".join(sorted(set(_IZE_STEMS), key=len, reverse=True))
    + r")is(e|es|ed|ing|ation|ations|er|ers)$"
)


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
    """One analysed term with the character span of the source text it came from."""

    term: str
    start: int
    end: int
    synthetic: bool = False  # added by acronym expansion, not written in the text


@lru_cache(maxsize=200_000)
def normalize_spelling(word: str) -> str:
    """Lowercase American spelling of a word (may return two words for 'posttraumatic')."""
    word = word.lower().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    if word in SPELLINGS:
        return SPELLINGS[word]
    match = _IZE_RE.match(word)
    if match:
        return match.group(1) + "iz" + match.group(2)
    if word.endswith("isation") or word.endswith("isations"):
        return word.replace("isation", "ization")
    if word.endswith("our") and word[:-3] + "or" in _OR_WORDS:
        return word[:-3] + "or"
    return word


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
    return _nltk_tools()[1].stem(word)


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
    text: str, *, expand_acronyms: bool = True, query: bool = False, remove_stops: bool = True
) -> list[Token]:
    """Analyse text into stemmed terms with character spans.

    ``query=True`` accepts lowercase acronyms ("cbt") as acronyms, since people type them
    that way; in documents only capitals count, so the word "rom" stays a word.
    """
    out: list[Token] = []
    for start, end in _nltk_tools()[0].span_tokenize(text):
        for term, synthetic in _word_terms(text[start:end], expand_acronyms, query,
                                           remove_stops):
            out.append(Token(term, start, end, synthetic))
    if expand_acronyms:
        out = _add_short_forms(out)
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


def words(text: str) -> list[str]:
    """Lowercased surface words (no stemming, no stop words): for spelling suggestions."""
    return [w.lower() for w in _nltk_tools()[0].tokenize(text)]
