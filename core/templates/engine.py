"""Evaluate parsed templates against a mapping (the changeset and any ``%`` item).

Keywords, filters and functions live in registries filled by
:mod:`amalgam.templates.keywords`, :mod:`~amalgam.templates.filters` and
:mod:`~amalgam.templates.functions`; plugins add to them through hooks.
A keyword nobody defines renders as nothing, as in hg.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from amalgam.parser import ParseError, Tree
from amalgam.templates import values

#: name -> (func(context, mapping) -> value, help)
KEYWORDS: dict[str, tuple[Callable[..., Any], str]] = {}
#: name -> (func(value) -> value, help)
FILTERS: dict[str, tuple[Callable[[Any], Any], str]] = {}
#: name -> (func(engine, mapping, args) -> value, signature, help)
FUNCTIONS: dict[str, tuple[Callable[..., Any], str, str]] = {}


#: Mapping entries the printer passes to keywords, never shown as ``{name}``.
_HIDDEN = frozenset({"ctx", "repo", "ui", "view", "showcopies"})


def keyword(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        KEYWORDS[name] = (func, (func.__doc__ or "").strip())
        return func
    return register


def templatefilter(name: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    def register(func: Callable[[Any], Any]) -> Callable[[Any], Any]:
        FILTERS[name] = (func, (func.__doc__ or "").strip())
        return func
    return register


def function(decl: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        FUNCTIONS[decl.split("(", 1)[0]] = (func, decl, (func.__doc__ or "").strip())
        return func
    return register


def load() -> None:
    """Import the built-in registries (they register on import)."""
    from amalgam.templates import filters, functions, keywords, strings  # noqa: F401


class Engine:
    """Renders trees; *named* holds ``[templates]`` entries usable as ``{name}``."""

    def __init__(self, named: Mapping[str, Tree] | None = None, *,
                 keywords: list[Mapping[str, Callable[..., Any]]] = (),
                 filters: list[Mapping[str, Callable[[Any], Any]]] = ()) -> None:
        load()
        self.named = dict(named or {})
        self._expanding: list[str] = []
        # Plugins' additions, for this engine only; built-in names win.
        self.keywords = {name: func for table in keywords for name, func in table.items()
                         if name not in KEYWORDS}
        self.filters = {name: func for table in filters for name, func in table.items()
                        if name not in FILTERS}

    def error(self, message: str) -> ParseError:
        return ParseError(message)

    def render(self, tree: Tree, mapping: Mapping[str, Any]) -> str:
        return values.text(self.evaluate(tree, mapping))

    def evaluate(self, tree: Tree, mapping: Mapping[str, Any]) -> Any:
        kind = tree[0]
        if kind == "template":
            return "".join(values.text(self.evaluate(part, mapping)) for part in tree[1])
        if kind == "string":
            return tree[1]
        if kind == "integer":
            return tree[1]
        if kind == "symbol":
            return self.symbol(tree[1], mapping)
        if kind == "group":
            return self.evaluate(tree[1], mapping)
        if kind == "|":
            return self.filter(tree[1], tree[2], mapping)
        if kind == "func":
            return self.call(tree[1], tree[2], mapping)
        if kind == "%":
            return self.map(tree[1], tree[2], mapping)
        if kind in ("+", "-", "*", "/"):
            return self.arith(kind, tree[1], tree[2], mapping)
        if kind == "negate":
            return -self.integer(self.evaluate(tree[1], mapping))
        if kind == "member":
            return self.member(tree[1], tree[2], mapping)
        if kind == "keyvalue":
            raise self.error("can't use a key-value pair in this context")
        if kind == "list":
            raise self.error("can't use a list in this context")
        raise self.error(f"unknown template element: {kind}")

    def symbol(self, name: str, mapping: Mapping[str, Any]) -> Any:
        if name in mapping and name not in _HIDDEN:
            return mapping[name]
        if name in self.named:
            if name in self._expanding:
                from amalgam import error

                raise error.Abort(f"recursive reference '{name}' in template",
                                  hint="a [templates] entry must not use itself")
            self._expanding.append(name)
            try:
                return self.render(self.named[name], mapping)
            finally:
                self._expanding.pop()
        if "ctx" not in mapping:
            return ""
        found = KEYWORDS.get(name)
        if found is not None:
            return found[0](mapping["ctx"], mapping)
        plugin = self.keywords.get(name)
        if plugin is not None:
            value = plugin(mapping["ctx"].repo, mapping["ctx"])
            return values.ListValue.of(name, list(value)) if isinstance(value, list) else value
        return ""

    def filter(self, inner: Tree, name: Tree, mapping: Mapping[str, Any]) -> Any:
        if name[0] != "symbol":
            raise self.error("expected a filter name")
        found = FILTERS.get(name[1])
        if found is None and name[1] in self.filters:
            return self.filters[name[1]](self.evaluate(inner, mapping))
        if found is None:
            if name[1] in FUNCTIONS:
                return self.call(name, inner, mapping)
            raise self.error(f"unknown function '{name[1]}'")
        return found[0](self.evaluate(inner, mapping))

    def call(self, name: Tree, args: Tree | None, mapping: Mapping[str, Any]) -> Any:
        if name[0] != "symbol":
            raise self.error("expected a function name")
        found = FUNCTIONS.get(name[1])
        if found is None:
            if name[1] in FILTERS:
                items = _args(args)
                if len(items) != 1:
                    raise self.error("filter %s expects one argument" % name[1])
                return FILTERS[name[1]][0](self.evaluate(items[0], mapping))
            raise self.error(f"unknown function '{name[1]}'")
        return found[0](self, mapping, _args(args))

    def map(self, inner: Tree, template: Tree, mapping: Mapping[str, Any]) -> Any:
        value = self.evaluate(inner, mapping)
        if not isinstance(value, values.ListValue):
            raise self.error(f"{values.text(value)!r} is not iterable")
        out = []
        for item in value.items:
            merged = dict(mapping)
            merged.update(item)
            out.append(self.render(template, merged))
        # Still a list, so join() can put separators between the rendered items.
        return values.ListValue([{"text": piece} for piece in out],
                                lambda item: item["text"], sep="")

    def member(self, inner: Tree, key: Tree, mapping: Mapping[str, Any]) -> Any:
        value = values.as_dict(self.evaluate(inner, mapping))
        if key[0] != "symbol":
            raise self.error("expected a symbol after '.'")
        if isinstance(value, dict):
            return value.get(key[1], "")
        raise self.error(f"{values.text(value)!r} has no member")

    def boolean(self, tree: Tree, mapping: Mapping[str, Any]) -> bool:
        """A flag argument: the bare words true/false, else the value's truth."""
        if tree[0] == "symbol" and tree[1].lower() in ("true", "false"):
            return tree[1].lower() == "true"
        return values.truthy(self.evaluate(tree, mapping))

    def integer(self, value: Any) -> int:
        try:
            return int(values.text(value))
        except ValueError:
            raise self.error("arithmetic only defined on integers") from None

    def arith(self, op: str, left: Tree, right: Tree, mapping: Mapping[str, Any]) -> int:
        a = self.integer(self.evaluate(left, mapping))
        b = self.integer(self.evaluate(right, mapping))
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            raise self.error("division by zero is not defined")
        return a // b


def _args(tree: Tree | None) -> list[Tree]:
    if tree is None:
        return []
    if tree[0] == "list":
        out: list[Tree] = []
        for child in tree[1:]:
            out.extend(_args(child) if child[0] == "list" else [child])
        return out
    return [tree]
