"""``amg cat``: print files as of a revision."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.commands.diff import WALK_OPTIONS
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("cat", [
    ("o", "output", "", "print output to file with formatted name", "FORMAT"),
    ("r", "rev", "", "print the given revision", "REV"),
    ("", "decode", False, "apply any matching decode filter"),
    *WALK_OPTIONS,
], "[OPTION]... FILE...", category="files")
def cat(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """print the content of files as of a revision

    Without -r the working copy's parent is used.  -o writes each file to a
    file whose name is built from FORMAT: %s basename, %d dirname, %p path,
    %H full hash, %R revision number, %h short hash, %r zero-padded
    revision number, %b repository basename, %% a percent sign.

    Returns 0 when at least one file was printed.
    """
    from amalgam.context import changectx
    from amalgam.revspec import revsingle
    from amalgam.wc.match import match

    if not pats:
        raise error.InputError("invalid arguments", hint="see 'amg help cat'")
    ctx = changectx(repo, revsingle(repo, opts.get("rev") or "."))
    cwd = os.getcwd()
    m = match(repo.root, cwd, pats, opts.get("include") or (), opts.get("exclude") or ())
    fmt = opts.get("output") or ""
    found = False
    for path in ctx.walk(m):
        found = True
        data = ctx.filectx(path).data()
        if fmt and fmt != "-":
            target = os.path.join(cwd, output_name(repo, ctx, fmt, path))
            os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(data)
        else:
            ui.write(data)
    manifest = ctx.manifest()
    for path in m.files():
        if path not in manifest and not any(p.startswith(path + b"/") for p in m.files()
                                             if p != path):
            if not _has_dir(manifest, path):
                ui.warn(f"{m.uipath(path)}: no such file in rev {ctx.short()}\n")
    return 0 if found else 1


def _has_dir(manifest: Any, path: bytes) -> bool:
    prefix = path + b"/"
    return any(p.startswith(prefix) for p in manifest)


def output_name(repo: Repository, ctx: Any, fmt: str, path: bytes) -> str:
    """Expand hg's output-file format specifications for *path* in *ctx*."""
    text = os.fsdecode(path)
    width = len(str(max(len(repo) - 1, 0)))
    values = {
        "s": os.path.basename(text), "d": os.path.dirname(text) or ".", "p": text,
        "H": ctx.hex(), "R": str(ctx.rev), "h": ctx.short(),
        "r": str(ctx.rev).zfill(width), "b": os.path.basename(repo.root), "%": "%",
    }
    out: list[str] = []
    pos = 0
    while pos < len(fmt):
        char = fmt[pos]
        if char == "%":
            key = fmt[pos + 1:pos + 2]
            if key not in values:
                raise error.InputError(f"invalid format spec '%{key}' in output filename")
            out.append(values[key])
            pos += 2
            continue
        out.append(char)
        pos += 1
    return "".join(out)
