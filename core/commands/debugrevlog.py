"""``amg debugrevlog``: chain and compression figures of a revlog."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam.commands.debugindex import REVLOG_OPTIONS, revlog_for
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


def _pct(part: int, whole: int) -> str:
    return f"({100.0 * part / whole:5.2f}%)" if whole else "( 0.00%)"


@command("debugrevlog", REVLOG_OPTIONS, "-c|-m|FILE", category="debug")
def debugrevlog(ui: UI, repo: Repository, path: str | None = None, **opts: Any) -> int:
    """show chain lengths and compression of a revlog

    How many revisions are full snapshots and how many deltas, how long the
    delta chains get, the chunk compression engines, and the ratio of full
    text size to stored size.
    """
    revlog = revlog_for(repo, opts, path)
    st = revlog.stats()
    count = st["revisions"]
    flags = [name for name, on in (("inline", st["inline"]),
                                   ("generaldelta", st["generaldelta"])) if on]
    merges = sum(1 for rev in range(count) if revlog.parentrevs(rev)[1] >= 0)
    ui.write("format : 1\n")
    ui.write(f"flags  : {', '.join(flags) or '(none)'}\n\n")
    ui.write(f"revisions     : {count:3d}\n")
    ui.write(f"    merges    : {merges:3d} {_pct(merges, count)}\n")
    ui.write(f"    normal    : {count - merges:3d} {_pct(count - merges, count)}\n")
    ui.write(f"    empty     : {st['empty']:3d} {_pct(st['empty'], count)}\n")
    ui.write(f"    snapshot  : {st['snapshots']:3d} {_pct(st['snapshots'], count)}\n")
    ui.write(f"    deltas    : {st['deltas']:3d} {_pct(st['deltas'], count)}\n\n")
    ui.write("chunks        :\n")
    for engine, number in sorted(st["chunk_engines"].items()):
        ui.write(f"    {engine:<10}: {number:3d} {_pct(number, count)}\n")
    ui.write("\n")
    ui.write(f"uncompressed size : {st['raw_size']}\n")
    ui.write(f"stored size       : {st['stored_size']}\n")
    ui.write(f"avg chain length  : {st['avg_chain_len']:.0f}\n")
    ui.write(f"max chain length  : {st['max_chain_len']}\n")
    ui.write(f"compression ratio : {st['compression_ratio']:.0f}\n")
    return 0
