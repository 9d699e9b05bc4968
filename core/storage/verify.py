"""``verify``: check every revision and the cross references between revlogs.

Four passes, as hg runs them: changesets (hash, parents, linkrev, entry
syntax), manifests (hash, linkrev against the changesets naming them, and
the file nodes they list), a cross check of file names between changesets
and manifests, and files (hash, linkrev, copy sources, membership in
manifests, fncache).  Each problem is one line on stderr; the count and the
first damaged changeset end the report.  Each revlog is read once, in order,
every text built from its base's (Revlog.iter_texts); a revision that path
cannot give is read with ``revision()``, whose error is the one reported.
"""
from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from amalgam.node import Node, nullid, nullrev, short
from amalgam.storage.changelog import parse_entry
from amalgam.storage.filelog import META_MARKER, Filelog, parse_meta
from amalgam.storage.manifest import Manifest

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI

#: a delta hunk's header: start, end (in the base text) and data length
_HUNK = struct.Struct(">lll")


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
            entry = revlog.index_entry(rev)
            linkrev, p1, p2 = entry.linkrev, entry.p1, entry.p2
            # deltaparent() from the entry at hand
            base = (nullrev if entry.base == rev else
                    entry.base if revlog.generaldelta else rev - 1)
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
        for rev, text, _base, _delta in revlog.iter_texts():
            linkrev = self._check_entry(revlog, rev, "changelog")
            if linkrev is not None and linkrev != rev:
                self._err(rev, f"changeset linkrev is {linkrev}, not its own revision",
                          "changelog")
            if text is None:
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
        # Texts of revisions whose children come later, until the last one.
        texts: dict[int, tuple[bytes, bool]] = {}
        lastchild = _last_children(revlog, count)
        for rev, text, base, delta in revlog.iter_texts():
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
            if text is None:
                text = self._read(revlog, rev, linkrev, "manifest")
                if text is None:
                    continue
            try:
                Manifest(text)  # the same validation as any reader's
                p1 = revlog.parentrevs(rev)[0]
                parent = texts.get(p1) if p1 >= 0 else (b"", True)
                if lastchild.get(p1) == rev:
                    texts.pop(p1, None)
                if parent is None:
                    parent_text = Manifest(revlog.revision(p1)).text()
                    parent = (parent_text, _is_ordered(parent_text))
                hunks = delta if base == p1 and delta is not None else None
                added, ordered = _added_entries(*parent, text, hunks)
            except Exception as exc:
                self._err(linkrev, f"unreadable manifest {short(node)}: {_describe(exc)}",
                          "manifest")
                continue
            if rev in lastchild:
                texts[rev] = (text, ordered)
            owners = set(links) if links else {linkrev}
            for path, new in added.items():
                self.file_nodes.setdefault(path, {}).setdefault(new, set()).update(owners)
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
        for rev, text, _base, _delta in flog.revlog.iter_texts():
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
            if text is None:
                text = self._read(flog.revlog, rev, linkrev, name)
            if text is not None and text.startswith(META_MARKER):  # else no copy metadata
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


def _last_children(revlog: Any, count: int) -> dict[int, int]:
    """``{rev: its last child through p1}``: how long a manifest's text is needed."""
    last: dict[int, int] = {}
    for rev in range(count):
        try:
            last[revlog.parentrevs(rev)[0]] = rev
        except Exception:
            continue  # the entry check reports it
    return last


def _region_lines(text: bytes, spans: list[tuple[int, int]]) -> tuple[list[bytes], bool]:
    """The lines of *text* touching each ``[start, end)`` span (or its position when
    empty), and whether each run of them is strictly ordered, neighbours included."""
    size = len(text)
    lines: list[bytes] = []
    ordered = True
    for start, end in spans:
        first = text.rfind(b"\n", 0, start) + 1
        # (a manifest ends with a newline: a span reaching the end ends on it)
        last = text.find(b"\n", min(end, size - 1))
        last = size if last < 0 else last
        # a span at the very end of the text touches no line
        run = text[first:last].split(b"\n") if first < size else []
        if first > 0:
            run.insert(0, text[text.rfind(b"\n", 0, first - 1) + 1:first - 1])
        if last + 1 < size:
            run.append(text[last + 1:text.find(b"\n", last + 1)])
        ordered = ordered and run == sorted(set(run))  # strictly increasing
        lines += run
    return lines, ordered


def _has_line(text: bytes, line: bytes) -> bool:
    return text.startswith(line + b"\n") or b"\n" + line + b"\n" in text


def _is_ordered(text: bytes) -> bool:
    lines = text.split(b"\n")[:-1]
    return lines == sorted(set(lines))  # strictly increasing


def _added_entries(parent: bytes, parent_ordered: bool, text: bytes,
                   delta: bytes | None) -> tuple[dict[bytes, Node], bool]:
    """``{path: node}`` of the manifest lines of *text* that are not lines of
    *parent*, and whether the lines of *text* are strictly ordered.

    The lines of both are compared as sets, as Manifest.diff does, and every
    changed line on either side is parsed (so a malformed one raises).  With
    *delta*, the stored delta from *parent* to *text*, only the lines its
    hunks touch can differ, so only those are compared.  A line outside them
    could match one inside only if a text repeated a line; texts whose
    lines are strictly ordered cannot, and any other has each candidate
    looked up in the whole other text.
    """
    if delta is None:
        mine, theirs = set(parent.split(b"\n")), set(text.split(b"\n"))
        removed, added = mine - theirs, theirs - mine
        ordered = _is_ordered(text)
    else:
        old_spans, new_spans = [], []
        pos = shift = 0
        while pos < len(delta):
            start, end, length = _HUNK.unpack_from(delta, pos)
            pos += _HUNK.size + length
            old_spans.append((start, end))
            new_spans.append((start + shift, start + shift + length))
            shift += length - (end - start)
        old, _ = _region_lines(parent, old_spans)
        new, ordered = _region_lines(text, new_spans)
        ordered = ordered and parent_ordered
        mine, theirs = set(old), set(new)
        removed, added = mine - theirs, theirs - mine
        if not parent_ordered:
            removed = {line for line in removed if not _has_line(text, line)}
        if not ordered:
            added = {line for line in added if not _has_line(parent, line)}
    removed.discard(b"")
    added.discard(b"")
    for line in removed:
        Manifest._parse_line(line)
    result: dict[bytes, Node] = {}
    for line in added:
        path, (node, _flags) = Manifest._parse_line(line)
        result[path] = node
    return result, ordered


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
