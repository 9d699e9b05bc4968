"""Command metadata: the ``@command`` decorator every command module uses.

A command is a plain function ``cmd(ui, repo, *args, **opts)``.  The
decorator records its names, options and help category on the function
(``func.command_info``), so the command line can parse options and render
help without knowing anything else about it.  Which *module* holds which
command is the static table ``amalgam.commands.TABLE``; there is no
global registry filled by imports.

Options are hg-style tuples ``(short, long, default, help[, metavar])``;
the type of *default* decides how the option parses (see
``amalgam.cli.options``).
"""
from __future__ import annotations

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any


#: ``(short, long, default, help)`` or ``(short, long, default, help, metavar)``.
Option = tuple

#: Help categories in the order ``amg help`` lists them.
CATEGORIES: dict[str, str] = {
    "repo-creation": "Repository creation",
    "remote": "Remote repository management",
    "change-creation": "Change creation",
    "change-navigation": "Change navigation",
    "files": "File content management",
    "wdir": "Working directory management",
    "maintenance": "Repository maintenance",
    "config": "Configuration and plugins",
    "help": "Help",
    "debug": "Debugging commands",
    "misc": "Miscellaneous commands",
}


class CommandInfo:
    """What the command line knows about one command."""

    __slots__ = ("name", "aliases", "func", "options", "synopsis", "norepo",
                 "optionalrepo", "category", "helpbasic", "_doc", "plugin")

    def __init__(self, name: str, aliases: tuple[str, ...], func: Callable[..., Any],
                 options: list[Option], synopsis: str, norepo: bool,
                 optionalrepo: bool, category: str, helpbasic: bool, *,
                 doc: str | None = None, plugin: str | None = None) -> None:
        self.name = name
        self.aliases = aliases
        self.func = func
        self.options = options
        self.synopsis = synopsis
        self.norepo = norepo
        self.optionalrepo = optionalrepo
        self.category = category
        self.helpbasic = helpbasic
        # Plugin commands take their help from the manifest, not the function.
        self._doc = doc
        #: The plugin that adds the command; None for a built-in one.
        self.plugin = plugin

    @property
    def doc(self) -> str:
        """The command's docstring, dedented ('' when it has none)."""
        import inspect

        return inspect.cleandoc(self._doc if self._doc is not None
                                else self.func.__doc__ or "")

    @property
    def summary(self) -> str:
        """First line of the docstring: the one-liner ``amg help`` shows."""
        doc = self.doc
        return doc.splitlines()[0] if doc else ""

    def __repr__(self) -> str:
        return f"<CommandInfo {self.name}>"


def declared(namespace: dict[str, Any]) -> dict[str, CommandInfo]:
    """The commands declared among a module's globals, by primary name."""
    infos = (getattr(value, "command_info", None) for value in namespace.values())
    return {info.name: info for info in infos if isinstance(info, CommandInfo)}


def _check_option(opt: Sequence[Any]) -> None:
    if len(opt) not in (4, 5) or not isinstance(opt[1], str) or not opt[1]:
        raise ValueError(f"malformed option declaration: {opt!r}")
    if opt[0] and len(opt[0]) != 1:
        raise ValueError(f"short option must be one character: {opt!r}")


#: The ``-T/--template`` option of every listing command.  Declared here, not
#: with the template engine, so a command that is not asked for a template
#: never imports it.
TEMPLATE_OPTION = ("T", "template", "", "display with template (or json)", "TEMPLATE")


def command(name_and_aliases: str, options: Sequence[Option] = (), synopsis: str = "",
            *, norepo: bool = False, optionalrepo: bool = False,
            category: str = "misc", helpbasic: bool = False
            ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a command: ``@command("status|st", [...], "[OPTION]... [FILE]...")``.

    *norepo* commands get ``repo=None``; *optionalrepo* ones get a repository
    when one is found and ``None`` otherwise.  *helpbasic* puts the command
    in the short list ``amg`` prints with no arguments.
    """
    names = tuple(name_and_aliases.split("|"))
    if not all(names):
        raise ValueError(f"empty command name in {name_and_aliases!r}")
    if category not in CATEGORIES:
        raise ValueError(f"unknown help category {category!r} for {names[0]!r}")
    for opt in options:
        _check_option(opt)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        info = CommandInfo(names[0], names[1:], func, list(options), synopsis,
                           norepo, optionalrepo, category, helpbasic)
        func.command_info = info  # type: ignore[attr-defined]
        return func

    return decorate
