"""Revsets: hg's query language for selecting changesets.

``revs(repo, specs)`` evaluates one or more expressions (joined by ``or``)
and returns a lazy, ordered :class:`~amalgam.revset.smartset.SmartSet`.
:func:`install` makes this engine the one behind
``amalgam.revspec.revrange``, so every ``-r`` option accepts full revsets.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from amalgam.parser import Tree

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.revset.smartset import SmartSet


def _load_predicates() -> None:
    """Import the built-in predicate modules (they register on import)."""
    from amalgam.revset import ordering, predicates, remote, textpredicates  # noqa: F401


def parse(text: str, repo: Repository | None = None,
          aliases: Mapping[str, str] | None = None) -> Tree:
    """Parse *text*, expanding ``[revsetalias]`` entries; dashed names resolve via *repo*."""
    from amalgam.revset import lang
    from amalgam.revset.names import RepoView

    known = RepoView(repo).known if repo is not None else None
    tree = lang.parse(text, known)
    if aliases:
        tree = lang.expand_aliases(tree, lang.load_aliases(aliases))
    return tree


def config_aliases(repo: Repository) -> dict[str, str]:
    """The ``[revsetalias]`` table from the repository's configuration, if any."""
    config = repo.ui.config
    if config is None:
        return {}
    return {str(name): str(value) for name, value in config.items("revsetalias")}


def plugin_tables(repo: Repository, hook: str) -> list[Mapping[str, Any]]:
    """What enabled plugins return from *hook* (``revset_predicates``, ``template_*``).

    Goes through the hook facade, so with no plugin declaring the hook
    nothing is imported; a repository used without the CLI has no plugins.
    """
    hooks = getattr(repo.ui, "hooks", None)
    if hooks is None:
        return []
    return [table for table in getattr(hooks, hook)(repo=repo) if table]


def revs(repo: Repository, specs: Sequence[str | int],
         aliases: Mapping[str, str] | None = None) -> SmartSet:
    """The changesets *specs* select, in hg's order (several specs: their union)."""
    from amalgam.revset import lang
    from amalgam.revset.evaluate import Evaluator
    from amalgam.revset.names import RepoView

    _load_predicates()
    if aliases is None:
        aliases = config_aliases(repo)
    view = RepoView(repo)

    trees = []
    for spec in specs:
        tree = lang.parse(str(spec), view.known)
        if aliases:
            tree = lang.expand_aliases(tree, lang.load_aliases(aliases))
        trees.append(tree)
    evaluator = Evaluator(view, plugin_tables(repo, "revset_predicates"))
    tree = trees[0] if len(trees) == 1 else ("or", ("list", *trees))
    return evaluator.getset(tree)


def revrange(repo: Repository, specs: Sequence[str]) -> list[int]:
    """The engine ``amalgam.revspec`` calls: revisions in order, each once."""
    return revs(repo, specs).tolist()


def install() -> None:
    """Make revsets the engine behind ``amalgam.revspec.revrange``."""
    from amalgam import revspec

    revspec.set_engine(revrange)
