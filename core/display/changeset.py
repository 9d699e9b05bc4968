"""hg's changeset layout for ``log`` and friends: default, ``-v``, ``--debug``, ``-q``.

A :class:`Printer` works on ``ChangeContext`` objects (``amalgam.context``)
of one repository and writes through the ``UI``; patches and diffstats
after a changeset come from ``amalgam.display.diff`` via the *patch*
callback, so the graph renderer can indent everything the same way.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from amalgam.dates import datestr
from amalgam.node import hex, nullid, nullrev, short

if TYPE_CHECKING:
    from amalgam.node import Node
    from amalgam.repo import Repository
    from amalgam.ui import UI

_PHASES = ("public", "draft", "secret")


def _field(name: str, value: str) -> str:
    return f"{name + ':':<13}{value}\n"


def _parent_revs(ctx: Any, debug: bool) -> list[int]:
    """Revisions of the parents hg prints: both for merges and in debug, p1
    when it is not rev-1."""
    p1, p2 = ctx.repo.changelog.revlog.parentrevs(ctx.rev)
    if debug or p2 != nullrev:
        return [p1, p2]
    if p1 >= ctx.rev - 1:
        return []
    return [p1]


def meaningful_parents(ctx: Any, debug: bool) -> list[Any]:
    """Contexts of the parents hg prints (see :func:`_parent_revs`)."""
    from amalgam.context import changectx

    return [changectx(ctx.repo, rev) for rev in _parent_revs(ctx, debug)]


def _debug_files(ctx: Any) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(modified, added, removed) against the first parent, as ``--debug`` splits them."""
    before = ctx.p1().manifest()
    after = ctx.manifest()
    modified, added, removed = [], [], []
    for path in ctx.files():
        if path not in after:
            removed.append(path)
        elif path not in before:
            added.append(path)
        else:
            modified.append(path)
    return modified, added, removed


def _names(paths: list[bytes]) -> str:
    return " ".join(p.decode("utf-8", "surrogateescape") for p in paths)


def _copies(ctx: Any) -> str:
    """``dest (source)`` for each copied or renamed file, as ``-v -C`` lists them."""
    from amalgam.templates.keywords import file_copies

    return " ".join(f"{item['name']} ({item['source']})"
                    for item in file_copies(ctx, {}).items)


def _escape(value: str) -> str:
    return value.encode("unicode_escape").decode("ascii") if any(
        c in value for c in "\\\n\r\t\0") else value


class Printer:
    """Prints changesets of one repository for one command.

    The names shown beside a changeset (bookmarks, tags) are read once, on
    the first changeset, rather than once per changeset: ``log`` shows
    thousands.  A printer therefore lives for one command, not longer.
    """

    def __init__(self, ui: UI, repo: Repository, *, copies: bool = False) -> None:
        self.ui = ui
        self.repo = repo
        #: log's --copies: verbose output lists the copies after the files
        self.copies = copies
        self._labels: tuple[dict[Node, list[str]], dict[Node, list[str]]] | None = None

    def _names_of(self, node: Node) -> tuple[list[str], list[str]]:
        """(bookmarks, tags) on *node*, each sorted by name."""
        if self._labels is None:
            from amalgam import bookmarks, tags

            marks: dict[Node, list[str]] = {}
            for name, marked in sorted(bookmarks.read(self.repo).items()):
                marks.setdefault(marked, []).append(name)
            self._labels = (marks, tags.bynode(self.repo))
        return self._labels[0].get(node, []), self._labels[1].get(node, [])

    def _ident(self, rev: int, node: Node) -> str:
        return f"{rev}:{hex(node) if self.ui.debugflag else short(node)}"

    def text(self, ctx: Any) -> str:
        """The lines hg prints for *ctx* at the UI's verbosity (no trailing patch)."""
        ui = self.ui
        if ui.quiet:
            return self._ident(ctx.rev, ctx.node) + "\n"
        debug = ui.debugflag
        out = [_field("changeset", self._ident(ctx.rev, ctx.node))]
        branch = ctx.branch()
        if branch != "default":
            out.append(_field("branch", branch))
        marks, tagged = self._names_of(ctx.node)
        out.extend(_field("bookmark", name) for name in marks)
        out.extend(_field("tag", name) for name in tagged)
        if debug:
            out.append(_field("phase", _PHASES[ctx.phase()]))
        node = self.repo.changelog.revlog.node
        for parent in _parent_revs(ctx, debug):
            out.append(_field("parent", self._ident(parent, node(parent))))
        if debug:
            mnode = ctx.manifestnode()
            mrev = ctx.repo.manifestlog.revlog.rev(mnode) if mnode != nullid else nullrev
            out.append(_field("manifest", f"{mrev}:{hex(mnode)}"))
        out.append(_field("user", ctx.user()))
        out.append(_field("date", datestr(ctx.date())))
        if debug:
            for label, group in zip(("files", "files+", "files-"), _debug_files(ctx)):
                if group:
                    out.append(_field(label, _names(group)))
        elif ui.verbose and ctx.files():
            out.append(_field("files", _names(ctx.files())))
        if self.copies and ui.verbose:
            copied = _copies(ctx)
            if copied:
                out.append(_field("copies", copied))
        if debug:
            for key, value in sorted(ctx.extra().items()):
                out.append(_field("extra", f"{key}={_escape(value)}"))
        description = ctx.description().strip()
        if ui.verbose:
            if description:
                out.append("description:\n" + description + "\n\n")
        elif description:
            out.append(_field("summary", description.splitlines()[0]))
        out.append("\n")
        return "".join(out)

    def show(self, ctx: Any, *, patch: Callable[[Any], bytes] | None = None) -> None:
        """Print *ctx*; *patch(ctx)* gives the diff/stat text to print after it.

        hg separates the patch from the changeset block by the block's blank
        line and ends it with one more; quiet output has no patch at all.
        """
        text = self.text(ctx).encode("utf-8", "surrogateescape")
        if patch is not None and not self.ui.quiet:
            text += patch(ctx) + b"\n"
        self.ui.write(text)


class Patches:
    """What ``log -p``/``--stat`` adds to a changeset: text after it, or JSON fields.

    *render(ctx)* gives the changeset's file diffs (``amalgam.display.diff``
    ``FileDiff`` objects) rendered with the command's diff options.
    """

    def __init__(self, render: Callable[[Any], list[Any]], *, diff: bool, stat: bool) -> None:
        self.render = render
        self.diff = diff
        self.stat = stat

    def text(self, ctx: Any) -> bytes:
        """The diffstat and/or the patch; with both, hg puts a blank line between."""
        from amalgam.display import diff as dispdiff

        rendered = self.render(ctx)
        parts = []
        if self.stat:
            parts.append(b"".join(dispdiff.stat(rendered)))
        if self.diff:
            parts.append(b"".join(dispdiff.output(rendered)))
        return b"\n".join(parts)

    def fields(self, ctx: Any) -> dict[str, str]:
        """The ``diff`` (text) and ``diffstat`` (one object a file) fields of ``-T json``."""
        from json.encoder import encode_basestring

        from amalgam.display import diff as dispdiff

        rendered = self.render(ctx)
        fields = {}
        if self.diff:
            text = b"".join(dispdiff.output(rendered)).decode("utf-8", "surrogateescape")
            fields["diff"] = encode_basestring(text)
        if self.stat:
            rows = [
                f'{{"additions": {fd.added}, "binary": {"true" if fd.binary else "false"}, '
                f'"name": {encode_basestring(fd.statname.decode("utf-8", "surrogateescape"))}, '
                f'"removals": {fd.removed}}}'
                for fd in rendered if dispdiff.shown(fd)]
            fields["diffstat"] = "[" + ", ".join(rows) + "]"
        return fields


def json_with(entry: str, fields: dict[str, str]) -> str:
    """A ``-T json`` entry (`` {`` .. `` }``, one ``"key": value`` line each,
    keys sorted) with *fields* (already JSON values) added in key order."""
    lines = entry.split("\n")
    # A JSON value never ends with a comma: a trailing one is the separator.
    items = {line[3:line.index('": ')]: line.rstrip(",") for line in lines[1:-1]}
    items.update((key, f'  "{key}": {value}') for key, value in fields.items())
    return "\n".join([lines[0], ",\n".join(items[key] for key in sorted(items)), lines[-1]])


# The functions below share one printer per UI, that is per command, so a
# command showing a few changesets through them (heads, parents) also reads
# the names once, and warns once about a damaged bookmarks file, as hg does.
_PRINTERS: weakref.WeakKeyDictionary[UI, Printer] = weakref.WeakKeyDictionary()


def _printer(ui: UI, repo: Repository) -> Printer:
    printer = _PRINTERS.get(ui)
    if printer is None or printer.repo is not repo:
        printer = _PRINTERS[ui] = Printer(ui, repo)
    return printer


def changeset_text(ui: UI, ctx: Any) -> str:
    """The lines hg prints for *ctx* (see :class:`Printer`)."""
    return _printer(ui, ctx.repo).text(ctx)


def show(ui: UI, ctx: Any, *, patch: Callable[[Any], bytes] | None = None) -> None:
    """Print *ctx* (see :class:`Printer`)."""
    _printer(ui, ctx.repo).show(ctx, patch=patch)
