"""Query parsing and request normalisation: any input is answered, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.search import query as q
from explorer.search.models import SearchRequest

HOSTILE = [
    "",
    " ",
    '"',
    '""',
    '"unbalanced phrase',
    'phrase" with a stray quote',
    "(",
    ")",
    "((((",
    "))))",
    "(alliance",
    "alliance)",
    "(a (b (c (d (e (f (g (h (i (j (k (l (m deep",
    "(" * 300 + "x" + ")" * 300,
    "AND",
    "OR",
    "NOT",
    "AND OR NOT",
    "alliance AND",
    "OR alliance",
    "alliance NOT",
    "NOT NOT NOT alliance",
    "- - -",
    "-",
    "--alliance",
    "-" * 400 + "alliance",
    ":",
    ":::",
    "a:b:c:d",
    "title:",
    "title::",
    "topic:",
    "year:",
    "year:abcd",
    "year:2015-",
    "year:-2020",
    "year:99999",
    "year:2020-2015",
    "author:(smith OR jones)",
    "unknownfield:value",
    "*",
    "**",
    "?",
    "a*",
    "therap*",
    "*therapy",
    "th?rapy",
    "\x00\x01\x02 control \x7f chars",
    "tab\tnew\nline\rreturn",
    "\u200b\u200e\ufeff invisible",
    "x" * 10_000,
    "alliance " * 2000,
    "<script>alert(1)</script>",
    "'; DROP TABLE summaries; --",
    "%s %d {0} {}",
    "\\",
    "\\\\\\",
    "😀 emoji therapy 😀",
    "ümlaut naïve café",
    "中文 治疗",
    "\u201ccurly quotes\u201d",
    "+required +words",
    "||",
    "&&",
    "title:\"unterminated",
    "topic:\"Anxiety Disorders\"",
    "type:RCT OR type:meta",
    "alliance OR OR OR rupture",
    "( ) ( ) ( )",
    '"" "" ""',
    "year:2015-2020 AND NOT year:2016",
]


def test_at_least_forty_hostile_queries() -> None:
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize("text", HOSTILE)
def test_parse_never_raises(text: str) -> None:
    parsed = q.parse(text)
    assert isinstance(parsed, q.ParsedQuery)
    assert len(parsed.text) <= q.MAX_LENGTH
    assert "\x00" not in parsed.text


@given(st.text(max_size=600))
@settings(max_examples=300, deadline=None)
def test_parse_never_raises_on_random_text(text: str) -> None:
    parsed = q.parse(text)
    assert isinstance(parsed, q.ParsedQuery)


@given(st.text(alphabet='ab ()"-:*ANDORT', max_size=200))
@settings(max_examples=300, deadline=None)
def test_parse_never_raises_on_operator_soup(text: str) -> None:
    q.parse(text)


def test_long_query_is_capped_with_a_notice() -> None:
    parsed = q.parse("word " * 5000)
    assert len(parsed.text) <= q.MAX_LENGTH
    assert any("500 characters" in n for n in parsed.notices)


def test_plain_words_are_an_implicit_and() -> None:
    parsed = q.parse("alliance rupture")
    assert parsed.node == q.And((q.Word("alliance"), q.Word("rupture")))
    assert parsed.implicit_and
    assert parsed.words == ["alliance", "rupture"]


def test_explicit_operators() -> None:
    assert q.parse("a OR b").node == q.Or((q.Word("a"), q.Word("b")))
    assert q.parse("a AND b").node == q.And((q.Word("a"), q.Word("b")), explicit=True)
    assert q.parse("a b").node == q.And((q.Word("a"), q.Word("b")))
    assert q.parse("a NOT b").node == q.And((q.Word("a"), q.Not(q.Word("b"))))
    assert q.parse("a -b").node == q.And((q.Word("a"), q.Not(q.Word("b"))))
    assert not q.parse("a OR b").implicit_and
    # lowercase 'or' is a word (a stop word), not an operator
    assert isinstance(q.parse("a or b").node, q.And)


def test_or_binds_looser_than_and() -> None:
    node = q.parse("a b OR c").node
    assert node == q.Or((q.And((q.Word("a"), q.Word("b"))), q.Word("c")))


def test_parentheses_group() -> None:
    node = q.parse("(a OR b) c").node
    assert node == q.And((q.Or((q.Word("a"), q.Word("b"))), q.Word("c")))


def test_phrases_and_negated_phrases() -> None:
    assert q.parse('"therapeutic alliance"').node == q.Phrase("therapeutic alliance")
    assert q.parse('x -"a b"').node == q.And((q.Word("x"), q.Not(q.Phrase("a b"))))


def test_fields() -> None:
    assert q.parse("title:alliance").node == q.Word("alliance", ("title",))
    assert q.parse("author:Smith").node == q.Word("Smith", ("authors",))
    assert q.parse("journal:psychotherapy").node == q.Word("psychotherapy", ("journal",))
    assert q.parse('title:"working alliance"').node == q.Phrase("working alliance", ("title",))
    assert q.parse("topic:Empathy").node == q.Facet("topic", "Empathy")
    assert q.parse('topic:"Anxiety Disorders"').node == q.Facet("topic", "Anxiety Disorders")
    assert q.parse("type:RCT").node == q.Facet("type", "RCT")
    assert q.parse("year:2015").node == q.Facet("year", "2015")


def test_unknown_field_reads_as_words() -> None:
    node = q.parse("foo:bar").node
    assert node == q.Word("foo:bar")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2015", (2015, 2015)), ("2015-2020", (2015, 2020)), ("2020-2015", (2015, 2020)),
     ("2015-", (2015, 9999)), ("-2020", (0, 2020)), ("abc", None), ("", None)],
)
def test_year_ranges(value: str, expected: tuple[int, int] | None) -> None:
    assert q.year_range(value) == expected


def test_bad_year_gives_a_notice() -> None:
    parsed = q.parse("year:abcd alliance")
    assert parsed.node == q.Word("alliance")
    assert any("year" in n for n in parsed.notices)


def test_prefix() -> None:
    assert q.parse("therap*").node == q.Word("therap", None, prefix=True)
    assert q.parse("*").is_empty


def test_empty_query_is_match_all() -> None:
    for text in ("", "   ", "()", '""', "AND OR"):
        assert q.parse(text).is_empty


def test_deep_nesting_is_flattened_not_recursed() -> None:
    parsed = q.parse("(" * 200 + "alliance" + ")" * 200)
    assert "alliance" in repr(parsed.node)


# ------------------------------------------------------------------ SearchRequest


def test_request_normalises_raw_values() -> None:
    req = SearchRequest(q=None, topics="Empathy", types=None, sort="bogus", page="0",  # type: ignore[arg-type]
                        per_page="1000", date_from="2019", date_to="2020-13")
    assert req.q == ""
    assert req.topics == ["Empathy"]
    assert req.types == []
    assert req.sort == "relevance"
    assert req.page == 1
    assert req.per_page == 100
    assert req.date_from == "2019"
    assert req.date_to is None
    assert any("sort" in n for n in req.notices)
    assert any("'to' date" in n for n in req.notices)
    assert any("100" in n for n in req.notices)


def test_request_page_and_date_edge_cases() -> None:
    assert SearchRequest(page=-5).page == 1
    assert SearchRequest(page="abc").page == 1
    assert SearchRequest(page="3").page == 3
    assert SearchRequest(per_page=0).per_page == 10
    assert SearchRequest(date_from="2019-5").date_from == "2019-05"
    req = SearchRequest(date_from="2021", date_to="2019")
    assert (req.date_from, req.date_to) == ("2019", "2021")
    assert req.month_range() == (2019 * 12, 2021 * 12 + 11)
    assert SearchRequest(any_topic="true").any_topic is True
    assert SearchRequest(any_topic="").any_topic is False
