"""Templates: hg's output language for ``-T/--template``.

``changeset_printer(repo, spec)`` turns what the user gave to ``-T`` (a
style name, a ``[templates]`` entry or a template text) into a
:class:`ChangesetPrinter`; its ``show(ui, rev)`` writes one changeset and
``close(ui)`` finishes the output (``json`` needs a closing bracket).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from amalgam.parser import Tree

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


def parse(text: str) -> Tree:
    from amalgam.templates import lang

    return lang.parse(text)


def config_templates(repo: Repository | None, ui: UI | None = None) -> dict[str, str]:
    """The ``[templates]`` table of the configuration: name -> template text."""
    ui = ui or (repo.ui if repo is not None else None)
    config = getattr(ui, "config", None)
    if config is None:
        return {}
    return {str(name): str(value) for name, value in config.items("templates")}


class ChangesetPrinter:
    """Renders changesets with one style or template, remembering what it printed."""

    def __init__(self, repo: Repository, spec: str, named: Mapping[str, str] | None = None,
                 *, copies: bool = False) -> None:
        from amalgam.revset.names import RepoView

        self.repo = repo
        #: log's --copies: what ``{file_copies_switch}`` (and the styles) show
        self.copies = copies
        self.view = RepoView(repo)
        self.json = spec == "json"
        self.count = 0
        self.last_header: str | None = None
        if self.json:
            return  # written directly (jsonstyle): no engine to build
        from amalgam.revset import plugin_tables
        from amalgam.templates import styles
        from amalgam.templates.engine import Engine

        named = dict(named if named is not None else config_templates(repo))
        self.engine = Engine({name: parse(text) for name, text in named.items()},
                             keywords=plugin_tables(repo, "template_keywords"),
                             filters=plugin_tables(repo, "template_filters"))
        if spec in named:
            style = styles.Style(named[spec])
        elif spec in styles.STYLES:
            style = styles.STYLES[spec]
        else:
            style = styles.Style(spec)
        self.style = style
        changeset, header = style.pick(repo.ui)
        self.tree = parse(changeset)
        self.header = parse(header) if header else None

    def mapping(self, rev: int) -> dict[str, Any]:
        from amalgam.context import changectx

        ctx = changectx(self.repo, rev)
        # "view" caches names and phases across changesets for the keywords.
        return {"ctx": ctx, "repo": self.repo, "view": self.view, "showcopies": self.copies}

    def render(self, rev: int) -> str:
        """The text for changeset *rev*, header included when it changed."""
        return "".join(self.render_parts(rev))

    def render_parts(self, rev: int) -> tuple[str, str]:
        """(header if it changed else "", changeset text) for *rev*.

        ``log -G`` writes the header above the graph and only the changeset
        text beside it.  The style's start text leads the first header.  For
        ``json`` the "header" is the opening bracket or the separator that
        precedes the entry.
        """
        if self.json:
            from amalgam.templates.jsonstyle import entry

            lead = "[\n" if not self.count else ",\n"
            self.count += 1
            return lead, entry(self.view, rev, _level(self.repo.ui), copies=self.copies)
        mapping = self.mapping(rev)
        out = "" if self.count else self.style.start
        if self.header is not None:
            header = self.engine.render(self.header, mapping)
            if header != self.last_header:
                out += header
                self.last_header = header
        self.count += 1
        return out, self.engine.render(self.tree, mapping)

    def show(self, ui: UI, rev: int) -> None:
        ui.write(self.render(rev))

    def closing(self) -> str:
        """What follows the last changeset."""
        if self.json:
            return "\n]\n" if self.count else "[\n]\n"
        return (self.style.start if not self.count else "") + self.style.end

    def close(self, ui: UI) -> None:
        ui.write(self.closing())


def _level(ui: Any) -> str:
    """The UI's verbosity as one word: quiet, verbose, debug or empty."""
    if getattr(ui, "debugflag", False):
        return "debug"
    if getattr(ui, "verbose", False):
        return "verbose"
    return "quiet" if getattr(ui, "quiet", False) else ""


def changeset_printer(repo: Repository, spec: str, *, copies: bool = False
                      ) -> ChangesetPrinter:
    """A printer for ``-T SPEC``: a style name, a ``[templates]`` name, or a template;
    *copies* is log's --copies."""
    return ChangesetPrinter(repo, spec, copies=copies)
