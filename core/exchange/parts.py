"""What each bundle2 part does when a repository receives it.

:func:`process` walks a bundle's parts inside the caller's transaction.
A mandatory part (or mandatory parameter) we do not know aborts, an
advisory one is skipped, as the format requires.  Bookmarks from a pull are
recorded for the caller to merge; pushed ones (``bookmarks_mode="apply"``)
are applied.
"""
from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from amalgam.error import Abort, RemoteError
from amalgam.exchange import phasesync
from amalgam.exchange.cgapply import Result
from amalgam.node import Node, nullid, short

if TYPE_CHECKING:
    from amalgam.exchange.bundle2 import Part, Unbundler
    from amalgam.repo import Repository
    from amalgam.storage.transaction import Transaction
    from amalgam.ui import UI

_DELETED = b"\xff" * 20
_PUSHRACE_HINT = "pull and merge or rebase, then push again"


class PushRaced(Abort):
    """The receiving repository changed since the pusher looked at it."""


@dataclass
class Operation:
    """State of one bundle being applied."""

    repo: Repository
    tr: Transaction
    ui: UI
    targetphase: int = phasesync.DRAFT
    bookmarks_mode: str = "record"          # "record" (pull, unbundle) or "apply" (push)
    changegroups: list[Result] = field(default_factory=list)
    bookmarks: dict[str, Node | None] = field(default_factory=dict)
    listkeys: dict[str, dict[bytes, bytes]] = field(default_factory=dict)
    reply_return: int | None = None
    reply_requested: bool = False
    streamed: bool = False

    @property
    def added(self) -> list[Node]:
        return [node for result in self.changegroups for node in result.added]


def _nodes(data: bytes, width: int, what: str) -> list[bytes]:
    if len(data) % width:
        raise Abort(f"malformed '{what}' part: {len(data)} bytes is not a multiple of {width}",
                    hint="the bundle is corrupt")
    return [data[i:i + width] for i in range(0, len(data), width)]


def _named_nodes(data: bytes, what: str) -> list[tuple[Node, str]]:
    """``node(20) + >H length + name`` entries (bookmarks, check:bookmarks)."""
    entries, pos = [], 0
    while pos < len(data):
        if len(data) - pos < 22:
            raise Abort(f"malformed '{what}' part", hint="the bundle is corrupt")
        node = data[pos:pos + 20]
        (size,) = struct.unpack_from(">H", data, pos + 20)
        name = data[pos + 22:pos + 22 + size]
        if len(name) != size:
            raise Abort(f"malformed '{what}' part", hint="the bundle is corrupt")
        entries.append((Node(node), name.decode("utf-8", "surrogateescape")))
        pos += 22 + size
    return entries


def _changegroup(op: Operation, part: Part) -> None:
    from amalgam.exchange.cgapply import apply
    from amalgam.exchange.changegroup import Unpacker

    unknown = part.mandatorykeys - {"version", "nbchanges", "targetphase"}
    if unknown or "treemanifest" in part.params:
        name = sorted(unknown)[0] if unknown else "treemanifest"
        raise Abort(f"missing support for changegroup parameter '{name}'",
                    hint="the sender uses a repository feature this version lacks")
    target = op.targetphase
    if "targetphase" in part.params:
        try:
            target = max(target, int(part.params["targetphase"]))
        except ValueError:
            raise Abort("invalid targetphase in changegroup part") from None
    try:
        expected: int | None = int(part.params.get("nbchanges", ""))
    except ValueError:
        expected = None
    result = apply(op.repo, op.tr, Unpacker(part, part.params.get("version", "01")), op.ui,
                   expected)
    if target == phasesync.PUBLIC:
        # A publishing receiver makes what it gets, ancestors included, public.
        phasesync.advance(op.repo, op.tr, phasesync.PUBLIC, result.added)
    else:
        phasesync.register_new(op.repo, op.tr, target, result.added)
    op.changegroups.append(result)


def _phase_heads(op: Operation, part: Part) -> None:
    data = part.read()
    for entry in _nodes(data, 24, "phase-heads"):
        (phase,) = struct.unpack(">i", entry[:4])
        if phase not in phasesync.NAMES:
            raise Abort(f"unknown phase {phase} in phase-heads part")
        phasesync.advance(op.repo, op.tr, phase, [Node(entry[4:])])


def _bookmarks(op: Operation, part: Part) -> None:
    for node, name in _named_nodes(part.read(), "bookmarks"):
        op.bookmarks[name] = None if node == _DELETED else node
    if op.bookmarks_mode == "apply":
        apply_bookmarks(op.repo, op.tr, op.bookmarks)


def apply_bookmarks(repo: Repository, tr: Transaction, changes: dict[str, Node | None]) -> None:
    """Set or delete bookmarks when *tr* closes."""
    from amalgam import bookmarks as bookmod

    for name, node in changes.items():
        bookmod.check_label(name)
        if node is not None and not repo.changelog.revlog.hasnode(node):
            raise Abort(f"bookmark '{name}' points to unknown changeset {short(node)}")

    def write(_tr: Transaction) -> None:
        marks = bookmod.read(repo)
        for name, node in changes.items():
            if node is None:
                marks.pop(name, None)
            else:
                marks[name] = node
        bookmod.write(repo, marks)

    tr.addfinalize(b"zz-bookmarks", write)


def _check_heads(op: Operation, part: Part) -> None:
    cl = op.repo.changelog.revlog
    expected = sorted(_nodes(part.read(), 20, "check:heads"))
    heads = sorted(cl.node(r) for r in cl.headrevs() if r >= 0) or [nullid]
    if expected != heads:
        raise PushRaced("push race: the repository changed while pushing",
                        hint=_PUSHRACE_HINT)


def _check_updated_heads(op: Operation, part: Part) -> None:
    # The pusher names the branch heads it replaces (hg compares against each
    # named branch's heads, not the repository's topological heads).
    from amalgam.exchange.peer import LocalPeer

    heads = {n for nodes in LocalPeer(op.repo).branchmap().values() for n in nodes}
    for node in _nodes(part.read(), 20, "check:updated-heads"):
        if node not in heads:
            raise PushRaced("push race: the repository changed while pushing",
                            hint=_PUSHRACE_HINT)


def _check_bookmarks(op: Operation, part: Part) -> None:
    from amalgam import bookmarks as bookmod

    marks = bookmod.read(op.repo)
    for node, name in _named_nodes(part.read(), "check:bookmarks"):
        if marks.get(name, _DELETED) != node:
            raise PushRaced(f"push race: bookmark '{name}' moved while pushing",
                            hint=_PUSHRACE_HINT)


def _check_phases(op: Operation, part: Part) -> None:
    cl = op.repo.changelog.revlog
    values = phasesync.phases(op.repo)
    for entry in _nodes(part.read(), 24, "check:phases"):
        (phase,) = struct.unpack(">i", entry[:4])
        node = entry[4:]
        if cl.hasnode(node) and values[cl.rev(node)] != phase:
            raise PushRaced("push race: phases changed while pushing", hint=_PUSHRACE_HINT)


def _listkeys(op: Operation, part: Part) -> None:
    entries = {}
    for line in part.read().splitlines():
        key, sep, value = line.partition(b"\t")
        if sep:
            entries[key] = value
    op.listkeys[part.params.get("namespace", "")] = entries


def _output(op: Operation, part: Part) -> None:
    for line in part.read().decode("utf-8", "replace").splitlines():
        op.ui.status(f"remote: {line}\n")


def _error(op: Operation, part: Part) -> None:
    part.consume()
    message = part.params.get("message") or f"remote reported {part.type}"
    raise RemoteError(message, hint=part.params.get("hint"))


def _reply_changegroup(op: Operation, part: Part) -> None:
    try:
        op.reply_return = int(part.params.get("return", "0"))
    except ValueError:
        op.reply_return = 0


def _replycaps(op: Operation, part: Part) -> None:
    part.consume()
    op.reply_requested = True


def _stream2(op: Operation, part: Part) -> None:
    from amalgam.exchange import streamclone

    count = streamclone.apply(op.repo, op.tr, part)
    op.ui.status(f"stream-cloned {count} files\n")
    op.streamed = True


def _obsmarkers(op: Operation, part: Part) -> None:
    part.consume()
    op.ui.warn("ignoring obsolescence markers: this repository does not use them\n")


def _ignore(op: Operation, part: Part) -> None:
    part.consume()


HANDLERS: dict[str, Callable[[Operation, Part], None]] = {
    "changegroup": _changegroup,
    "phase-heads": _phase_heads,
    "bookmarks": _bookmarks,
    "check:heads": _check_heads,
    "check:updated-heads": _check_updated_heads,
    "check:bookmarks": _check_bookmarks,
    "check:phases": _check_phases,
    "listkeys": _listkeys,
    "output": _output,
    "error:abort": _error,
    "error:pushraced": _error,
    "error:unsupportedcontent": _error,
    "error:pushkey": _error,
    "reply:changegroup": _reply_changegroup,
    "reply:pushkey": _ignore,
    "replycaps": _replycaps,
    "obsmarkers": _obsmarkers,
    "stream2": _stream2,
    "hgtagsfnodes": _ignore,
    "cache:rev-branch-cache": _ignore,
    "pushvars": _ignore,
}


def process(op: Operation, unbundler: Unbundler) -> Operation:
    """Apply every part of *unbundler* to ``op.repo`` within ``op.tr``.

    Plugins may add handlers for part types (``exchange_bundle2_handlers``).
    """
    handlers = dict(HANDLERS)
    hooks = getattr(op.ui, "hooks", None)
    if hooks is not None:
        for extra in hooks.exchange_bundle2_handlers(repo=op.repo):
            handlers.update({name.lower(): func for name, func in (extra or {}).items()})
    for part in unbundler.parts():
        handler = handlers.get(part.type)
        if handler is None:
            if part.mandatory:
                raise Abort(f"missing support for bundle2 part type '{part.type}'",
                            hint="the bundle needs a feature this version does not have")
            continue
        handler(op, part)
    return op
