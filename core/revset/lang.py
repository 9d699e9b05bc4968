"""The revset language: tokenizer, precedence table, aliases.

The grammar is hg's, learnt from ``hg debugrevspec -p parsed``: the same
operators bind with the same strength, so the same text means the same tree.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from amalgam import parser
from amalgam.parser import Grammar, ParseError, Rule, Token, Tree

_DAG = dict(binding=17, primary="dagrangeall", prefix=(17, "dagrangepre"),
            infix=(17, "dagrange"), suffix="dagrangepost")

GRAMMAR = Grammar({
    "(": Rule(21, prefix=(1, "group", ")"), infix=(1, "func", ")")),
    "[": Rule(21, infix=(1, "subscript", "]")),
    "#": Rule(21, infix=(21, "relation")),
    "##": Rule(20, infix=(20, "_concat")),
    "~": Rule(18, infix=(18, "ancestor")),
    "^": Rule(18, infix=(18, "parent"), suffix="parentpost"),
    "-": Rule(5, prefix=(19, "negate"), infix=(5, "minus")),
    "::": Rule(**_DAG),
    "..": Rule(**_DAG),
    ":": Rule(15, primary="rangeall", prefix=(15, "rangepre"), infix=(15, "range"),
              suffix="rangepost"),
    "not": Rule(10, prefix=(10, "not")),
    "!": Rule(10, prefix=(10, "not")),
    "and": Rule(5, infix=(5, "and")),
    "&": Rule(5, infix=(5, "and")),
    "%": Rule(5, infix=(5, "only")),
    "or": Rule(4, infix=(4, "or")),
    "|": Rule(4, infix=(4, "or")),
    "+": Rule(4, infix=(4, "or")),
    "=": Rule(3, infix=(3, "keyvalue")),
    ",": Rule(2, infix=(2, "list")),
    ")": Rule(0),
    "]": Rule(0),
    "symbol": Rule(0, primary="symbol"),
    "string": Rule(0, primary="string"),
    "end": Rule(0),
}, flat=frozenset(("or", "list")))

KEYWORDS = frozenset(("and", "or", "not"))
_SINGLE = frozenset("():=,-|&+!~^%[]#")
_SYMSTART = frozenset("._@")
_SYMCHARS = frozenset("-._/@")


def _symbolchar(c: str, chars: frozenset[str]) -> bool:
    return c.isalnum() or c in chars or ord(c) > 127


def _string(text: str, pos: int) -> tuple[Token, int]:
    raw = text[pos] == "r"
    if raw:
        pos += 1
    quote = text[pos]
    start = pos + 1
    pos = start
    while pos < len(text):
        c = text[pos]
        if c == "\\" and not raw:
            pos += 2
            continue
        if c == quote:
            body = text[start:pos]
            value = body if raw else parser.unescape(body)
            return ("string", value, start), pos + 1
        pos += 1
    raise ParseError("unterminated string", start, text)


def tokenize(text: str, known: Callable[[str], bool] | None = None) -> Iterator[Token]:
    """Yield ``(type, value, column)``; *known* says whether ``a-b`` names a revision.

    A symbol with dashes stays whole only when it names something (hg's rule
    for branch names like ``feature-a``); otherwise the dashes are minus.
    """
    pos = 0
    while pos < len(text):
        c = text[pos]
        two = text[pos:pos + 2]
        if c.isspace():
            pos += 1
        elif two in ("::", "..", "##"):
            yield (two, None, pos)
            pos += 2
        elif c == "r" and text[pos + 1:pos + 2] in ("'", '"') or c in "'\"":
            token, pos = _string(text, pos)
            yield token
        elif c in _SINGLE:
            yield (c, None, pos)
            pos += 1
        elif _symbolchar(c, _SYMSTART):
            start = pos
            pos += 1
            while pos < len(text) and _symbolchar(text[pos], _SYMCHARS):
                if text[pos] == "." and text[pos - 1] == ".":
                    pos -= 1
                    break
                pos += 1
            symbol = text[start:pos]
            if symbol in KEYWORDS:
                yield (symbol, None, start)
            elif "-" in symbol and not (known and known(symbol)):
                column = start
                parts = symbol.split("-")
                for index, part in enumerate(parts):
                    if part:
                        yield ("symbol", part, column)
                        column += len(part)
                    if index < len(parts) - 1:
                        yield ("-", None, column)
                        column += 1
            else:
                yield ("symbol", symbol, start)
        else:
            raise ParseError(f"syntax error in revset '{text}'", pos, text)
    yield ("end", None, len(text))


def _analyse(tree: Tree) -> Tree:
    """hg's shapes: ``(or (list a b c))``, and ``-name`` read as the string ``'-name'``."""
    if not isinstance(tree, tuple):
        return tree
    children = tuple(_analyse(child) for child in tree[1:])
    if tree[0] == "negate" and children[0][0] in ("symbol", "string"):
        # hg reads "-rev" in sort(x, -rev) and "-1" as plain strings.
        return ("string", "-" + children[0][1])
    if tree[0] == "or":
        return ("or", ("list", *children))
    return (tree[0], *children)


def parse(text: str, known: Callable[[str], bool] | None = None) -> Tree:
    """Parse a revset into hg's tree shape."""
    tree = parser.parse(GRAMMAR, tokenize(text, known), text)
    if parser.depth(tree) > parser.MAX_DEPTH:
        raise ParseError("expression nested too deeply")
    return _analyse(tree)


def getlist(tree: Tree | None) -> list[Tree]:
    """The arguments of a function call as a list."""
    if tree is None:
        return []
    if tree[0] == "list":
        return list(tree[1:])
    return [tree]


# -- aliases ------------------------------------------------------------------------


class Alias:
    """One ``[revsetalias]`` entry: ``name`` or ``name(a, b)`` = expression."""

    def __init__(self, decl: str, definition: str) -> None:
        self.decl = decl
        self.error: str | None = None
        self.args: list[str] = []
        self.tree: Tree | None = None
        try:
            head = parse(decl)
            if head[0] == "symbol":
                self.name = head[1]
                self.func = False
            elif head[0] == "func" and head[1][0] == "symbol":
                self.name = head[1][1]
                self.func = True
                for arg in getlist(head[2]):
                    if arg[0] != "symbol":
                        raise ParseError("invalid argument list")
                    self.args.append(arg[1])
                if len(set(self.args)) != len(self.args):
                    raise ParseError("argument names collide with each other")
            else:
                raise ParseError("invalid format")
            self.tree = parse(definition)
        except ParseError as exc:
            self.name = getattr(self, "name", decl)
            self.func = getattr(self, "func", False)
            self.error = f"bad definition of revset alias \"{self.name}\": {exc.detail}"


def load_aliases(items: Mapping[str, str]) -> dict[tuple[str, bool], Alias]:
    """``(name, takes arguments) -> Alias`` from the configured declarations."""
    out = {}
    for decl, definition in items.items():
        alias = Alias(decl, definition)
        out[(alias.name, alias.func)] = alias
    return out


def _substitute(tree: Tree, args: Mapping[str, Tree]) -> Tree:
    if not isinstance(tree, tuple):
        return tree
    if tree[0] == "symbol" and tree[1] in args:
        return args[tree[1]]
    return (tree[0], *(_substitute(child, args) for child in tree[1:]))


def expand_aliases(tree: Tree, aliases: Mapping[tuple[str, bool], Alias],
                   expanding: tuple[str, ...] = ()) -> Tree:
    """Replace alias uses by their definitions; a cycle is a parse error."""
    if not aliases or not isinstance(tree, tuple):
        return tree
    alias = None
    if tree[0] == "symbol":
        alias = aliases.get((tree[1], False))
    elif tree[0] == "func" and tree[1][0] == "symbol":
        alias = aliases.get((tree[1][1], True))
    if alias is not None:
        if alias.error:
            raise ParseError(alias.error)
        if alias.name in expanding:
            raise ParseError(f"infinite expansion of revset alias \"{alias.name}\" detected")
        if len(expanding) > parser.MAX_DEPTH // 4:
            raise ParseError("revset aliases nested too deeply")
        assert alias.tree is not None
        body = alias.tree
        if alias.func:
            given = getlist(tree[2])
            if len(given) != len(alias.args):
                raise ParseError(f"invalid number of arguments: {len(given)}")
            body = _substitute(body, {name: expand_aliases(arg, aliases, expanding)
                                      for name, arg in zip(alias.args, given)})
        return expand_aliases(body, aliases, (*expanding, alias.name))
    return (tree[0], *(expand_aliases(child, aliases, expanding) for child in tree[1:]))
