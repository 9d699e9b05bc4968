"""``-T`` for commands whose items are not changesets (tags, status, annotate, …).

A command hands each item to :class:`Formatter` as a dict of fields (what
``-T json`` prints) plus, optionally, the changeset the item belongs to, so
a template can use changeset keywords too (``hg tags -T '{tag} {author}'``).
Fields only a template needs (hg computes them when the template asks) go
in *extra*: they never reach the JSON.

JSON follows hg byte for byte: ``[``, then each item as `` {`` / two-space
indented sorted keys / `` }``, items separated by ``,``, then ``]``; values
inside an item are compact JSON (``", "`` and ``": "``, sorted keys).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from amalgam.templates.values import Date, ListValue

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI

#: What one item of a list field is called inside ``{list % "..."}``.
ITEM_NAMES = {"tags": "tag", "bookmarks": "bookmark", "parents": "node"}


def _plain(value: Any) -> Any:
    """*value* as plain JSON data (dates become ``[seconds, offset]``)."""
    if isinstance(value, Date):
        return [value.when, value.offset]
    if isinstance(value, Mapping):
        return {key: _plain(v) for key, v in value.items() if key != "ctx"}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _template_value(key: str, value: Any) -> Any:
    """*value* as a template sees it: lists become :class:`ListValue`."""
    if not isinstance(value, list):
        return value
    if value and isinstance(value[0], Mapping):
        return ListValue(list(value), lambda item: "", sep="",
                         json=lambda item: _plain(item))
    return ListValue.of(ITEM_NAMES.get(key, key.rstrip("s")), value)


class Formatter:
    """Writes items as hg's ``-T json`` or through one template."""

    def __init__(self, ui: UI, repo: Repository | None, spec: str) -> None:
        from amalgam import templates
        from amalgam.templates.engine import Engine

        self.ui = ui
        self.repo = repo
        self.json = spec == "json"
        self.count = 0
        if self.json:
            return
        named = templates.config_templates(repo, ui)
        tables = {}
        if repo is not None:
            from amalgam.revset import plugin_tables

            tables = {"keywords": plugin_tables(repo, "template_keywords"),
                      "filters": plugin_tables(repo, "template_filters")}
        self.engine = Engine({name: templates.parse(text) for name, text in named.items()},
                             **tables)
        self.tree = templates.parse(named.get(spec, spec))

    def wants(self, name: str) -> bool:
        """Whether the template names *name*, so a costly field is worth computing."""
        if self.json:
            return False

        def walk(tree: Any) -> bool:
            if isinstance(tree, tuple):
                if tree[:2] == ("symbol", name):
                    return True
                return any(walk(child) for child in tree[1:])
            if isinstance(tree, list):
                return any(walk(child) for child in tree)
            return False

        return walk(self.tree) or any(walk(t) for t in self.engine.named.values())

    def item(self, fields: Mapping[str, Any], ctx: Any = None,
             extra: Mapping[str, Any] | None = None) -> None:
        """Write one item: *fields* (JSON and template), *extra* (template only)."""
        if self.json:
            from amalgam.templates.filters import dumps

            body = ",\n".join(f"  {dumps(key)}: {dumps(_plain(value))}"
                              for key, value in sorted(fields.items()))
            self.ui.write(("[\n" if not self.count else ",\n") + " {\n" + body + "\n }")
        else:
            mapping: dict[str, Any] = {"repo": self.repo}
            if ctx is not None:
                mapping["ctx"] = ctx
            for source in (fields, extra or {}):
                for key, value in source.items():
                    mapping[key] = _template_value(key, value)
            self.ui.write(self.engine.render(self.tree, mapping))
        self.count += 1

    def end(self) -> None:
        """Finish the output (closes the JSON list, ``[\\n]`` when empty)."""
        if self.json:
            self.ui.write("\n]\n" if self.count else "[\n]\n")


def formatter(ui: UI, repo: Repository | None, spec: str) -> Formatter:
    """The formatter for ``-T SPEC``: ``json``, a ``[templates]`` name or a template."""
    return Formatter(ui, repo, spec)


#: The ``-T/--template`` option as every formatting command declares it.
