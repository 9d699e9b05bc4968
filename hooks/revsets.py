"""Query and output language hooks: revset functions, template keywords and filters.

Each is asked once per query or per template printer, only when an enabled
plugin declares it; what they return joins the built-in tables for that
query (a built-in name cannot be replaced).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pluggy import HookspecMarker

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

hookspec = HookspecMarker("amalgam")

# =============================================================================
# Revsets
# =============================================================================


@hookspec
def revset_predicates(repo: Any) -> Mapping[str, Callable[..., bool]] | None:
    """Add revset functions that test one changeset at a time.

    Called once per revset evaluation, before the expression is evaluated.

    :param repo: the repository being queried.
    :return: a mapping of function name to ``func(repo, rev, args) -> bool``,
        where *args* is the list of the call's arguments as strings; the
        function selects the revisions for which it returns true.  Its
        docstring is its ``amg help revsets`` text.  None adds nothing.
    """


# =============================================================================
# Templates
# =============================================================================


@hookspec
def template_keywords(repo: Any) -> Mapping[str, Callable[..., Any]] | None:
    """Add template keywords.

    Called once per template printer (a ``-T`` option), before rendering.

    :param repo: the repository whose changesets are printed.
    :return: a mapping of keyword name to ``func(repo, ctx) -> value`` (text,
        an integer or a list of strings).  None adds nothing.
    """


@hookspec
def template_filters(repo: Any) -> Mapping[str, Callable[[Any], Any]] | None:
    """Add template filters.

    A filter is used as ``{value|name}``.

    Called once per template printer (a ``-T`` option), before rendering.

    :param repo: the repository whose changesets are printed.
    :return: a mapping of filter name to ``func(value) -> value``.  None adds
        nothing.
    """
