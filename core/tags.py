"""Tags: global ones from ``.hgtags`` on every head, local ones from ``.hg/localtags``.

Each ``.hgtags`` line is ``HEXNODE NAME``; a later line for the same name
moves the tag, and the node ids it had before form its history.  When heads
disagree, hg's precedence applies: a head's value wins unless the other
value already superseded it (it is in this value's history) and has the
longer history.  A tag pointing at the null node is a removed tag.  Nothing
is cached on disk: hg's ``.hg/cache/tags2*`` files are not written.
"""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from amalgam.node import Node, bin, nullid

if TYPE_CHECKING:
    from amalgam.repo import Repository

#: name -> (node, earlier nodes of the tag, oldest first)
TagMap = dict[str, tuple[Node, list[Node]]]

_cache: weakref.WeakKeyDictionary[Repository, _Cached] = weakref.WeakKeyDictionary()


class _Cached:
    """Tags computed for one changelog tip and one ``localtags`` file state."""

    __slots__ = ("key", "found", "kinds", "_bynode")

    def __init__(self, key: object, found: dict[str, Node], kinds: dict[str, str]) -> None:
        self.key, self.found, self.kinds = key, found, kinds
        self._bynode: dict[Node, list[str]] | None = None

    def bynode(self) -> dict[Node, list[str]]:
        if self._bynode is None:
            result: dict[Node, list[str]] = {}
            for name in sorted(self.found):
                result.setdefault(self.found[name], []).append(name)
            self._bynode = result
        return self._bynode


def parse(data: bytes, source: str, warn: object = None) -> TagMap:
    """Parse one tags file; malformed lines are reported through *warn* and skipped."""
    found: TagMap = {}
    for lineno, raw in enumerate(data.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        hexnode, sep, name = line.partition(b" ")
        try:
            node = bin(hexnode)
        except ValueError:
            node = None
        if node is None or not sep:
            if callable(warn):
                warn(f"{source}, line {lineno}: "
                     f"{'node' if sep else 'cannot parse entry'}"
                     f"{' ' + repr(hexnode.decode('ascii', 'replace')) if sep else ''}"
                     f"{' is not well formed' if sep else ''}\n")
            continue
        text = name.strip().decode("utf-8", "surrogateescape")
        previous = found.get(text)
        history = previous[1] + [previous[0]] if previous else []
        found[text] = (node, history)
    return found


def _merge(incoming: TagMap, alltags: TagMap) -> None:
    """Fold *incoming* (a higher-precedence source) into *alltags*, hg's rule."""
    for name, (anode, ahist) in incoming.items():
        if name not in alltags:
            alltags[name] = (anode, list(ahist))
            continue
        bnode, bhist = alltags[name]
        if bnode != anode and anode in bhist and (bnode not in ahist or len(bhist) > len(ahist)):
            anode = bnode
        merged = list(ahist) + [n for n in bhist if n not in ahist]
        alltags[name] = (anode, merged)


#: ``.hg/cache`` file remembering the heads' ``.hgtags`` nodes for one tip.
_FNODES_CACHE = "cache/amalgam-hgtags-fnodes"


def _hgtags_nodes(repo: Repository) -> list[Node]:
    """The distinct ``.hgtags`` file nodes of the heads, lowest precedence first.

    Finding them reads every head's manifest, so the answer is kept in
    ``.hg/cache`` for the current tip (any commit, pull or strip moves the
    tip and so invalidates it); a damaged cache is simply recomputed.
    """
    if not len(repo.file(b".hgtags")):
        return []  # never tagged: no head's manifest needs reading
    cl = repo.changelog.revlog
    key = b"%d %s\n" % (len(cl), cl.node(len(cl) - 1).hex().encode())
    cached = repo.vfs.tryread(_FNODES_CACHE)
    if cached.startswith(key):
        rest = cached[len(key):]
        if len(rest) % 20 == 0:
            return [Node(rest[i:i + 20]) for i in range(0, len(rest), 20)]
    fnodes = _scan_heads(repo)
    try:
        repo.vfs.write(_FNODES_CACHE, key + b"".join(fnodes), atomictemp=True)
    except OSError:
        pass  # a read-only repository just recomputes next time
    return fnodes


def _scan_heads(repo: Repository) -> list[Node]:
    cl = repo.changelog.revlog
    seen: set[Node] = set()
    fnodes: list[Node] = []
    for rev in cl.headrevs():
        if rev < 0:
            continue
        entry = repo.manifest_of(cl.node(rev)).get(b".hgtags")
        if entry is not None and entry[0] not in seen:
            seen.add(entry[0])
            fnodes.append(entry[0])
    return fnodes


def _compute(repo: Repository) -> tuple[dict[str, Node], dict[str, str]]:
    cl = repo.changelog.revlog
    alltags: TagMap = {}
    flog = repo.file(b".hgtags")
    for fnode in _hgtags_nodes(repo):
        _merge(parse(flog.read(fnode), ".hgtags@" + fnode.hex()[:12], repo.ui.warn), alltags)
    kinds = {name: "global" for name in alltags}
    local = parse(repo.vfs.tryread("localtags"), "localtags", repo.ui.warn)
    _merge(local, alltags)
    kinds.update({name: "local" for name in local})
    result = {name: node for name, (node, _hist) in alltags.items()
              if node != nullid and cl.hasnode(node)}
    result["tip"] = cl.node(len(cl) - 1) if len(cl) else nullid
    # Removed tags keep their type: hg still knows them (and says "already removed").
    return result, kinds


def _key(repo: Repository) -> object:
    # A stat, not a read: log asks for the tags of every changeset it shows.
    cl = repo.changelog.revlog
    try:
        st = repo.vfs.stat("localtags")
        local: object = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
    except OSError:
        local = None
    return (len(cl), cl.node(len(cl) - 1) if len(cl) else nullid, local)


def _entry(repo: Repository) -> _Cached:
    key = _key(repo)
    cached = _cache.get(repo)
    if cached is None or cached.key != key:
        cached = _Cached(key, *_compute(repo))
        _cache[repo] = cached
    return cached


def _lookup(repo: Repository) -> tuple[dict[str, Node], dict[str, str]]:
    cached = _entry(repo)
    return cached.found, cached.kinds


def tags(repo: Repository) -> dict[str, Node]:
    """Every tag (``tip`` included) -> node."""
    return dict(_lookup(repo)[0])


def tagtype(repo: Repository, name: str) -> str | None:
    """``"global"``, ``"local"``, or None for ``tip`` and names never tagged.

    A removed tag (last pointing at the null node) keeps its type.
    """
    return _lookup(repo)[1].get(name)


def nodetags(repo: Repository, node: Node) -> list[str]:
    """Tags on *node*, sorted by name."""
    return list(_entry(repo).bynode().get(node, ()))


def bynode(repo: Repository) -> dict[Node, list[str]]:
    """Node -> its tags sorted by name, for showing many changesets' tags at once."""
    return {node: list(names) for node, names in _entry(repo).bynode().items()}

