"""Commit a stream into a new repository through amg's or Mercurial's API.

Run in a child process (``python -m benchmarks.apply BACKEND STREAM SEED
DEST``) so the Mercurial side can use hg's own interpreter and so peak RSS
is measured per process.  The whole stream is materialised first; the time
from creating the repository to the last commit is printed as
``BENCH_SECONDS=<float>`` for the write-throughput scenario.
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Sequence

from benchmarks.streams import Commit, Stream


def apply_amg(dest: str, commits: Sequence[Commit]) -> bytes:
    """Commit through ``amalgam.repo`` in one transaction; return the tip node."""
    from amalgam.node import nullid
    from amalgam.repo import FileChange, Repository

    repo = Repository.create(dest)
    nodes: list[bytes] = []
    with repo.transaction("bench"):
        for c in commits:
            files = {path: None if spec is None else
                     FileChange(spec.data, flags=spec.flags, copy_source=spec.copy_source)
                     for path, spec in c.files.items()}
            nodes.append(repo.commit_files(
                files, p1=nodes[c.p1] if c.p1 >= 0 else nullid,
                p2=nodes[c.p2] if c.p2 >= 0 else nullid, user=c.user,
                date=(c.date, 0), message=c.message, branch=c.branch))
    return nodes[-1]


def apply_hg(dest: str, commits: Sequence[Commit]) -> bytes:
    """Commit through Mercurial's ``memctx`` in one transaction."""
    from mercurial import context, hg
    from mercurial import ui as uimod

    ui = uimod.ui.load()
    repo = hg.repository(ui, dest.encode(), create=True)
    nodes: list[bytes] = []
    with repo.wlock(), repo.lock(), repo.transaction(b"bench"):
        for c in commits:
            def filectx(repo, memctx, path, _files=c.files):
                spec = _files[path]
                if spec is None:
                    return None
                return context.memfilectx(repo, memctx, path, spec.data,
                                          islink="l" in spec.flags,
                                          isexec="x" in spec.flags,
                                          copysource=spec.copy_source)
            ctx = context.memctx(
                repo, (nodes[c.p1] if c.p1 >= 0 else None,
                       nodes[c.p2] if c.p2 >= 0 else None),
                c.message.encode(), list(c.files), filectx, user=c.user.encode(),
                date=(c.date, 0), branch=c.branch.encode())
            nodes.append(ctx.commit())
    return nodes[-1]


BACKENDS = {"amg": apply_amg, "hg": apply_hg}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.apply")
    parser.add_argument("backend", choices=sorted(BACKENDS))
    parser.add_argument("stream")
    parser.add_argument("seed", type=int)
    parser.add_argument("dest")
    args = parser.parse_args(argv)
    commits = list(Stream(args.stream, args.seed).commits())
    start = time.perf_counter()
    tip = BACKENDS[args.backend](args.dest, commits)
    print(f"BENCH_SECONDS={time.perf_counter() - start:.6f}")
    print(f"TIP={tip.hex()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
