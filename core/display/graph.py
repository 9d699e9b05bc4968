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

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from amalgam.node import nullrev

if TYPE_CHECKING:
    from amalgam.display.changeset import Patches
    from amalgam.repo import Repository
    from amalgam.ui import UI


def graph_parents(repo: Repository, revs: list[int]) -> dict[int, list[tuple[Any, str]]]:
    """Edges to draw as (key, kind): displayed parents, else the nearest displayed ancestors.

    *kind* is ``P`` for a displayed parent, ``G`` for a displayed ancestor
    reached through hidden revisions, ``M`` for a parent with no displayed
    ancestor: its key is a placeholder so the picture still shows that the
    revision has a parent.
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

    edges: dict[int, list[tuple[Any, str]]] = {}
    for rev in revs:
        parents = [p for p in cl.parentrevs(rev) if p != nullrev]
        out: list[tuple[Any, str]] = [(p, "P") for p in sorted({p for p in parents if p in shown})]
        keys = {key for key, _ in out}
        for missing in parents:
            if missing in shown:
                continue
            found = nearest(missing)
            for gp in found:
                if gp not in keys:
                    keys.add(gp)
                    out.append((gp, "G"))
            if not found:
                out.append((("missing", missing), "M"))
        edges[rev] = out
    return edges


#: Line drawn for each kind of edge outside plain mode.
STYLES = {"P": "|", "G": ":", "M": "|"}


class Grapher:
    """Turns (node key, node character, parent keys, text lines) into drawn lines.

    *styled* (output not plain) draws edges to hidden ancestors with ``:``
    and ends edges to parents with no displayed ancestor with ``~`` instead
    of carrying them to the bottom of the picture.
    """

    def __init__(self, styled: bool = False) -> None:
        self.styled = styled
        self.columns: list[Any] = []
        self.styles: list[str] = []
        self.lastcoldiff = self.lastidx = 0
        self.serial = 0

    def entry(self, key: Any, char: str, parents: list[Any], text: list[str],
              kinds: list[str] | None = None) -> list[str]:
        kinds = kinds or ["P"] * len(parents)
        if self.styled:
            # A missing parent's column ends at once: never shared with another edge.
            self.serial += 1
            parents = [(p, self.serial) if k == "M" else p for p, k in zip(parents, kinds)]
        else:
            kinds = ["G" if k == "G" else "P" for k in kinds]
        style = (lambda k: STYLES[k]) if self.styled else (lambda k: "|")
        cols, styles = self.columns, self.styles
        if key not in cols:
            cols.append(key)
            styles.append("|")
        idx = cols.index(key)
        new = [p for p in parents if p not in cols]
        kind_of = dict(zip(parents, kinds))
        # A row opens at most two columns; more parents split off below the entry.
        new, extra = new[:2], new[2:]
        nxt = cols[:idx] + new + cols[idx + 1:]
        nstyles = styles[:idx] + [style(kind_of[p]) for p in new] + styles[idx + 1:]
        # A parent already in a column not next to the node is reached by a
        # horizontal line on the node's row instead of in the edge row.
        far = [cols.index(p) for p in parents if p in cols and abs(cols.index(p) - idx) > 1]
        edges: list[tuple[int, int, str]] = []
        for i, k in enumerate(cols):
            if i == idx:
                # An edge joining a column keeps that column's line.
                edges.extend((idx, nxt.index(p) if p in nxt else idx + 1,
                              styles[cols.index(p)] if p in cols
                              else style(kind_of[p])) for p in parents
                             if p not in cols or cols.index(p) not in far)
            else:
                edges.append((i, nxt.index(k), styles[i]))
        width = max(2 * max(len(cols), len(nxt)) - 1, 1)
        coldiff = len(nxt) - len(cols)
        fixtail = len(text) <= 2 and coldiff == self.lastcoldiff and coldiff != 0
        # Still moving the same way as the row above: the columns right of
        # both nodes lean into the move on the node's row already.
        lean = max(idx + 1, self.lastidx) if coldiff < 0 else idx + 1
        node = []
        for i in range(len(cols)):
            if i == idx:
                node.append(char)
            elif fixtail and i >= lean:
                node.append("/" if coldiff < 0 else "\\")
            else:
                node.append(styles[i])
        row = list(" ".join(node))
        for col in far:
            lo, hi = sorted((2 * idx, 2 * col))
            row[lo + 1:hi] = "-" * (hi - lo - 1)
        for col in far:
            row[2 * col] = "+"
        graph = ["".join(row), _edge_line(edges, width)]
        if len(text) > 2 and coldiff == -1 and any(col > idx for col in far):
            # Room for the long horizontal edge before the columns close up.
            down = [line for src, _, line in edges if src == idx] + [" "]
            graph.insert(1, " ".join(down[0] if i == idx else c for i, c in enumerate(styles)))
        missing = [i for i, k in enumerate(nxt) if kind_of.get(k) == "M" and k in new]
        tail: list[str] = []
        rest = " ".join(nstyles)
        if self.styled and missing:
            graph.append(" ".join("~" if i in missing else c for i, c in enumerate(nstyles)))
            rest = " ".join(" " if i in missing else c for i, c in enumerate(nstyles))
            kept = [i for i in range(len(nxt)) if i not in missing]
            moves = [(i, kept.index(i), nstyles[i]) for i in kept]
            tail = _close_lines(moves, width)
            nxt = [nxt[i] for i in kept]
            nstyles = [nstyles[i] for i in kept]
        shown = len(nstyles)
        for parent in extra:
            col = nxt.index(new[1]) if new[1] in nxt else len(nxt) - 1
            tail += _split_lines(nstyles, col)
            new[1] = parent
            nxt.insert(col + 1, parent)
            nstyles.insert(col + 1, style(kind_of[parent]))
        if extra and not missing:
            # The entry's own rows already carry the lines of the final columns.
            rest = " ".join(nstyles[:shown])
        self.columns, self.styles = nxt, nstyles
        self.lastcoldiff, self.lastidx = coldiff, idx
        split = tail[len(tail) - 2 * len(extra):] if extra else []
        tail = tail[:len(tail) - len(split)]
        count = max(len(text), len(graph) + len(tail))
        graph += [rest] * (count - len(graph) - len(tail)) + tail
        lines = list(text) + [""] * (count - len(text))
        return [(drawn.ljust(width) + "  " + textline).rstrip()
                for drawn, textline in zip(graph, lines)] + split


def _close_lines(moves: list[tuple[int, int, str]], width: int) -> list[str]:
    """Rows moving columns left over the gaps of ended edges, one character a row."""
    far = max((src - dst for src, dst, _ in moves), default=0)
    lines = []
    for step in range(2 * far - 1):
        line = [" "] * width
        for src, dst, style in moves:
            pos = 2 * src - 1 - step
            if src != dst and pos > 2 * dst:
                line[pos] = "/"
            else:
                line[2 * dst] = style
        lines.append("".join(line).rstrip())
    return lines


def _split_lines(styles: list[str], col: int) -> list[str]:
    """The two rows that split column *col* in two, pushing the columns right of it."""
    first = [" "] * (2 * len(styles) + 1)
    second = list(first)
    for i, style in enumerate(styles):
        if i < col:
            first[2 * i] = second[2 * i] = style
        else:
            first[2 * i] = second[2 * i + 1] = "\\"
            if i == col:
                second[2 * i] = style
    return ["".join(first).rstrip(), "".join(second).rstrip()]


def _edge_line(edges: list[tuple[int, int, str]], width: int) -> str:
    """The line under a row: each column goes straight, left or right."""
    line = [" "] * width
    for src, dst, straight in edges:
        if dst == src:
            pos, ch = 2 * src, straight
        elif dst < src:
            pos, ch = 2 * src - 1 - 2 * (src - dst - 1), "/"
        else:
            pos, ch = 2 * src + 1 + 2 * (dst - src - 1), "\\"
        if 0 <= pos < len(line) and line[pos] == " ":
            line[pos] = ch
    return "".join(line).rstrip()


def plain(ui: UI) -> bool:
    """hg's plain mode for the graph: HGPLAIN (or HGPLAINEXCEPT without ``graph``)."""
    env = ui.environ
    if "HGPLAIN" not in env and "HGPLAINEXCEPT" not in env:
        return False
    return "graph" not in env.get("HGPLAINEXCEPT", "").split(",")


def show_log(ui: UI, repo: Repository, revs: Iterable[int], patches: Patches | None = None,
             template: str = "", copies: bool = False) -> None:
    """Print ``log -G`` for *revs* (in display order), with *template* if given.

    *patches* adds ``-p``/``--stat`` to each entry as ``log`` does without a
    graph; *copies* is log's ``--copies``.
    """
    from amalgam.context import changectx
    from amalgam.display.changeset import Printer, json_with

    # A graph is drawn newest first whatever order the revisions were given in.
    revs = sorted(revs, reverse=True)
    edges = graph_parents(repo, revs)
    # Compared by node: looking nodes up by revision would index the whole changelog.
    wdparents = set(repo.dirstate_parents())
    grapher = Grapher(styled=not plain(ui))
    if template:
        from amalgam import templates

        tprinter = templates.changeset_printer(repo, template, copies=copies)
    else:
        printer = Printer(ui, repo, copies=copies)
    pending = ""
    for rev in revs:
        ctx = changectx(repo, rev)
        # As without a graph: a templated entry is followed by its patch even
        # when quiet, the default one has none then; json has it in fields.
        withpatch = patches is not None and (bool(template) or not ui.quiet)
        if not template:
            body = printer.text(ctx)
        elif tprinter.json:
            # As hg: each entry is written beside the next revision, the last after the graph.
            lead, entry = tprinter.render_parts(rev)
            if withpatch and not ui.quiet:
                entry = json_with(entry, patches.fields(ctx))
            withpatch = False
            if lead.startswith("["):
                ui.write("[")
                lead = lead[1:]
            body, pending = pending, lead + entry
        else:
            header, body = tprinter.render_parts(rev)
            if header:
                ui.write(header)
        data = body.encode("utf-8", "surrogateescape")
        if withpatch:
            data += patches.text(ctx) + b"\n"
        text = data.decode("utf-8", "surrogateescape").split("\n")
        if text and text[-1] == "":
            text.pop()
        char = "@" if ctx.node in wdparents else "_" if ctx.closesbranch() else "o"
        keys = [key for key, _ in edges[rev]]
        kinds = [kind for _, kind in edges[rev]]
        lines = grapher.entry(rev, char, keys, text, kinds)
        ui.write("".join(line + "\n" for line in lines))
    if template:
        ui.write(pending + tprinter.closing())
