"""``amg grep``: search file contents in the working copy or in history."""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.commands.diff import WALK_OPTIONS
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("grep", [
    ("0", "print0", False, "end fields with NUL"),
    ("", "all", False, "search all revisions and print each change of a match"),
    ("a", "text", False, "treat all files as text"),
    ("i", "ignore-case", False, "ignore case when matching"),
    ("l", "files-with-matches", False, "print only filenames and revisions that match"),
    ("n", "line-number", False, "print matching line numbers"),
    ("r", "rev", [], "search files changed within revision range", "REV"),
    ("u", "user", False, "list the author (long with -v)"),
    ("d", "date", False, "list the date (short with -q)"),
    *WALK_OPTIONS,
], "[OPTION]... PATTERN [FILE]...", category="files")
def grep(ui: UI, repo: Repository, pattern: str, *pats: str, **opts: Any) -> int:
    """search for a regular expression in tracked files

    Without -r the files of the working copy are searched.  -r REV searches
    the files of REV; --all searches every revision and prints, for each
    changed file, the lines where a match appeared (+) or went away (-).
    PATTERN is a Python regular expression.

    Returns 0 if a match is found, 1 otherwise.
    """
    from amalgam.wc.match import match

    try:
        regex = re.compile(pattern.encode("utf-8", "surrogateescape"),
                           re.IGNORECASE if opts.get("ignore_case") else 0)
    except re.error as exc:
        ui.warn(f"grep: invalid match pattern: {exc}\n")
        return 1
    m = match(repo.root, os.getcwd(), pats, opts.get("include") or (),
              opts.get("exclude") or ())
    sep = b"\0" if opts.get("print0") else b":"
    end = b"\0" if opts.get("print0") else b"\n"
    found = False
    if opts.get("all"):
        for rev, path, sign, lineno, line in _history(repo, regex, m, opts):
            found = True
            _emit(ui, repo, opts, sep, end, path, rev, lineno, line, sign)
        return 0 if found else 1
    for rev, path, data in _sources(repo, m, opts):
        if not opts.get("text") and b"\0" in data:
            hit = _first_match(regex, data)
            if hit and opts.get("files_with_matches"):
                found = True
                ui.write(path, (sep + b"%d" % rev if rev is not None else b""), end)
            elif hit:
                found = True
                fields = [path] + ([b"%d" % rev] if rev is not None else [])
                if opts.get("line_number"):
                    fields.append(b"%d" % hit)
                ui.write(sep.join(fields) + sep + b" Binary file matches" + end)
            continue
        for lineno, line in _matches(regex, data):
            found = True
            if opts.get("files_with_matches"):
                ui.write(path, (sep + b"%d" % rev if rev is not None else b""), end)
                break
            _emit(ui, repo, opts, sep, end, path, rev, lineno, line, None)
    return 0 if found else 1


def _sources(repo: Repository, m: Any, opts: dict[str, Any]
             ) -> Iterator[tuple[int | None, bytes, bytes]]:
    """``(rev or None, path, content)`` of every file to search."""
    if opts.get("rev"):
        from amalgam.context import changectx
        from amalgam.revspec import revrange

        for rev in revrange(repo, opts["rev"]):
            ctx = changectx(repo, rev)
            for path in ctx.walk(m):
                yield rev, path, ctx.filectx(path).data()
        return
    from amalgam.wc import files as wfiles
    from amalgam.wc.dirstate import DirState

    ds = DirState.open(repo)
    for path in ds:
        entry = ds.get(path)
        if entry is None or entry.state == "r" or not m(path):
            continue
        try:
            data = wfiles.read(repo, path)
        except (OSError, error.AmalgamError):
            continue  # missing from disk or unreadable: nothing to search
        yield None, path, data


def _first_match(regex: re.Pattern[bytes], data: bytes) -> int:
    for lineno, _line in _matches(regex, data):
        return lineno
    return 0


def _matches(regex: re.Pattern[bytes], data: bytes) -> Iterator[tuple[int, bytes]]:
    for lineno, line in enumerate(data.split(b"\n"), 1):
        if regex.search(line):
            yield lineno, line


def _history(repo: Repository, regex: re.Pattern[bytes], m: Any, opts: dict[str, Any]
             ) -> Iterator[tuple[int, bytes, bytes, int, bytes]]:
    """Changes of matching lines, newest revision first: (rev, path, +/-, line no, line)."""
    import difflib

    from amalgam.context import changectx

    cl = repo.changelog
    for rev in range(len(cl) - 1, -1, -1):
        ctx = changectx(repo, rev)
        parent = ctx.p1()
        for path in sorted(ctx.files()):
            if not m(path) or path not in ctx:
                continue
            fctx = ctx.filectx(path)
            new = fctx.data()
            old = b""
            if path in parent:
                old = parent.filectx(path).data()
            binary = not opts.get("text") and b"\0" in new
            if binary:
                continue
            before = list(_matches(regex, old))
            after = list(_matches(regex, new))
            if opts.get("files_with_matches"):
                if before != after and after:
                    yield rev, path, b"+", 0, b""
                continue
            sm = difflib.SequenceMatcher(None, [ln for _n, ln in before],
                                         [ln for _n, ln in after], autojunk=False)
            for tag, i1, i2, j1, j2 in sm.get_opcodes():
                if tag == "equal":
                    continue
                for lineno, line in before[i1:i2]:
                    yield rev, path, b"-", lineno, line
                for lineno, line in after[j1:j2]:
                    yield rev, path, b"+", lineno, line


def _emit(ui: UI, repo: Repository, opts: dict[str, Any], sep: bytes, end: bytes,
          path: bytes, rev: int | None, lineno: int, line: bytes, sign: bytes | None) -> None:
    fields = [path]
    if rev is not None:
        fields.append(b"%d" % rev)
    if opts.get("files_with_matches"):
        ui.write(sep.join(fields + ([sign] if sign else [])), end)
        return
    if opts.get("line_number"):
        fields.append(b"%d" % lineno)
    if sign is not None:
        fields.append(sign)
    if (opts.get("user") or opts.get("date")) and rev is not None:
        from amalgam.commands.annotate import shortuser
        from amalgam.context import changectx
        from amalgam.display.dates import datestr, shortdate

        ctx = changectx(repo, rev)
        if opts.get("user"):
            user = ctx.user() if ui.verbose else shortuser(ctx.user())
            fields.append(user.encode("utf-8", "surrogateescape"))
        if opts.get("date"):
            fields.append((shortdate(ctx.date()) if ui.quiet
                           else datestr(ctx.date())).encode())
    ui.write(sep.join(fields) + sep + line + end)
