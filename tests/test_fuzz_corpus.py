"""Property tests: random citations and random corpus files never crash the parsers.

Bounded for CI; set PPRNET_FUZZ_EXAMPLES (e.g. 5000) for a longer run.
"""

from __future__ import annotations

import os
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.citation import parse_citation
from explorer.corpus import load_corpus, parse_summary_text

EXAMPLES = int(os.environ.get("PPRNET_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

citation_parts = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(["(2019).", "(in press).", "(n.d.)", "Smith, J. A.,", "&", "et al.",
                         "In A. B. Editor (Ed.),", "(pp. 1–20).", "Psychotherapy, 55(4), 316–340.",
                         "https://doi.org/10.1037/pst0000172.", "doi:", "Advance online publication.",
                         "—", "–", "(", ")", ".", ",", "\u0000", "\u202e"]),
    ),
    max_size=12,
).map(" ".join)


@FUZZ
@given(citation_parts)
def test_citation_parser_never_raises(text):
    c = parse_citation(text)
    assert isinstance(c.authors, list)
    if c.doi:
        assert c.doi.startswith("10.")


yaml_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=30),
    st.lists(st.text(max_size=20), max_size=4),
    st.sampled_from(["2020-01", "2020-13", "[unclosed", "{a: b", "'quote", "*alias", "&anchor x",
                     "!!python/object:os.system", "Empathy", "Meta-analysis", "- item"]),
)
front_matter = st.dictionaries(
    st.sampled_from(["id", "published", "title", "citation", "topics", "research_type", "x", ":"]),
    yaml_values, max_size=7,
)


def render_fm(fm: dict) -> str:
    lines = []
    for key, value in fm.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(value)}]")
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)


@FUZZ
@given(front_matter, st.text(max_size=200), st.booleans())
def test_corpus_parser_reports_never_raises(taxonomy, fm, body, closed):
    text = "---\n" + render_fm(fm) + ("\n---\n" if closed else "\n") + body
    summary, problems = parse_summary_text(text, "f.md", taxonomy)
    for p in problems:
        assert p.path == "f.md" and p.line >= 1 and p.message
    assert (summary is None) == any(p.severity == "error" for p in problems)


@settings(max_examples=max(10, EXAMPLES // 10), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(max_size=300) | st.text(alphabet=string.printable, max_size=300),
                min_size=1, max_size=6))
def test_loading_a_folder_of_garbage_reports_every_bad_file(tmp_path_factory, taxonomy, blobs):
    folder = tmp_path_factory.mktemp("garbage")
    for i, blob in enumerate(blobs):
        path = folder / f"f{i}.md"
        if isinstance(blob, bytes):
            path.write_bytes(blob)
        else:
            path.write_text(blob, encoding="utf-8")
    result = load_corpus(folder, taxonomy)
    bad = {p.path for p in result.errors}
    good = {s.path for s in result.summaries}
    assert bad | good == {str(folder / f"f{i}.md") for i in range(len(blobs))}
