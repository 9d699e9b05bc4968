"""``log -G``: draw the revision graph in ASCII beside each entry, like hg.

Each drawn revision owns a column; a column holds the revision expected
next in it.  A revision's line shows its node character in its column, the
following line shows where every column goes next (``|`` straight, ``/``
one to the left, ``\\`` one to the right), and the remaining lines of the
entry continue the new columns.  New parents take new columns in ascending
revision order, right where the child was, which is what makes the picture
match hg's.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from amalgam.node import nullrev

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


def graph_parents(repo: Repository, revs: list[int]) -> dict[int, list[Any]]:
    """Edges to draw: displayed parents, else the nearest displayed ancestors.

    A parent with no displayed ancestor keeps an edge to a placeholder key
    so the picture still shows that the revision has a parent.
    """
    cl = repo.changelog.revlog
    shown = set(revs)
    cache: dict[int, list[int]] = {}

    def nearest(rev: int) -> list[int]:
        if rev in cache:
            return cache[rev]
        found: set[int] = set()
        stack, seen = [rev], {rev}
        while stack:
            for parent in cl.parentrevs(stack.pop()):
                if parent == nullrev or parent in seen:
                    continue
                seen.add(parent)
                if parent in shown:
                    found.add(parent)
                else:
                    stack.append(parent)
        cache[rev] = sorted(found)
        return cache[rev]

    edges: dict[int, list[Any]] = {}
    for rev in revs:
        parents = [p for p in cl.parentrevs(rev) if p != nullrev]
        direct = sorted({p for p in parents if p in shown})
        out: list[Any] = list(direct)
        for missing in parents:
            if missing in shown:
                continue
            found = nearest(missing)
            for gp in found:
                if gp not in out:
                    out.append(gp)
            if not found:
                out.append(("missing", missing))
        edges[rev] = out
    return edges


class Grapher:
    """Turns (node key, node character, parent keys, text lines) into drawn lines."""

    def __init__(self) -> None:
        self.columns: list[Any] = []
        self.lastcoldiff = 0

    def entry(self, key: Any, char: str, parents: list[Any], text: list[str]) -> list[str]:
        cols = self.columns
        before = len(cols)
        if key not in cols:
            cols.append(key)
        idx = cols.index(key)
        new = [p for p in parents if p not in cols]
        nxt = cols[:idx] + new + cols[idx + 1:]
        edges: list[tuple[int, int]] = []
        for i, k in enumerate(cols):
            if i == idx:
                edges.extend((idx, nxt.index(p)) for p in parents)
            else:
                edges.append((i, nxt.index(k)))
        width = 2 * max(len(cols), len(nxt)) - 1
        # A revision that opens its own column does not count as a shift.
        coldiff = len(nxt) - before
        fixtail = len(text) <= 2 and coldiff == self.lastcoldiff and coldiff != 0
        node = []
        for i in range(len(cols)):
            if i == idx:
                node.append(char)
            elif i > idx and fixtail:
                node.append("/" if coldiff < 0 else "\\")
            else:
                node.append("|")
        graph = [" ".join(node)]
        line = [" "] * max(width, 1)
        for src, dst in edges:
            if dst == src:
                pos, ch = 2 * src, "|"
            elif dst < src:
                pos, ch = 2 * src - 1 - 2 * (src - dst - 1), "/"
            else:
                pos, ch = 2 * src + 1 + 2 * (dst - src - 1), "\\"
            if 0 <= pos < len(line) and line[pos] == " ":
                line[pos] = ch
        graph.append("".join(line).rstrip())
        rest = " ".join("|" for _ in nxt)
        self.columns = nxt
        self.lastcoldiff = coldiff
        lines = list(text) + [""] * max(0, len(graph) - len(text))
        out = []
        for index, textline in enumerate(lines):
            drawn = graph[index] if index < len(graph) else rest
            out.append((drawn.ljust(max(width, 1)) + "  " + textline).rstrip())
        return out


def show_log(ui: UI, repo: Repository, revs: Iterable[int],
             patch: Callable[[Any], bytes] | None = None) -> None:
    """Print ``log -G`` for *revs* (in display order)."""
    from amalgam.context import changectx
    from amalgam.display.changeset import Printer

    # A graph is drawn newest first whatever order the revisions were given in.
    revs = sorted(revs, reverse=True)
    edges = graph_parents(repo, revs)
    # Compared by node: looking nodes up by revision would index the whole changelog.
    wdparents = set(repo.dirstate_parents())
    grapher = Grapher()
    printer = Printer(ui, repo)
    for rev in revs:
        ctx = changectx(repo, rev)
        body = printer.text(ctx).encode("utf-8", "surrogateescape")
        if patch is not None:
            body += patch(ctx) + (b"" if ui.quiet else b"\n")
        text = body.decode("utf-8", "surrogateescape").split("\n")
        if text and text[-1] == "":
            text.pop()
        char = "@" if ctx.node in wdparents else "_" if ctx.closesbranch() else "o"
        lines = grapher.entry(rev, char, edges[rev], text)
        ui.write("".join(line + "\n" for line in lines))
