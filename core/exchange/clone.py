"""Clone: create the destination, pull into it, record where it came from.

A clone that fails at any point removes the directory it created, so a
cut connection or a hostile source leaves nothing behind.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

from amalgam.error import Abort
from amalgam.exchange.peer import LocalPeer, peer as makepeer
from amalgam.exchange.pull import pull, resolve_heads

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


def default_dest(source: str) -> str:
    return os.path.basename(os.path.normpath(source.rstrip("/"))) or "."


def clone(ui: UI, source: str, dest: str, *, revs: Sequence[str] = (),
          branches: Sequence[str] = (), update: bool = True) -> Repository:
    """Clone *source* into the new repository *dest*, then check out hg's default."""
    from amalgam.repo import Repository

    src = makepeer(ui, source)
    dest_abs = os.path.abspath(dest)
    if os.path.exists(dest_abs) and (not os.path.isdir(dest_abs) or os.listdir(dest_abs)):
        raise Abort(f"destination '{dest}' is not empty")
    created = not os.path.exists(dest_abs)
    try:
        repo = Repository.create(dest_abs, ui, config=ui.config)
        heads = resolve_heads(src, revs, branches)
        hooks = getattr(ui, "hooks", None)
        if hooks is not None:
            hooks.exchange_clone_prestep(repo=repo, peer=src,
                                         opts={"rev": list(revs), "branch": list(branches)})
        pull(repo, src, ui, heads=heads, announce=False)
        url = src.repo.root if isinstance(src, LocalPeer) else source
        repo.vfs.write("hgrc", b"# example repository config (see 'amg help config')\n"
                               b"[paths]\ndefault = %s\n" % os.fsencode(url))
        if update:
            from amalgam.exchange.checkout import checkout, clone_target

            node, label = clone_target(repo, [src.lookup(r) for r in revs], list(branches))
            checkout(repo, ui, node, label)
    except BaseException:
        if created:
            shutil.rmtree(dest_abs, ignore_errors=True)
        else:
            shutil.rmtree(os.path.join(dest_abs, ".hg"), ignore_errors=True)
        raise
    return repo
