"""A table-driven Pratt (precedence-climbing) parser shared by revsets and templates.

A language gives a :class:`Grammar`: for every token type, how tightly it
binds and what it means in prefix, infix or suffix position.  The generic
loop here turns a token stream into a tree of tuples, ``(kind, child...)``
for operators and ``(kind, value)`` for leaves, the shape hg shows in
``debugrevspec -p parsed``.  Errors carry the column of the offending token
so the message can point at it like hg does.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from amalgam import error

#: Nesting beyond this is refused: evaluation recurses over the tree, and a
#: clean parse error beats a RecursionError deep inside an evaluator.
MAX_DEPTH = 200

#: Longer expressions are not echoed under the error (it must stay one line).
MAX_ECHO = 200

#: One backslash escape; ``\x`` takes up to two hex digits so a short one can be refused.
ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{0,2}|[0-7]{1,3}|.)", re.DOTALL)

Token = tuple[str, Any, int]  # (type, value, column)
Tree = tuple[Any, ...]


class ParseError(error.ParseError):
    """A malformed expression; ``column`` is where it went wrong, if known."""

    def __init__(self, message: str, column: int | None = None,
                 text: str | None = None) -> None:
        self.column = column
        self.detail = message
        full = f"parse error at {column}: {message}" if column is not None \
            else f"parse error: {message}"
        hint = None
        if column is not None and text is not None and "\n" not in text \
                and len(text) <= MAX_ECHO:
            hint = f"{text}\n{' ' * (column + 1)}^ here"
        super().__init__(full, hint=hint)


@dataclass(frozen=True)
class Rule:
    """How one token type parses.

    ``binding`` is its strength as an infix/suffix operator.  ``primary``
    names the leaf kind when the token is a value.  ``prefix``/``infix`` are
    ``(binding, kind)`` or ``(binding, kind, closer)`` where *closer* is the
    token that must follow (``)`` after a group).  ``suffix`` is the kind of a
    postfix node (``x^``).
    """

    binding: int
    primary: str | None = None
    prefix: tuple[Any, ...] | None = None
    infix: tuple[Any, ...] | None = None
    suffix: str | None = None


@dataclass
class Grammar:
    """The rules by token type; infix kinds in *flat* chain into one n-ary node."""

    rules: dict[str, Rule] = field(default_factory=dict)
    flat: frozenset[str] = frozenset()


class Parser:
    """Parse one token stream with a :class:`Grammar`."""

    def __init__(self, grammar: Grammar, tokens: Iterator[Token], text: str | None = None) -> None:
        self.rules = grammar.rules
        self.flat = grammar.flat
        self.tokens = tokens
        self.text = text
        self.current: Token = ("end", None, 0)
        self.depth = 0
        self._advance()

    def _advance(self) -> Token:
        token = self.current
        self.current = next(self.tokens, ("end", None, token[2]))
        return token

    def _error(self, message: str, column: int) -> ParseError:
        return ParseError(message, column, self.text)

    def _rule(self, token: Token) -> Rule:
        rule = self.rules.get(token[0])
        if rule is None:
            raise self._error("invalid token", token[2])
        return rule

    def _starts_expression(self) -> bool:
        rule = self.rules.get(self.current[0])
        return rule is not None and (rule.primary is not None or rule.prefix is not None)

    def _expect(self, closer: str | None) -> None:
        if closer is None:
            return
        if self.current[0] != closer:
            raise self._error(f"unexpected token: {self.current[0]}", self.current[2])
        self._advance()

    def _operand(self, binding: int, closer: str) -> Tree | None:
        """What sits between an infix bracket and its closer; ``None`` when empty (``f()``)."""
        if self.current[0] == closer:
            self._advance()
            return None
        node = self.parse(binding)
        self._expect(closer)
        return node

    def parse(self, binding: int = 0) -> Tree:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._error("expression nested too deeply", self.current[2])
        token = self._advance()
        rule = self._rule(token)
        if rule.primary is not None and not (rule.prefix and self._starts_expression()):
            left: Tree = (rule.primary, token[1])
        elif rule.prefix is not None:
            pbind, kind, *closer = rule.prefix
            left = (kind, self.parse(pbind))
            self._expect(closer[0] if closer else None)
        else:
            raise self._error(f"not a prefix: {token[0]}", token[2])
        chain = 0  # how much deeper each operator applied below makes *left*
        while binding < self._rule(self.current).binding:
            token = self._advance()
            rule = self.rules[token[0]]
            flat = (rule.infix is not None and rule.infix[1] in self.flat
                    and left[0] == rule.infix[1])
            chain += 0 if flat else 1
            if self.depth + chain > MAX_DEPTH:
                # "a and b and c ...", "x^^^...": deep trees without deep recursion here
                raise self._error("expression nested too deeply", token[2])
            if rule.infix is not None and not (rule.suffix and not self._starts_expression()):
                ibind, kind, *closer = rule.infix
                if closer:
                    node = self._operand(ibind, closer[0])
                    left = (kind, left, node)
                elif kind in self.flat and left[0] == kind:
                    # a or b or c: one node, so long chains do not nest deeply
                    left = (*left, self.parse(ibind))
                else:
                    left = (kind, left, self.parse(ibind))
            elif rule.suffix is not None:
                left = (rule.suffix, left)
            else:
                raise self._error(f"not an infix: {token[0]}", token[2])
        self.depth -= 1
        return left

    def parse_all(self) -> Tree:
        """Parse one whole expression; trailing tokens are an error."""
        tree = self.parse()
        if self.current[0] != "end":
            raise self._error("invalid token", self.current[2])
        return tree


def parse(grammar: Grammar, tokens: Iterator[Token], text: str | None = None) -> Tree:
    """Parse *tokens* (ending with an ``end`` token or exhaustion) into a tree."""
    return Parser(grammar, tokens, text).parse_all()


_SIMPLE_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f",
                   "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unescape_one(match: re.Match[str], offset: int) -> str:
    code = match.group(1)
    if code[0] == "x":
        if len(code) != 3:
            raise ParseError(f"invalid \\x escape at position {match.start() + offset}")
        return chr(int(code[1:], 16))
    if code[0] in "01234567":
        return chr(int(code, 8) & 0xFF)
    return _SIMPLE_ESCAPES.get(code, "\\" + code)


def unescape(text: str, offset: int = 0) -> str:
    """Decode backslash escapes as hg's string literals do; unknown ones stay as typed.

    A ``\\x`` without two hex digits is a parse error at its position in the
    string (plus *offset*, where *text* is a piece of a longer one), as in hg.
    """
    if "\\" not in text:
        return text
    return ESCAPE_RE.sub(lambda match: _unescape_one(match, offset), text)


def depth(tree: Any) -> int:
    """The nesting depth of *tree*, computed without recursion."""
    best = 0
    stack = [(tree, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, tuple):
            best = max(best, level)
            stack.extend((child, level + 1) for child in node[1:])
    return best
