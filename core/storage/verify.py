"""``verify``: check every revision and the cross references between revlogs.

Four passes, as hg runs them: changesets (hash, parents, linkrev, entry
syntax), manifests (hash, linkrev against the changesets naming them, and
the file nodes they list), a cross check of file names between changesets
and manifests, and files (hash, linkrev, copy sources, membership in
manifests, fncache).  Each problem is one line on stderr; the count and the
first damaged changeset end the report.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from amalgam.node import Node, nullid, nullrev, short
from amalgam.storage.changelog import parse_entry
from amalgam.storage.filelog import Filelog, parse_meta
from amalgam.storage.manifest import Manifest

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


class Verifier:
    """One run of ``verify`` over *repo*."""

    def __init__(self, repo: Repository, ui: UI) -> None:
        self.repo = repo
        self.ui = ui
        self.errors = 0
        self.warnings = 0
        self.badrevs: set[int] = set()
        # changeset revs naming each manifest node, and each file name
        self.manifest_links: dict[Node, list[int]] = {}
        self.changed_files: dict[bytes, list[int]] = {}
        # file path -> {file node: changeset revs whose manifest introduces it}
        self.file_nodes: dict[bytes, dict[Node, set[int]]] = {}
        self.revisions = 0
        self.fncache_incomplete = False

    # -- reporting -----------------------------------------------------------

    def _err(self, linkrev: int | None, message: str, where: str = "") -> None:
        if linkrev is not None and linkrev >= 0:
            self.badrevs.add(linkrev)
            at = str(linkrev)
        else:
            at = "?"
        prefix = f"{where}@{at}" if where else at
        self.ui.warn(f" {prefix}: {message}\n")
        self.errors += 1

    def _warn(self, message: str) -> None:
        self.ui.warn(f"warning: {message}\n")
        self.warnings += 1

    def _read(self, revlog: Any, rev: int, linkrev: int | None, where: str) -> bytes | None:
        """A revision's checked text, or None after reporting why it is unreadable."""
        try:
            return revlog.revision(rev)
        except Exception as exc:  # any damage must become a report line, not a crash
            node = _safe(lambda: short(revlog.node(rev)), f"rev {rev}")
            self._err(linkrev, f"unpacking {node}: {_describe(exc)}", where)
            return None

    def _check_entry(self, revlog: Any, rev: int, where: str) -> int | None:
        """Index-level checks shared by all revlogs; returns the linkrev."""
        try:
            linkrev = revlog.linkrev(rev)
            p1, p2 = revlog.parentrevs(rev)
            base = revlog.deltaparent(rev)
        except Exception as exc:
            self._err(None, f"unreadable index entry {rev}: {_describe(exc)}", where)
            return None
        if not (p1 < rev and p2 < rev) or min(p1, p2) < nullrev:
            self._err(linkrev, f"revision {rev} has a parent out of range ({p1}, {p2})", where)
        if base >= rev or base < nullrev:
            self._err(linkrev, f"revision {rev} has delta base {base} out of range", where)
        return linkrev

    # -- passes --------------------------------------------------------------

    def verify(self) -> int:
        """Run every pass; returns 1 when integrity errors were found."""
        ui = self.ui
        ui.status("checking changesets\n")
        changesets = self._changesets()
        ui.status("checking manifests\n")
        self._manifests(changesets)
        ui.status("crosschecking files in changesets and manifests\n")
        self._crosscheck()
        ui.status("checking files\n")
        files = self._files()
        if self.errors:
            ui.warn("not checking dirstate because of previous errors\n")
        else:
            ui.status("checking dirstate\n")
            self._dirstate()
        ui.status(f"checked {changesets} changesets with {self.revisions} changes "
                  f"to {files} files\n")
        if self.warnings:
            ui.warn(f"{self.warnings} warnings encountered!\n")
        if self.fncache_incomplete:
            ui.warn("(rebuild the fncache, e.g. with 'hg debugrebuildfncache')\n")
        if self.errors:
            ui.warn(f"{self.errors} integrity errors encountered!\n")
            if self.badrevs:
                ui.warn(f"(first damaged changeset appears to be {min(self.badrevs)})\n")
            return 1
        return 0

    def _changesets(self) -> int:
        try:
            revlog = self.repo.changelog.revlog
            count = len(revlog)
        except Exception as exc:
            self._err(None, f"cannot read the changelog: {_describe(exc)}", "changelog")
            return 0
        for rev in range(count):
            linkrev = self._check_entry(revlog, rev, "changelog")
            if linkrev is not None and linkrev != rev:
                self._err(rev, f"changeset linkrev is {linkrev}, not its own revision",
                          "changelog")
            text = self._read(revlog, rev, rev, "changelog")
            if text is None:
                continue
            try:
                entry = parse_entry(text)
            except Exception as exc:
                self._err(rev, f"unparsable changeset: {_describe(exc)}", "changelog")
                continue
            self.manifest_links.setdefault(entry.manifest, []).append(rev)
            for path in entry.files:
                self.changed_files.setdefault(path, []).append(rev)
        return count

    def _manifests(self, changesets: int) -> None:
        try:
            revlog = self.repo.manifestlog.revlog
            count = len(revlog)
        except Exception as exc:
            self._err(None, f"cannot read the manifest: {_describe(exc)}", "manifest")
            return
        seen: set[Node] = set()
        texts: dict[int, Manifest] = {}
        for rev in range(count):
            linkrev = self._check_entry(revlog, rev, "manifest")
            node = _safe(lambda: revlog.node(rev), None)
            if node is None:
                continue
            seen.add(node)
            links = self.manifest_links.get(node)
            if links is None:
                self._err(linkrev, f"{short(node)} not in changesets", "manifest")
            elif linkrev not in links:
                self._err(linkrev, f"manifest {short(node)} has linkrev {linkrev}, "
                          f"expected one of {sorted(links)[:3]}", "manifest")
            text = self._read(revlog, rev, linkrev, "manifest")
            if text is None:
                continue
            try:
                manifest = Manifest(text)
                p1 = revlog.parentrevs(rev)[0]
                parent = texts.pop(p1, None) if p1 >= 0 else Manifest()
                if parent is None:
                    parent = Manifest(revlog.revision(p1))
                changed = parent.diff(manifest)
            except Exception as exc:
                self._err(linkrev, f"unreadable manifest {short(node)}: {_describe(exc)}",
                          "manifest")
                continue
            texts[rev] = manifest
            owners = set(links) if links else {linkrev}
            for path, (_old, new) in changed.items():
                if new is not None:
                    self.file_nodes.setdefault(path, {}).setdefault(new[0], set()).update(owners)
        for node, links in self.manifest_links.items():
            if node != nullid and node not in seen:
                self._err(min(links), f"changeset refers to unknown manifest {short(node)}",
                          "changelog")

    def _crosscheck(self) -> None:
        for path in sorted(set(self.changed_files) - set(self.file_nodes)):
            self._err(min(self.changed_files[path]), "in changeset but not in manifest",
                      _name(path))
        for path in sorted(set(self.file_nodes) - set(self.changed_files)):
            self._err(_first(self.file_nodes[path]), "in manifest but not in changeset",
                      _name(path))

    def _files(self) -> int:
        store = self.repo.store
        fncache = set(store.fncache_entries()) if store.fncache is not None else None
        paths = set(self.file_nodes) | set(self.changed_files)
        if fncache is not None:
            listed = {p[5:-2] for p in fncache if p.startswith(b"data/") and p.endswith(b".i")}
            for path in sorted(listed - paths):
                if not self.repo.svfs.exists(b"data/" + path + b".i"):
                    # Listed but gone (a strip emptied it): harmless, as for hg.
                    self._warn(f"orphan data file 'data/{_name(path)}.i'")
                    continue
                paths.add(path)
        for path in sorted(paths):
            self._file(path, fncache)
        return len(paths)

    def _file(self, path: bytes, fncache: set[bytes] | None) -> None:
        name = _name(path)
        expected = self.file_nodes.get(path, {})
        try:
            flog = self.repo.file(path)
            count = len(flog)
        except Exception as exc:
            self._err(_first(expected), f"cannot read filelog: {_describe(exc)}", name)
            return
        if count == 0:
            self._err(_first(expected), f"empty or missing {name}")
        elif fncache is not None:
            for suffix in (b".i", b".d"):
                logical = b"data/" + path + suffix
                if logical not in fncache and self.repo.svfs.exists(logical):
                    self._warn(f"revlog '{logical.decode('utf-8', 'replace')}' is missing "
                               "from the fncache")
                    self.fncache_incomplete = True
        seen: set[Node] = set()
        for rev in range(count):
            self.revisions += 1
            linkrev = self._check_entry(flog.revlog, rev, name)
            node = _safe(lambda: flog.node(rev), None)
            if node is None:
                continue
            seen.add(node)
            if node not in expected:
                self._err(linkrev, f"{short(node)} not in manifests", name)
            elif linkrev not in expected[node]:
                self._err(linkrev, f"file revision {short(node)} points to changeset "
                          f"{linkrev}, expected {min(expected[node])}", name)
            text = self._read(flog.revlog, rev, linkrev, name)
            if text is not None:
                self._check_copy(flog, node, text, linkrev, name)
        for node, owners in sorted(expected.items(), key=lambda item: min(item[1])):
            if node not in seen:
                self._err(min(owners), f"manifest refers to unknown revision {short(node)}",
                          name)

    def _check_copy(self, flog: Filelog, node: Node, text: bytes, linkrev: int | None,
                    name: str) -> None:
        try:
            meta = parse_meta(text)[0] or {}
            source = flog.renamed(node) if b"copy" in meta else None
        except Exception as exc:
            self._err(linkrev, f"bad copy metadata in {short(node)}: {_describe(exc)}", name)
            return
        if source is None:
            return
        path, srcnode = source
        try:
            self.repo.file(path).rev(srcnode)
        except Exception:
            self._err(linkrev, f"copy source {_name(path)}:{short(srcnode)} not found", name)

    def _dirstate(self) -> None:
        revlog = self.repo.changelog.revlog
        for parent in self.repo.dirstate_parents():
            if parent != nullid and not revlog.hasnode(parent):
                self._err(None, f"dirstate parent {short(parent)} is not in the changelog",
                          "dirstate")


def _first(nodes: dict[Node, set[int]]) -> int | None:
    """The earliest changeset among those introducing any of *nodes*."""
    return min((min(owners) for owners in nodes.values()), default=None)


def _name(path: bytes) -> str:
    return path.decode("utf-8", "surrogateescape")


def _describe(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return message


def _safe(func: Callable[[], Any], default: Any) -> Any:
    try:
        return func()
    except Exception:
        return default


def verify(repo: Repository, ui: UI) -> int:
    """Check *repo*; print hg-style progress and problems; 1 if damaged, else 0."""
    return Verifier(repo, ui).verify()
