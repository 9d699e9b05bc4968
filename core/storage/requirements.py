"""Repository requirements: ``.hg/requires`` and ``.hg/store/requires``.

A requirement names a format feature a client must understand to touch
the repository; a client that meets an unknown one must refuse.  With
``share-safe`` the working-copy requirements stay in ``.hg/requires`` and
the rest live in ``.hg/store/requires``; without it everything is in
``.hg/requires``.  Both files are sorted ASCII names, one per line.
"""
from __future__ import annotations

from amalgam.error import ConfigError, RepoError, RequirementError
from amalgam.vfs import VFS

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

    #: requirement -> (plugin name, enabled)
    Claims = Mapping[str, tuple[str, bool]]

REQUIRES = b"requires"
SHARE_SAFE = "share-safe"
STORE = "store"
FNCACHE = "fncache"
DOTENCODE = "dotencode"
GENERALDELTA = "generaldelta"
SPARSEREVLOG = "sparserevlog"
REVLOGV1 = "revlogv1"
ZSTD = "revlog-compression-zstd"

#: Requirements that describe the working copy; with share-safe they stay
#: in ``.hg/requires`` (every other one goes to the store's file).
WORKING_COPY_REQUIREMENTS = frozenset({
    SHARE_SAFE, "shared", "relshared", "exp-sparse", "dirstate-v2",
    "dirstate-tracked-key-v1",
})

#: What the kernel reads and writes correctly.  Left out on purpose:
#: ``persistent-nodemap`` (writers must keep the on-disk nodemap in step
#: with the changelog, which we do not) and ``dirstate-v2`` (not yet read).
KERNEL_REQUIREMENTS = frozenset({
    SHARE_SAFE, STORE, FNCACHE, DOTENCODE, GENERALDELTA, SPARSEREVLOG,
    REVLOGV1, ZSTD,
})

_MAX_REQUIRES_SIZE = 64 * 1024


def parse(data: bytes, source: str) -> set[str]:
    """Requirement names in the content of a requires file."""
    if len(data) > _MAX_REQUIRES_SIZE:
        raise RepoError(f"{source} is too large to be a requirements file")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise RepoError(f"{source} is corrupt (it is not ASCII)",
                        hint="restore it from a backup or another clone") from None
    names = set()
    for line in text.splitlines():
        name = line.strip()
        if not name:
            continue
        if not all(c.isalnum() or c in "-_." for c in name) or not name[0].isalnum():
            raise RepoError(f"{source} is corrupt (bad requirement {name!r})",
                            hint="restore it from a backup or another clone")
        names.add(name)
    return names


def format_requires(names: Iterable[str]) -> bytes:
    return b"".join(name.encode("ascii") + b"\n" for name in sorted(set(names)))


def read(hgvfs: VFS, storevfs: VFS | None = None) -> set[str]:
    """All requirements of the repository whose ``.hg`` is *hgvfs*.

    *storevfs* is the (unencoded) store directory; it defaults to
    ``.hg/store`` and matters for shares, whose store is elsewhere.
    """
    reqs = parse(hgvfs.tryread(REQUIRES), hgvfs.join(REQUIRES))
    if SHARE_SAFE in reqs:
        store = storevfs if storevfs is not None else VFS(hgvfs.join(b"store"))
        try:
            data = store.read(REQUIRES)
        except FileNotFoundError:
            raise RepoError(f"{store.join(REQUIRES)} is missing",
                            hint="the repository uses share-safe, which keeps its "
                                 "requirements there") from None
        reqs |= parse(data, store.join(REQUIRES))
    return reqs


def split(reqs: Iterable[str]) -> tuple[set[str], set[str]]:
    """``(.hg/requires, .hg/store/requires)`` contents for *reqs*."""
    names = set(reqs)
    if SHARE_SAFE not in names:
        return names, set()
    working = names & WORKING_COPY_REQUIREMENTS
    return working, names - working


def write(hgvfs: VFS, reqs: Iterable[str], storevfs: VFS | None = None) -> None:
    """Write the requires file(s) for *reqs*, atomically."""
    working, store = split(reqs)
    if store:
        target = storevfs if storevfs is not None else VFS(hgvfs.join(b"store"))
        target.write(REQUIRES, format_requires(store), atomictemp=True)
    hgvfs.write(REQUIRES, format_requires(working), atomictemp=True)


_FORMAT_DEFAULTS: dict[str, Any] = {
    "revlog-compression": ["zstd", "zlib"],
    "sparse-revlog": True,
    "generaldelta": True,
    "dotencode": True,
    "usefncache": True,
    "use-share-safe": True,
}


def _format_option(config: Any, name: str) -> Any:
    default = _FORMAT_DEFAULTS[name]
    if config is None:
        return default
    value = config.get("format", name, default)
    return default if value is None else value


def _zstd_available() -> bool:
    from importlib.util import find_spec

    return find_spec("zstandard") is not None


def compression_requirement(engines: str | Iterable[str]) -> str | None:
    """The requirement for the first usable engine of *engines* (None: zlib)."""
    if isinstance(engines, str):
        engines = [e for e in engines.replace(",", " ").split() if e]
    names = list(engines)
    for engine in names:
        if engine == "zstd":
            if _zstd_available():
                return ZSTD
        elif engine == "zlib":
            return None
        elif engine == "none":
            return "exp-compression-none"
        else:
            raise ConfigError(f"unknown compression engine '{engine}' in "
                              "format.revlog-compression",
                              hint="use zstd, zlib or none")
    raise ConfigError("no compression engine of format.revlog-compression "
                      f"({', '.join(names) or 'empty'}) is available",
                      hint="use zlib, which is always available")


def new_repo_requirements(config: Any = None) -> set[str]:
    """Requirements for a new repository, as hg 7.2.4 chooses them.

    *config* is anything with ``get(section, name, default)`` (an
    ``amalgam.config.Config``); ``format.*`` keys switch features off.
    """
    reqs = {REVLOGV1, STORE}
    if _format_option(config, "usefncache"):
        reqs.add(FNCACHE)
        if _format_option(config, "dotencode"):
            reqs.add(DOTENCODE)
    engine = compression_requirement(_format_option(config, "revlog-compression"))
    if engine is not None:
        reqs.add(engine)
    if _format_option(config, "generaldelta"):
        reqs.add(GENERALDELTA)
        # Sparse chains are built from general deltas, so hg drops
        # sparserevlog too when generaldelta is off.
        if _format_option(config, "sparse-revlog"):
            reqs.add(SPARSEREVLOG)
    if _format_option(config, "use-share-safe"):
        reqs.add(SHARE_SAFE)
    return reqs


def check_requirements(reqs: Iterable[str], claims: Claims | None = None,
                       supported: Iterable[str] = KERNEL_REQUIREMENTS) -> None:
    """Refuse a repository with a requirement nobody here understands.

    *claims* maps a requirement to ``(plugin name, enabled)`` for every
    plugin manifest that declares it; an enabled claim makes it supported,
    a disabled one turns into a hint to enable that plugin.
    """
    claims = claims or {}
    known = set(supported)
    missing = sorted(r for r in set(reqs) - known
                     if not (r in claims and claims[r][1]))
    if not missing:
        return
    hints: list[str] = []
    for req in missing:
        if req in claims:
            plugin = claims[req][0]
            hint = f"enable the '{plugin}' plugin ([plugins] {plugin} = true)"
            if hint not in hints:
                hints.append(hint)
    if len(hints) < len(missing):
        hints.append("upgrade Amalgam or install a plugin that supports "
                     + ", ".join(r for r in missing if r not in claims))
    raise RequirementError("repository requires features unknown to this version: "
                           + ", ".join(missing), hints=hints)
