"""The template language: literal text with ``{expression}`` blocks.

Expressions use the shared Pratt parser with hg's operators: ``x|filter``,
``f(args)``, ``list % "template"``, ``x.member``, arithmetic and
``key=value`` arguments.  A double-quoted string inside an expression is
itself a template (``{if(tags, "{tags} ")}``); ``r"..."`` is raw text.
"""
from __future__ import annotations

from collections.abc import Iterator

from amalgam import parser
from amalgam.parser import Grammar, ParseError, Rule, Token, Tree

GRAMMAR = Grammar({
    "(": Rule(20, prefix=(1, "group", ")"), infix=(1, "func", ")")),
    ".": Rule(18, infix=(18, "member")),
    "%": Rule(15, infix=(15, "%")),
    "|": Rule(15, infix=(15, "|")),
    "*": Rule(5, infix=(5, "*")),
    "/": Rule(5, infix=(5, "/")),
    "+": Rule(4, infix=(4, "+")),
    "-": Rule(4, prefix=(19, "negate"), infix=(4, "-")),
    "=": Rule(3, infix=(3, "keyvalue")),
    ",": Rule(2, infix=(2, "list")),
    ")": Rule(0),
    "integer": Rule(0, primary="integer"),
    "symbol": Rule(0, primary="symbol"),
    "string": Rule(0, primary="string"),
    "template": Rule(0, primary="template"),
    "end": Rule(0),
}, flat=frozenset(("list",)))

_SINGLE = frozenset("(),%|.+-*/=")

#: Quoted templates inside expressions may nest this deep.
MAX_NESTING = 40


class _Source:
    """The whole template text, so errors report columns within it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.depth = 0

    def error(self, message: str, column: int) -> ParseError:
        return ParseError(message, column, self.text)


def _tokens(src: _Source, pos: int, out: list[int]) -> Iterator[Token]:
    """Tokens of the expression starting at *pos*; ``out[0]`` gets the position after ``}``."""
    text = src.text
    while pos < len(text):
        c = text[pos]
        if c.isspace():
            pos += 1
        elif c == "}":
            out[0] = pos + 1
            yield ("end", None, pos)
            return
        elif c in _SINGLE:
            yield (c, None, pos)
            pos += 1
        elif c.isdigit():
            start = pos
            while pos < len(text) and text[pos].isdigit():
                pos += 1
            yield ("integer", int(text[start:pos]), start)
        elif c == "r" and text[pos + 1:pos + 2] in ("'", '"'):
            quote = text[pos + 1]
            start = pos + 2
            end = start
            while end < len(text) and text[end] != quote:
                end += 2 if text[end] == "\\" else 1
            if end >= len(text):
                raise src.error("unterminated string", start)
            yield ("string", text[start:end], start)
            pos = end + 1
        elif c in "'\"":
            parts, pos = _scan(src, pos + 1, c)
            yield ("template", parts, pos)
        elif c.isalnum() or c == "_":
            start = pos
            while pos < len(text) and (text[pos].isalnum() or text[pos] == "_"):
                pos += 1
            yield ("symbol", text[start:pos], start)
        else:
            raise src.error("syntax error", pos)
    raise src.error("unterminated template expansion", out[1])


def _expression(src: _Source, pos: int) -> tuple[Tree, int]:
    out = [pos, pos]
    tree = parser.parse(GRAMMAR, _tokens(src, pos, out), src.text)
    if parser.depth(tree) > parser.MAX_DEPTH:
        raise src.error("expression nested too deeply", pos)
    return tree, out[0]


def _scan(src: _Source, pos: int, quote: str | None) -> tuple[list[Tree], int]:
    """Literal text and ``{...}`` blocks from *pos* up to *quote* (or the end)."""
    text = src.text
    parts: list[Tree] = []
    literal: list[str] = []
    start = pos
    src.depth += 1
    # Each quoted template inside an expression costs several stack frames.
    if src.depth > MAX_NESTING:
        raise src.error("template nested too deeply", pos)
    run = pos  # where the current run of literal text began (escape errors count from it)
    while pos < len(text):
        c = text[pos]
        if quote is not None and c == quote:
            break
        if c == "\\" and pos + 1 < len(text):
            if text[pos + 1] == "{":
                literal.append("{")
                pos += 2
            else:
                escape = parser.ESCAPE_RE.match(text, pos)
                assert escape is not None  # a backslash and one more character always match
                literal.append(parser.unescape(escape.group(0), pos - run))
                pos = escape.end()
        elif c == "{":
            if literal:
                parts.append(("string", "".join(literal)))
                literal = []
            tree, pos = _expression(src, pos + 1)
            parts.append(tree)
            run = pos
        else:
            literal.append(c)
            pos += 1
    else:
        if quote is not None:
            raise src.error("unterminated string", start)
    if literal:
        parts.append(("string", "".join(literal)))
    src.depth -= 1
    return parts, pos + 1


def parse(text: str) -> Tree:
    """``("template", [parts])`` for a whole template text."""
    parts, _ = _scan(_Source(text), 0, None)
    return ("template", parts)
