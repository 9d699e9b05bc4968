"""Clone: create the destination, fill it, record where it came from.

A local source is copied (``localclone``) unless ``--pull``, ``-r`` or
``-b`` ask for the pull protocol or the source cannot be copied now;
anything else is pulled (or streamed).

A clone that fails at any point removes every directory it created (the
destination and any parents it had to make), so a cut connection or a
hostile source leaves nothing behind.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

from amalgam.error import Abort
from amalgam.exchange.peer import LocalPeer, peer as makepeer
from amalgam.exchange.pull import pull, resolve_heads, stream_pull, supports_stream

if TYPE_CHECKING:
    from amalgam.exchange.peer import Peer
    from amalgam.repo import Repository
    from amalgam.ui import UI


def default_dest(source: str) -> str:
    """The last path component of *source* (for a URL without a path, its host)."""
    if "://" in source:
        from urllib.parse import urlsplit

        parts = urlsplit(source)
        name = os.path.basename(parts.path.rstrip("/"))
        return name or parts.hostname or "."
    return os.path.basename(os.path.normpath(source.rstrip("/"))) or "."


def display_url(url: str) -> str:
    """*url* without its password (hg records clone sources the same way)."""
    if "://" not in url or "@" not in url.split("://", 1)[1].split("/", 1)[0]:
        return url
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo = parts.netloc.rpartition("@")[0].partition(":")[0]
    netloc = userinfo + "@" + parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _first_missing(path: str) -> str | None:
    """The outermost directory of *path* that does not exist yet (None: it exists)."""
    if os.path.exists(path):
        return None
    top = path
    parent = os.path.dirname(top)
    while parent != top and not os.path.exists(parent):
        top, parent = parent, os.path.dirname(parent)
    return top


def clone(ui: UI, source: str, dest: str, *, revs: Sequence[str] = (),
          branches: Sequence[str] = (), update: bool = True,
          stream: bool = False, pull_protocol: bool = False) -> Repository:
    """Clone *source* into the new repository *dest*, then check out hg's default."""
    dest_abs = os.path.abspath(dest)
    if os.path.exists(dest_abs) and (not os.path.isdir(dest_abs) or os.listdir(dest_abs)):
        raise Abort(f"destination '{dest}' is not empty")
    src = makepeer(ui, source)
    created = _first_missing(dest_abs)
    try:
        copied = None
        if isinstance(src, LocalPeer) and not (pull_protocol or revs or branches):
            from amalgam.exchange import localclone

            copied = localclone.copy(ui, src.repo, dest_abs)
        repo = copied if copied is not None else _pull_into(ui, src, dest_abs, revs,
                                                             branches, stream)
        url = src.repo.root if isinstance(src, LocalPeer) else display_url(source)
        repo.vfs.write("hgrc", b"# example repository config (see 'amg help config')\n"
                               b"[paths]\ndefault = %s\n" % os.fsencode(url))
        if update:
            from amalgam.exchange.checkout import checkout, clone_target

            node, label = clone_target(repo, [src.lookup(r) for r in revs], list(branches))
            checkout(repo, ui, node, label)
        else:
            repo.vfs.write("branch", b"default\n")  # hg's empty working copy says so too
    except BaseException:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        else:
            shutil.rmtree(os.path.join(dest_abs, ".hg"), ignore_errors=True)
        raise
    finally:
        src.close()
    return repo


def _pull_into(ui: UI, src: Peer, dest: str, revs: Sequence[str], branches: Sequence[str],
               stream: bool) -> Repository:
    """Create *dest* and pull (or stream) *src*'s changesets into it."""
    from amalgam.repo import Repository

    repo = Repository.create(dest, ui, config=ui.config)
    heads = resolve_heads(src, revs, branches)
    hooks = getattr(ui, "hooks", None)
    if hooks is not None:
        hooks.exchange_clone_prestep(repo=repo, peer=src,
                                     opts={"rev": list(revs), "branch": list(branches)})
    if stream and heads is None and supports_stream(src):
        return stream_pull(repo, src, ui)
    pull(repo, src, ui, heads=heads, announce=False)
    return repo
