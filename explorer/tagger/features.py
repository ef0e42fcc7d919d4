"""Turn summaries (or an editor's draft) into the tagger's feature vectors.

Everything goes through ``explorer.textproc.analyze`` so that the tagger sees words the
way the search index does (stems, American spellings, acronyms meeting their long forms).
The vector of a document is three blocks side by side, each L2-normalised and then
scaled by its weight:

* ``text``    TF-IDF of terms and adjacent term pairs over title + summary + implications;
* ``title``   the same over the title alone, so that title words count extra (the title
              says what the study is about; the body also says what it is not about);
* ``journal`` one-hot of the journal, a weak prior (a journal about groups, about
              psychotherapy research, about medicine).

The TF-IDF is written here rather than taken from scikit-learn's vectorizer so that a
saved model is nothing but arrays and word lists: loading it needs no pickle and gives
bit-identical vectors to the ones it was trained on.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from explorer.records import Summary
from explorer.textproc import analyze, tokens

# A 20-page paste is ~60,000 characters; its first 20,000 say what the study is about and
# keep one suggestion under ~20 ms. Titles longer than this are not titles.
MAX_TEXT_CHARS = 20_000
MAX_TITLE_CHARS = 600


@dataclass(frozen=True)
class DocFields:
    """What the tagger reads from a document: the same three things for training and use."""

    title: str = ""
    text: str = ""
    journal: str | None = None


@dataclass(frozen=True)
class AnalyzedDoc:
    """A document after the text pipeline: term features per block and the journal key."""

    text_features: tuple[str, ...]
    title_features: tuple[str, ...]
    journal: str | None
    text_terms: tuple[str, ...] = field(default=(), compare=False)


def fields_of(summary: Summary) -> DocFields:
    """The tagger's view of an archived summary.

    The title is the summary heading plus the study's own title (the editor has both when
    writing); the text is the summary and its practice implications.
    """
    titles = [summary.title.strip()]
    cited = (summary.citation.title or "").strip()
    if cited and cited.casefold() != titles[0].casefold():
        titles.append(cited)
    text = "\n\n".join(part for part in (summary.body, summary.implications) if part.strip())
    return DocFields(title="\n".join(t for t in titles if t), text=text,
                     journal=summary.citation.journal)


def cap_text(text: str, limit: int) -> tuple[str, bool]:
    """Cut text to at most ``limit`` characters at a word boundary; say whether it was cut."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ", max(0, limit - 200))
    return (cut[:space] if space > 0 else cut), True


def cap_fields(fields: DocFields) -> tuple[DocFields, bool]:
    """Bound the input's size, so a pasted whole paper costs no more than a long summary."""
    title, cut_title = cap_text(fields.title or "", MAX_TITLE_CHARS)
    text, cut_text = cap_text(fields.text or "", MAX_TEXT_CHARS)
    journal = (fields.journal or "").strip()[:300] or None
    return DocFields(title, text, journal), cut_title or cut_text


def journal_key(name: str | None) -> str | None:
    """'The Journal of Counseling Psychology.' -> 'journal counseling psychology'."""
    if not name:
        return None
    words = re.findall(r"[a-z0-9]+", name.casefold())
    words = [w for w in words if w not in {"the", "of", "and", "in", "for"}]
    return " ".join(words) or None


def term_features(terms: Sequence[str]) -> list[str]:
    """Terms and adjacent pairs: pairs keep 'group therapy' apart from 'group' + 'therapy'."""
    out = list(terms)
    out.extend(f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False))
    return out


def analyze_fields(fields: DocFields) -> AnalyzedDoc:
    """Run the shared text pipeline over a document's title and text."""
    title_terms = analyze(fields.title) if fields.title else []
    body_terms = analyze(fields.text) if fields.text else []
    text_terms = title_terms + body_terms
    return AnalyzedDoc(
        text_features=tuple(term_features(text_terms)),
        title_features=tuple(term_features(title_terms)),
        journal=journal_key(fields.journal),
        text_terms=tuple(text_terms),
    )


def surface_words(fields: DocFields) -> dict[str, str]:
    """Map each analyzed term to the word the writer used for it, for explanations.

    The most frequent surface form wins, words written out before acronym expansions (so
    "behavior" shows as "behavioural" when the text says so, and as "CBT" only when the
    acronym alone brought it); acronyms keep their capitals, other words are lowercased.
    """
    written: dict[str, Counter[str]] = {}
    expanded: dict[str, Counter[str]] = {}
    for source in (fields.title, fields.text):
        if not source:
            continue
        for tok in tokens(source):
            word = source[tok.start:tok.end]
            word = word if word.isupper() and len(word) > 1 else word.lower()
            target = expanded if tok.synthetic else written
            target.setdefault(tok.term, Counter())[word] += 1
    out = {term: counts.most_common(1)[0][0] for term, counts in expanded.items()}
    out.update({term: counts.most_common(1)[0][0] for term, counts in written.items()})
    return out


class TfidfBlock:
    """Sublinear TF-IDF over given feature lists, L2-normalised; vocabulary sorted."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)
        self.index = {feature: i for i, feature in enumerate(vocabulary)}

    @classmethod
    def fit(cls, docs: Iterable[Sequence[str]], min_df: int = 1) -> TfidfBlock:
        docs = list(docs)
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(doc))
        vocabulary = sorted(f for f, n in df.items() if n >= min_df)
        n = len(docs)
        idf = np.array([math.log((1 + n) / (1 + df[f])) + 1.0 for f in vocabulary])
        return cls(vocabulary, idf)

    def __len__(self) -> int:
        return len(self.vocabulary)

    def transform(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for r, doc in enumerate(docs):
            counts = Counter(self.index[f] for f in doc if f in self.index)
            if not counts:
                continue
            idx = np.fromiter(sorted(counts), dtype=np.int64, count=len(counts))
            tf = np.array([1.0 + math.log(counts[i]) for i in idx])
            weights = tf * self.idf[idx]
            weights /= np.linalg.norm(weights)
            rows.extend([r] * len(idx))
            cols.extend(idx.tolist())
            vals.extend(weights.tolist())
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(self)), dtype=np.float64)


@dataclass
class FeatureSpace:
    """The three blocks, their weights, and the column layout of the joined vector."""

    text: TfidfBlock
    title: TfidfBlock
    journals: list[str]
    title_weight: float
    journal_weight: float

    @classmethod
    def fit(cls, docs: Sequence[AnalyzedDoc], *, min_df: int, title_weight: float,
            journal_weight: float) -> FeatureSpace:
        text = TfidfBlock.fit((d.text_features for d in docs), min_df=min_df)
        title = TfidfBlock.fit((d.title_features for d in docs), min_df=min_df)
        journals = sorted({d.journal for d in docs if d.journal})
        return cls(text, title, journals, title_weight, journal_weight)

    @property
    def n_features(self) -> int:
        return len(self.text) + len(self.title) + len(self.journals)

    def text_matrix(self, docs: Sequence[AnalyzedDoc]) -> sp.csr_matrix:
        """The text block alone: what document similarity is computed on."""
        return self.text.transform([d.text_features for d in docs])

    def transform(self, docs: Sequence[AnalyzedDoc],
                  text_matrix: sp.csr_matrix | None = None) -> sp.csr_matrix:
        """Joined, weighted vectors (pass ``text_matrix`` when already computed)."""
        text = text_matrix if text_matrix is not None else self.text_matrix(docs)
        title = self.title.transform([d.title_features for d in docs]) * self.title_weight
        journal_index = {j: i for i, j in enumerate(self.journals)}
        cells = [(r, journal_index[d.journal]) for r, d in enumerate(docs)
                 if d.journal is not None and d.journal in journal_index]
        rows, cols = [r for r, _ in cells], [c for _, c in cells]
        journal = sp.csr_matrix(
            ([self.journal_weight] * len(rows), (rows, cols)),
            shape=(len(docs), len(self.journals)), dtype=np.float64,
        )
        return sp.hstack([text, title, journal], format="csr")

    def feature_terms(self, column: int) -> tuple[str, ...]:
        """The analyzed terms behind a column (none for the journal columns)."""
        if column < len(self.text):
            return tuple(self.text.vocabulary[column].split(" "))
        column -= len(self.text)
        if column < len(self.title):
            return tuple(self.title.vocabulary[column].split(" "))
        return ()


# --------------------------------------------------------------------------- research type

# Strong cue words for the research type, as analyzed terms (so "randomised", "RCTs" and
# "Meta-Analyses" all count). A pair is written "a b" and must occur adjacently.
TYPE_CUES: dict[str, tuple[str, ...]] = {
    "meta_analysis": ("meta analysi", "meta analys", "meta analyt", "metaanalysi",
                      "metaregress", "systemat review", "pool", "effect size"),
    # Words and phrases that name a randomised design ("randomly assigned", "cluster
    # randomized", "randomised controlled", "waitlist control"): pairs are adjacent terms.
    "randomized": ("random", "rct", "trial", "wait list", "waitlist", "alloc", "random assign",
                   "random alloc", "cluster random", "random control", "control trial",
                   "random trial", "waitlist control", "list control"),
    "qualitative": ("qualit", "interview", "survey", "naturalist", "observ", "cohort",
                    "correl", "longitudin", "questionnair", "sampl", "predict", "predictor"),
    "review": ("review", "chapter", "commentari", "book", "overview", "narrat", "handbook",
               "essay", "editori", "theori", "histori"),
}
CUE_NAMES: tuple[str, ...] = tuple(
    f"{group}:{where}" for group in TYPE_CUES for where in ("title", "text")
)


def cue_vector(doc: AnalyzedDoc) -> np.ndarray:
    """Presence in the title and log-count in the text of each cue group."""
    title = Counter(doc.title_features)
    text = Counter(doc.text_features)
    values: list[float] = []
    for cues in TYPE_CUES.values():
        values.append(1.0 if any(title[c] for c in cues) else 0.0)
        values.append(math.log1p(sum(text[c] for c in cues)) / 2.0)
    return np.array(values, dtype=np.float64)


def cue_matrix(docs: Sequence[AnalyzedDoc]) -> sp.csr_matrix:
    if not docs:
        return sp.csr_matrix((0, len(CUE_NAMES)))
    return sp.csr_matrix(np.vstack([cue_vector(d) for d in docs]))
