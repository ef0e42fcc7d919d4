"""Query parsing and request normalisation: any input is answered, never an exception."""

from __future__ import annotations

import logging

import pytest

from explorer.search import query as q
from explorer.search.messages import SearchRequest

SHORTENED = "The query was shortened to 500 characters."

# What people type, however broken, and the tree the parser must make of it. The suite runs
# in strict mode (tests/conftest.py), so an exception inside the parser fails here instead of
# turning the query into "match everything". Trees are written with `render` below:
# words bare (field|field:word, prefix*), "phrases", facet=value, NOT(x), (a AND b), (a OR b),
# ALL for an empty query.
HOSTILE: list[tuple[str, str]] = [
    ("", "ALL"),
    (" ", "ALL"),
    ('"', "ALL"),
    ('""', "ALL"),
    ('"unbalanced phrase', "(unbalanced AND phrase)"),
    ('phrase" with a stray quote', "(phrase AND with AND a AND stray AND quote)"),
    ("(", "ALL"),
    (")", "ALL"),
    ("((((", "ALL"),
    ("))))", "ALL"),
    ("(alliance", "alliance"),
    ("alliance)", "alliance"),
    ("(a (b (c (d (e (f (g (h (i (j (k (l (m deep",
     "(a AND (b AND (c AND (d AND (e AND (f AND (g AND (h AND i AND j AND k AND l AND m AND deep"
     "))))))))"),
    ("(" * 300 + "x" + ")" * 300, "x"),
    ("AND", "ALL"),
    ("OR", "ALL"),
    ("NOT", "ALL"),
    ("AND OR NOT", "ALL"),
    ("alliance AND", "alliance"),
    ("OR alliance", "alliance"),
    ("alliance NOT", "alliance"),
    ("NOT NOT NOT alliance", "NOT(alliance)"),
    ("a NOT NOT b", "(a AND b)"),
    ("- - -", "(- AND - AND -)"),
    ("-", "-"),
    ("alliance -", "(alliance AND -)"),
    ("alliance !", "(alliance AND !)"),
    ("--alliance", "--alliance"),
    ("-" * 400 + "alliance", "-" * 400 + "alliance"),
    (":", ":"),
    (":::", ":::"),
    ("a:b:c:d", "a:b:c:d"),
    ("title:", "ALL"),
    ("title::", "title::"),
    ("topic:", "ALL"),
    ("year:", "ALL"),
    ("year:abcd", "ALL"),
    ("year:2015-", "year=2015-"),
    ("year:-2020", "year=-2020"),
    ("year:99999", "ALL"),
    ("year:2020-2015", "year=2020-2015"),
    ("year:2015..2018 a", "(year=2015..2018 AND a)"),
    ("unknownfield:value", "unknownfield:value"),
    ("Title:Foo", "title:Foo"),
    ("TOPIC:Empathy", "topic=Empathy"),
    ("practice:homework", "implications:homework"),
    ("summary:x", "body:x"),
    ("doi:10.1/x", "doi=10.1/x"),
    ("x -title:y", "(x AND NOT(title:y))"),
    ("*", "ALL"),
    ("**", "ALL"),
    ("?", "ALL"),
    ("a*", "a"),
    ("therap*", "therap*"),
    ("al* b", "(al* AND b)"),
    ("*therapy", "therapy"),
    ("th?rapy", "th rapy"),
    ("\x00\x01\x02 control \x7f chars", "(control AND chars)"),
    ("tab\tnew\nline\rreturn", "(tab AND new AND line AND return)"),
    ("\u200b\u200e\ufeff invisible", "invisible"),
    ("x" * 10_000, "x" * 500),
    ("<script>alert(1)</script>", "(<script>alert AND 1 AND </script>)"),
    ("'; DROP TABLE summaries; --", "('; AND DROP AND TABLE AND summaries; AND --)"),
    ("%s %d {0} {}", "(%s AND %d AND {0} AND {})"),
    ("\\", "\\"),
    ("\\\\\\", "\\\\\\"),
    ("😀 emoji therapy 😀", "(😀 AND emoji AND therapy AND 😀)"),
    ("ümlaut naïve café", "(ümlaut AND naïve AND café)"),
    ("中文 治疗", "(中文 AND 治疗)"),
    ("\u201ccurly quotes\u201d", '"curly quotes"'),
    ("+required +words", "(required AND words)"),
    ("+word", "word"),
    ("||", "ALL"),
    ("&&", "ALL"),
    ("topic:\"Anxiety Disorders\"", "topic=Anxiety Disorders"),
    ("type:RCT OR type:meta", "(type=RCT OR type=meta)"),
    ("alliance OR OR OR rupture", "(alliance OR rupture)"),
    ("a OR", "a"),
    ("a AND AND b", "(a AND b)"),
    ("a OR AND b", "(a OR b)"),
    ("a (b", "(a AND b)"),
    ("a) b", "(a AND b)"),
    ("( ) ( ) ( )", "ALL"),
    ('"" "" ""', "ALL"),
    ("year:2015-2020 AND NOT year:2016", "(year=2015-2020 AND NOT(year=2016))"),
    ("-Xanax", "NOT(Xanax)"),
    (" --y", "--y"),
    ('"alliance"rupture', '("alliance" AND rupture)'),
    ('title:x"y z"', '(title:x AND "y z")'),
    ('title:"a b" "c d"', '(title:"a b" AND "c d")'),
    ('title:"a"b', '(title:"a" AND b)'),
    ('title:"a b" c', '(title:"a b" AND c)'),
    ('title:"" alliance', "alliance"),
    ('topic:"" alliance', "alliance"),
    ('title:"  "', "ALL"),
    ("a" * 459 + " " + "b" * 100, "(" + "a" * 459 + " AND " + "b" * 40 + ")"),
    ("a" * 500, "a" * 500),
    ("a NOT ) b", "(a AND b)"),
    ("NOT AND b", "b"),
    ("a NOT OR b", "(a AND b)"),
    ("Xanax*", "Xanax*"),
    ("title:therap*", "title:therap*"),
    ("author:smi*", "authors:smi*"),
    ("th*rapy", "th rapy"),
    ("a*b*", "a b"),
]


def render(node: q.Node) -> str:
    """A parsed tree as one readable line (see HOSTILE)."""
    if isinstance(node, q.MatchAll):
        return "ALL"
    if isinstance(node, q.Word):
        field = f"{'|'.join(node.fields)}:" if node.fields else ""
        return f"{field}{node.text}{'*' if node.prefix else ''}"
    if isinstance(node, q.Phrase):
        field = f"{'|'.join(node.fields)}:" if node.fields else ""
        return f'{field}"{node.text}"'
    if isinstance(node, q.Facet):
        return f"{node.kind}={node.value}"
    if isinstance(node, q.Not):
        return f"NOT({render(node.child)})"
    op = " AND " if isinstance(node, q.And) else " OR "
    return "(" + op.join(render(c) for c in node.children) + ")"


def test_at_least_forty_hostile_queries() -> None:
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize(("text", "tree"), HOSTILE)
def test_hostile_query_gives_the_expected_tree(text: str, tree: str) -> None:
    parsed = q.parse(text)
    assert render(parsed.node) == tree
    assert len(parsed.text) <= q.MAX_LENGTH
    assert "\x00" not in parsed.text
    assert parsed.is_empty == (tree == "ALL")
    assert (SHORTENED in parsed.notices) == (len(" ".join(text.split())) > q.MAX_LENGTH)


CAP_NOTICE = "Only the first 64 terms of the query are used."


def _leaves(node: q.Node) -> list[q.Node]:
    if isinstance(node, (q.And, q.Or)):
        return [leaf for child in node.children for leaf in _leaves(child)]
    if isinstance(node, q.Not):
        return _leaves(node.child)
    return [node]


def check_tree(parsed: q.ParsedQuery) -> None:
    """What holds for the tree of any input: bounded, well formed, a fixed point."""
    leaves = _leaves(parsed.node)
    assert len(leaves) <= q.MAX_NODES
    for leaf in leaves:
        assert isinstance(leaf, (q.Word, q.Phrase, q.Facet, q.MatchAll))
        if isinstance(leaf, (q.Word, q.Phrase)):
            assert leaf.text.strip()
    stack = [parsed.node]
    while stack:
        node = stack.pop()
        if isinstance(node, (q.And, q.Or)):
            assert len(node.children) >= 2
            stack.extend(node.children)
        elif isinstance(node, q.Not):
            assert not isinstance(node.child, q.MatchAll)
            stack.append(node.child)
    assert not parsed.implicit_and or isinstance(parsed.node, q.And)
    assert parsed.is_empty == isinstance(parsed.node, q.MatchAll)
    assert len(parsed.text) <= q.MAX_LENGTH
    assert parsed.text == " ".join(parsed.text.split())
    again = q.parse(parsed.text)
    assert render(again.node) == render(parsed.node)
    assert (CAP_NOTICE in again.notices) == (CAP_NOTICE in parsed.notices)


def test_the_term_cap_keeps_the_first_64_terms() -> None:
    words = [f"w{i}" for i in range(80)]
    parsed = q.parse(" ".join(words))
    assert parsed.node == q.And(tuple(q.Word(w) for w in words[:64]))
    assert parsed.notices == [CAP_NOTICE]
    exactly = q.parse(" ".join(words[:64]))
    assert len(exactly.node.children) == 64 and exactly.notices == []
    one_more = q.parse(" ".join(words[:65]))
    assert len(one_more.node.children) == 64 and one_more.notices == [CAP_NOTICE]
    options = q.parse(" | ".join(f"x{i}" for i in range(70)))
    assert options.node == q.Or(tuple(q.Word(f"x{i}") for i in range(64)))
    assert options.notices == [CAP_NOTICE]


def test_odd_values_and_notices_of_empty_queries() -> None:
    assert q.parse(None).text == "" and q.parse(None).is_empty
    assert q.parse(2015).node == q.Word("2015")
    assert q.parse("year:abcd").notices == [
        "The filter year:abcd was ignored (use year:2015 or year:2015-2020)."]
    assert q.parse("a" * 500).notices == []


def test_long_query_is_shortened_at_a_word() -> None:
    parsed = q.parse("alliance " * 2000)
    assert parsed.text == " ".join(["alliance"] * 55)  # the last whole word before 500
    assert parsed.notices == [SHORTENED]
    assert parsed.node == q.And(tuple([q.Word("alliance")] * 55))
    unbroken = q.parse("x" * 600)
    assert unbroken.text == "x" * 500  # no space near the cut: cut mid-word


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


def test_a_field_applies_to_a_group_and_after_a_stray_quote() -> None:
    assert render(q.parse("author:(smith OR jones)").node) == "(authors:smith OR authors:jones)"
    assert render(q.parse('title:("rupture repair" OR alliance) therapy').node) == (
        '((title:"rupture repair" OR title:alliance) AND therapy)')
    # a word naming its own field, a facet and a negation inside the group
    assert render(q.parse("title:(alliance -journal:x topic:Empathy)").node) == (
        "(title:alliance AND NOT(journal:x) AND topic=Empathy)")
    # an excluded word or group inside a field group is excluded from that field only
    assert render(q.parse("title:(alliance -empathy)").node) == (
        "(title:alliance AND NOT(title:empathy))")
    assert render(q.parse("title:(a -(b OR c))").node) == (
        "(title:a AND NOT((title:b OR title:c)))")
    assert render(q.parse("author:(smith").node) == "authors:smith"  # unclosed group
    assert render(q.parse('title:"unterminated').node) == "title:unterminated"
    assert render(q.parse('title:"unterminated words').node) == "(title:unterminated AND words)"
    assert render(q.parse('title:"rupture words').node) == "(title:rupture AND words)"
    assert render(q.parse('title:"Xu').node) == "title:Xu"
    # an empty field phrase is dropped; the phrase after it stays a phrase
    assert render(q.parse('title:"" "rupture repair"').node) == '"rupture repair"'
    assert render(q.parse("title:()").node) == "ALL"


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


# ------------------------------------------------------------------ every OR / AND form


@pytest.mark.parametrize(
    ("text", "node", "implicit"),
    [
        ("a OR b", q.Or((q.Word("a"), q.Word("b"))), False),
        ("a || b", q.Or((q.Word("a"), q.Word("b"))), False),
        ("a | b", q.Or((q.Word("a"), q.Word("b"))), False),
        ("a OR b OR c", q.Or((q.Word("a"), q.Word("b"), q.Word("c"))), False),
        ("a AND b", q.And((q.Word("a"), q.Word("b")), explicit=True), False),
        ("a && b", q.And((q.Word("a"), q.Word("b")), explicit=True), False),
        ("a b", q.And((q.Word("a"), q.Word("b"))), True),
        ('"a" b "c"', q.And((q.Phrase("a"), q.Word("b"), q.Phrase("c"))), True),
        ("+a +b", q.And((q.Word("a"), q.Word("b"))), True),
        ("+a", q.Word("a"), False),
        ("(a b) OR c", q.Or((q.And((q.Word("a"), q.Word("b"))), q.Word("c"))), False),
        ("a (b OR c)", q.And((q.Word("a"), q.Or((q.Word("b"), q.Word("c"))))), False),
        ("a OR (b c)", q.Or((q.Word("a"), q.And((q.Word("b"), q.Word("c"))))), False),
        ("(a b)", q.And((q.Word("a"), q.Word("b"))), False),
        ("a) b", q.And((q.Word("a"), q.Word("b"))), True),  # a stray ')' is not an operator
        ("a b -c", q.And((q.Word("a"), q.Word("b"), q.Not(q.Word("c")))), False),
        ("a -c", q.And((q.Word("a"), q.Not(q.Word("c")))), False),
        ("NOT a b", q.And((q.Not(q.Word("a")), q.Word("b"))), False),
        ("!a b", q.And((q.Not(q.Word("a")), q.Word("b"))), False),
        ("-(a b) c", q.And((q.Not(q.And((q.Word("a"), q.Word("b")))), q.Word("c"))), False),
    ],
)
def test_every_or_and_form(text: str, node: q.Node, implicit: bool) -> None:
    parsed = q.parse(text)
    assert parsed.node == node
    assert parsed.implicit_and is implicit
    assert parsed.notices == []


def test_plain_words_for_spelling_leave_out_negated_fielded_and_prefix_words() -> None:
    parsed = q.parse('alliance "working bond" -rupture title:empathy therap* (x OR y)')
    assert parsed.words == ["alliance", "working", "bond", "x", "y"]


# ------------------------------------------------------------------ strict mode


def _broken_lexer(text: str) -> list:
    raise RuntimeError("lexer bug")


def test_a_parser_bug_is_raised_in_strict_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(q, "_lex", _broken_lexer)
    with pytest.raises(RuntimeError, match="lexer bug"):
        q.parse("alliance")


def test_a_parser_bug_degrades_to_everything_with_a_logged_warning(
        monkeypatch: pytest.MonkeyPatch, lenient: None, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(q, "_lex", _broken_lexer)
    with caplog.at_level(logging.WARNING, logger="explorer.search.query"):
        parsed = q.parse("alliance rupture")
    assert parsed.is_empty and parsed.text == ""
    assert parsed.notices == ["The query could not be read (RuntimeError)."]
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "'alliance rupture'" in message and "RuntimeError" in message
    assert message.startswith("the query could not be parsed")
