"""Replay one history both through ``hg commit`` and through our commit API.

A scenario is a list of :class:`Step`.  Each step names its parent
revisions and the files it changes; for merges it gives the complete
resulting file set.  :func:`build_hg` drives real hg in a working copy,
:func:`build_amg` calls ``Repository.commit_files``; the two repositories
must then be identical (see :func:`fingerprint`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from amalgam.repo import FileChange, Repository

USER = "Test User <test@example.com>"


@dataclass
class Step:
    files: dict[bytes, FileChange | None]
    message: str = "change"
    parent: int | None = None        # changelog rev; default: the previous step
    merge: int | None = None         # second parent rev; then *files* is the full result
    branch: str | None = None
    close: bool = False
    when: int = 1_700_000_000
    tz: int = 0
    extra: dict[str, str] = field(default_factory=dict)


class FormatConfig:
    """The bit of a Config that ``Repository.create`` reads."""

    def __init__(self, **values: object) -> None:
        self.values = values

    def get(self, section: str, name: str, default: object = None) -> object:
        return self.values.get(name, default) if section == "format" else default


def _write(root: Path, path: bytes, change: FileChange) -> None:
    target = root / os.fsdecode(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.exists():
        target.unlink()
    if change.flags == "l":
        os.symlink(change.data, os.fsencode(target))
        return
    target.write_bytes(change.data)
    target.chmod(0o755 if change.flags == "x" else 0o644)


def build_hg(hg, root: Path, steps: list[Step],
             init_args: tuple[str, ...] = ()) -> dict[int, set[bytes]]:
    """Run the steps with hg; returns, per merge step, the files it had to ``hg rm``.

    After ``hg merge`` a file only the other parent has is in the working
    copy or not depending on the merge; only the ones hg had to remove
    count as removed by the merge commit (the API's ``None``).
    """
    removed: dict[int, set[bytes]] = {}
    hg("init", *init_args, str(root))
    for number, step in enumerate(steps):
        parent = number - 1 if step.parent is None else step.parent
        if number:
            hg("update", "-q", "-C", "-r", str(parent), cwd=root)
        tracked = set(hg("files", "-0", cwd=root, check=False).out.split(b"\0")) - {b""}
        if step.merge is not None:
            # Copy tracing would add copies the step does not describe.
            hg("merge", "-q", "-y", "--tool", ":local", "--config", "merge.followcopies=0",
               "-r", str(step.merge), cwd=root, check=False)
            tracked = set(hg("files", "-0", cwd=root, check=False).out.split(b"\0")) - {b""}
            removed[number] = tracked - set(step.files)
            for path in sorted(removed[number]):
                hg("rm", "-q", "-f", os.fsdecode(path), cwd=root)
        for path, change in sorted(step.files.items()):
            name = os.fsdecode(path)
            if change is None:
                hg("rm", "-q", "-f", name, cwd=root)
                continue
            _write(root, path, change)
            if path not in tracked:
                hg("add", "-q", name, cwd=root)
            if change.copy_source is not None:
                hg("copy", "-q", "--after", "-f", os.fsdecode(change.copy_source), name,
                   cwd=root)
        if step.branch is not None:
            hg("branch", "-q", "-f", step.branch, cwd=root)
        args = ["commit", "-q", "-u", USER, "-d", f"{step.when} {step.tz}",
                "-m", step.message, "--config", "ui.allowemptycommit=1"]
        if step.close:
            args.append("--close-branch")
        hg(*args, cwd=root)
        for leftover in root.glob("**/*.orig"):
            leftover.unlink()
    return removed


def build_amg(root: Path, steps: list[Step], removed: dict[int, set[bytes]],
              config: object = None) -> Repository:
    """Run the steps through the commit API; *removed* comes from :func:`build_hg`."""
    repo = Repository.create(str(root), config=config)
    for number, step in enumerate(steps):
        parent = number - 1 if step.parent is None else step.parent
        p1 = repo.changelog.revlog.node(parent)
        p2 = repo.changelog.revlog.node(step.merge) if step.merge is not None else None
        files = dict(step.files)
        if p2 is not None:
            for path in [*repo.manifest_of(p1), *removed[number]]:
                files.setdefault(path, None)
        branch = step.branch or (repo.read_changeset(p1).branch if number else "default")
        extra = dict(step.extra)
        if step.close:
            extra["close"] = "1"
        kwargs = {"p2": p2} if p2 is not None else {}
        repo.commit_files(files, p1=p1, user=USER, date=(step.when, step.tz),
                          message=step.message, branch=branch, extra=extra, **kwargs)
    return repo


def fingerprint(hg, root: Path) -> dict[str, object]:
    """hg's own account of every changeset, plus every revlog index entry.

    Index entries are compared by node, parent nodes (in stored order) and
    linkrev; how a revision is stored (delta base, compression) may differ.
    """
    repo = Repository.open(str(root))
    result: dict[str, object] = {"log": hg("log", "--debug", "-r", "all()", cwd=root).out}
    revlogs = {"changelog": repo.changelog.revlog, "manifest": repo.manifestlog.revlog}
    for entry in repo.store.fncache_entries():
        if entry.endswith(b".i"):
            revlogs[os.fsdecode(entry)] = repo.file(entry[5:-2]).revlog
    for name, revlog in revlogs.items():
        result[name] = [(revlog.node(r).hex(), *(revlog.node(p).hex() for p in
                         revlog.parentrevs(r)), revlog.linkrev(r)) for r in range(len(revlog))]
    return result


def store_files(root: Path) -> list[str]:
    store = root / ".hg" / "store"
    return sorted(str(p.relative_to(store)) for p in store.rglob("*")
                  if p.is_file() and not p.name.startswith(("undo", "journal", "lock")))

