"""Exchange hooks: wire protocol, bundle2, clone, pull and push.

Server-side hooks extend what a server offers; client-side hooks run at the
fixed steps of clone, pull and push.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pluggy import HookspecMarker

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

hookspec = HookspecMarker("amalgam")

# =============================================================================
# Server side
# =============================================================================


@hookspec
def exchange_wire_commands(repo: Any) -> Iterable[Any] | None:
    """Add wire-protocol commands this server answers.

    Called once when a server (HTTP or SSH) builds its command table.

    :param repo: the served repository.
    :return: wire command definitions (name, arguments, permission, handler)
        to add, or None.  A name the kernel already serves is an error.
    """


@hookspec
def exchange_capabilities(repo: Any, caps: list[str]) -> None:
    """Add capabilities this server advertises.

    Called each time a server answers ``capabilities`` (or ``hello``).

    :param repo: the served repository.
    :param caps: the capability tokens; append to it in place.
    :return: None; results are ignored.
    """


@hookspec
def exchange_bundle2_handlers(repo: Any) -> Mapping[str, Callable[..., Any]] | None:
    """Add handlers for bundle2 part types.

    Called once per bundle2 stream the kernel applies (client or server).

    :param repo: the repository applying the bundle.
    :return: a mapping of part type to handler, or None.  Mandatory parts no
        handler knows abort the transfer, as the format requires.
    """


@hookspec
def exchange_getbundle_parts(repo: Any, bundler: Any, args: dict[str, Any]) -> None:
    """A server is building a getbundle reply: add bundle2 parts.

    Called after the kernel added its own parts.

    :param repo: the served repository.
    :param bundler: the bundle2 writer; add parts to it.
    :param args: the decoded getbundle arguments (including ones clients of
        the plugin send).
    :return: None; results are ignored.
    """


@hookspec
def exchange_changegroup_filter(repo: Any, args: dict[str, Any]) -> Any:
    """A server is building a changegroup: restrict its file groups.

    Called once per changegroup a server generates.  The kernel sends a
    file's group only if every returned matcher accepts its path.

    :param repo: the served repository.
    :param args: the decoded getbundle arguments.
    :return: a matcher (callable ``path: bytes -> bool``), or None.
    """


# =============================================================================
# Client side
# =============================================================================


@hookspec
def exchange_getbundle_args(repo: Any, peer: Any, args: dict[str, Any]) -> None:
    """A client is about to send getbundle: add arguments.

    Called once per pull or clone, after the kernel filled in its own.

    :param repo: the local repository.
    :param peer: the remote peer (its ``capabilities()`` say what it accepts).
    :param args: the getbundle arguments; change them in place.
    :return: None; results are ignored.
    """


@hookspec
def exchange_clone_prestep(repo: Any, peer: Any, opts: dict[str, Any]) -> None:
    """A clone into an empty repository is about to pull.

    Called after the new repository was created and before its first pull;
    changesets a plugin applies here (e.g. from a pre-generated bundle) are
    then not transferred again by that pull.

    :param repo: the new, empty repository.
    :param peer: the source peer.
    :param opts: the clone command's options.
    :return: None; results are ignored.
    """


@hookspec
def exchange_pull_done(repo: Any, peer: Any, result: Any) -> None:
    """A pull (or clone) has applied the incoming changesets.

    Called after the transaction closed.

    :param repo: the local repository.
    :param peer: the remote peer.
    :param result: the pull result (added changesets, new heads).
    :return: None; results are ignored.
    """


@hookspec
def exchange_push_prestep(repo: Any, peer: Any, outgoing: Any) -> None:
    """A push is about to send its changesets.

    Called after discovery, before anything is sent; raising an
    ``amalgam.error`` error aborts the push.

    :param repo: the local repository.
    :param peer: the destination peer.
    :param outgoing: the changesets about to be pushed.
    :return: None; results are ignored.
    """
