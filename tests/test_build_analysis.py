"""The build analyzes each text once for its own field and for the exact fields: what it
gets must be what analyzing each field's value on its own gives."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from explorer.corpus import load_corpus
from explorer.records import Citation, Summary
from explorer.search import analysis
from explorer.search.build import analyze_document
from explorer.search.schema import ANALYZED_FIELDS, EXACT_FIELDS, document_for

ROOT = Path(__file__).resolve().parent.parent


def _separately(doc: Mapping[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for field, expand in ANALYZED_FIELDS.items():
        value = doc.get(field)
        if isinstance(value, str) and value:
            out[field] = analysis.positioned_tokens(value, expand_acronyms=expand)
    for field in EXACT_FIELDS:
        value = doc.get(field)
        if isinstance(value, str) and value:
            out[field] = Counter(analysis.exact_forms(value))  # a bag: frequencies only
    return out


def _shared(doc: Mapping[str, object]) -> dict[str, object]:
    got: dict[str, object] = dict(analyze_document(dict(doc)))
    for field in EXACT_FIELDS:
        if field in got:
            got[field] = Counter(t[0] for t in got[field])  # type: ignore[attr-defined]
    return got


def test_shared_analysis_equals_each_field_analyzed_alone() -> None:
    summaries = load_corpus(ROOT / "corpus").summaries
    tricky = Summary(
        id="x-tricky", published="2020-01", title="Drop-out after CBT drop\nout",
        body="Clients dropped out of follow-up; cognitive behavioural therapy (CBT) helped.\n"
             "Self-report measures showed well-being and follow up care improved.",
        implications="Check in early", citation=Citation(title="Cognitive behavioral therapy"),
        topics=[], research_type=None)
    docs = [document_for(s) for s in [*summaries, tricky]]
    assert len(docs) > 100
    for doc in docs:
        assert _shared(doc) == _separately(doc), doc["id"]


def test_an_exact_text_that_is_not_the_joined_fields_is_analyzed_on_its_own() -> None:
    doc = {"title": "Alliance rupture", "body": "Ruptures were repaired.",
           "exact": "Something else entirely, follow-up", "exact_title": "Other title"}
    assert _shared(doc) == _separately(doc)
