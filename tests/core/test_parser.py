"""The shared Pratt parser: precedence, closers, errors with columns, depth limits."""
from __future__ import annotations

import pytest

from amalgam import error, parser
from amalgam.parser import Grammar, ParseError, Rule

ARITH = Grammar({
    "+": Rule(4, infix=(4, "add")),
    "*": Rule(5, infix=(5, "mul")),
    "-": Rule(4, prefix=(9, "neg"), infix=(4, "sub")),
    "!": Rule(8, suffix="fact"),
    "(": Rule(10, prefix=(1, "group", ")"), infix=(1, "call", ")")),
    ",": Rule(2, infix=(2, "list")),
    ")": Rule(0),
    "num": Rule(0, primary="num"),
    "end": Rule(0),
}, flat=frozenset(("list",)))


def tokens(text: str):
    for column, char in enumerate(text):
        if char.isdigit():
            yield ("num", int(char), column)
        elif not char.isspace():
            yield (char, None, column)
    yield ("end", None, len(text))


def parse(text: str):
    return parser.parse(ARITH, tokens(text), text)


def test_precedence_and_associativity() -> None:
    assert parse("1+2*3") == ("add", ("num", 1), ("mul", ("num", 2), ("num", 3)))
    assert parse("1-2-3") == ("sub", ("sub", ("num", 1), ("num", 2)), ("num", 3))
    assert parse("-1*2") == ("mul", ("neg", ("num", 1)), ("num", 2))
    assert parse("(1+2)*3") == ("mul", ("group", ("add", ("num", 1), ("num", 2))), ("num", 3))


def test_suffix_only_when_no_operand_follows() -> None:
    assert parse("3!") == ("fact", ("num", 3))
    assert parse("3!+1") == ("add", ("fact", ("num", 3)), ("num", 1))


def test_calls_with_empty_and_flat_argument_lists() -> None:
    assert parse("1()") == ("call", ("num", 1), None)
    assert parse("1(2,3,4)") == ("call", ("num", 1), ("list", ("num", 2), ("num", 3), ("num", 4)))


@pytest.mark.parametrize(("text", "column", "message"), [
    ("1+", 2, "not a prefix: end"),
    ("(1", 2, "unexpected token: end"),
    ("1 2", 2, "invalid token"),
    ("*1", 0, "not a prefix: *"),
    ("1)", 1, "invalid token"),
])
def test_errors_point_at_the_column(text: str, column: int, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.column == column
    assert info.value.message == f"parse error at {column}: {message}"
    assert info.value.hints == [f"{text}\n{' ' * (column + 1)}^ here"]
    assert isinstance(info.value, error.InputError)


def test_deep_nesting_is_a_parse_error_not_a_recursion_error() -> None:
    depth = 5000
    with pytest.raises(ParseError, match="nested too deeply"):
        parse("(" * depth + "1" + ")" * depth)
    with pytest.raises(ParseError, match="nested too deeply"):
        parse("-" * depth + "1")


def test_long_left_chains_are_refused_at_the_operator_that_goes_too_deep() -> None:
    # Each "+" (or "!") nests the tree one level: refused with a column, like parens.
    with pytest.raises(ParseError, match="nested too deeply") as info:
        parse("+".join(["1"] * 5000))
    assert info.value.column == 2 * parser.MAX_DEPTH - 1
    with pytest.raises(ParseError, match="nested too deeply") as info:
        parse("1" + "!" * 3000)
    assert info.value.column == parser.MAX_DEPTH
    # Flat chains stay one node, however long.
    assert len(parse("1(" + ",".join(["1"] * 5000) + ")")[2]) == 1 + 5000  # ("list", ...)


def test_long_flat_chains_parse_without_nesting() -> None:
    tree = parse("1(" + ",".join("1" * 3000) + ")")
    assert len(tree[2]) == 3001


def test_long_text_is_not_echoed() -> None:
    with pytest.raises(ParseError) as info:
        parse("1+" * 300)
    assert info.value.hints == []


def test_unescape() -> None:
    assert parser.unescape(r"a\nb\tc\\d\x41\101\'\q") == "a\nb\tc\\dAA'\\q"
