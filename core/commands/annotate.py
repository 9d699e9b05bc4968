"""``amg annotate``: show which changeset last changed each line of files."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.commands.diff import WALK_OPTIONS
from amalgam.registrar import TEMPLATE_OPTION, command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("annotate|blame", [
    ("r", "rev", "", "annotate the specified revision", "REV"),
    ("", "follow", False, "follow copies/renames and list the filename (DEPRECATED)"),
    ("a", "text", False, "treat all files as text"),
    ("u", "user", False, "list the author (long with -v)"),
    ("f", "file", False, "list the filename"),
    ("d", "date", False, "list the date (short with -q)"),
    ("n", "number", False, "list the revision number (default)"),
    ("c", "changeset", False, "list the changeset"),
    ("l", "line-number", False, "show line number at the first appearance"),
    *WALK_OPTIONS,
    TEMPLATE_OPTION,
], "[-r REV] [-f] [-a] [-u] [-d] [-n] [-c] [-l] FILE...", category="files",
    helpbasic=True)
def annotate(ui: UI, repo: Repository, *pats: str, **opts: Any) -> int:
    """show the changeset that last changed each line of files

    Each line is prefixed by the revision number (-n, the default), the
    author (-u), the date (-d), the changeset id (-c) and the file name
    (-f) of the change that introduced it; -l adds the line number it had
    there.  History is followed across copies and renames.  Binary files
    are skipped unless -a is given.  -T formats each file (keywords
    ``path`` and ``lines``, whose items have ``line``, ``rev``, ``node``,
    ``user``, ``date``, ``path``, ``lineno`` and the changeset's keywords;
    ``-T json`` lists the fields the options select).

    Returns 0 on success.
    """
    from amalgam.context import changectx
    from amalgam.display.annotate import annotate as run
    from amalgam.revspec import revsingle
    from amalgam.wc.match import match

    if not pats:
        raise error.InputError("at least one filename or pattern is required")
    if opts.get("line_number") and not (opts.get("number") or opts.get("changeset")):
        raise error.InputError("at least one of -n/-c is required for -l")
    if not any(opts.get(k) for k in ("user", "file", "date", "number", "changeset")):
        opts["number"] = True
    ctx = changectx(repo, revsingle(repo, opts.get("rev") or "."))
    m = match(repo.root, os.getcwd(), pats, opts.get("include") or (),
              opts.get("exclude") or ())
    for path in m.files():
        if path not in ctx.manifest() and not any(True for _ in ctx.walk(m)):
            raise error.InputError(f"{m.uipath(path)}: no such file in rev {ctx.short()}")
    fm = None
    if opts.get("template"):
        from amalgam.templates.formatter import formatter

        fm = formatter(ui, repo, opts["template"])
    for path in ctx.walk(m):
        fctx = ctx.filectx(path)
        data = fctx.data()
        if not opts.get("text") and b"\0" in data:
            if fm is None:
                ui.write(f"{m.uipath(path)}: binary file\n")
            continue
        if fm is None:
            _write(ui, run(fctx), opts)
        else:
            _item(fm, path, run(fctx), opts)
    if fm is not None:
        fm.end()
    return 0


#: annotate option -> the field it adds to each line of ``-T json``
_JSON_FIELDS = (("number", "rev"), ("changeset", "node"), ("user", "user"),
                ("date", "date"), ("file", "path"), ("line_number", "lineno"))


def _item(fm: Any, path: bytes, lines: list[Any], opts: dict[str, Any]) -> None:
    """One file for -T: its path and its lines, each with where it came from."""
    from amalgam.context import changectx
    from amalgam.templates.values import Date

    cache: dict[int, Any] = {}
    keep = {"line"} | {key for opt, key in _JSON_FIELDS if opts.get(opt)}
    items = []
    for (origin, lineno), line in lines:
        rev = origin.introrev()
        if rev not in cache:
            cache[rev] = changectx(origin.repo, rev)
        ctx = cache[rev]
        when, offset = ctx.date()
        item = {"line": line.decode("utf-8", "surrogateescape"), "rev": rev,
                "node": ctx.hex(), "user": ctx.user(), "date": Date(float(when), offset),
                "path": origin.path.decode("utf-8", "surrogateescape"), "lineno": lineno}
        if fm.json:
            item = {key: value for key, value in item.items() if key in keep}
        else:
            item["ctx"] = ctx
        items.append(item)
    lines_value: Any = items
    if not fm.json:
        from amalgam.templates.values import ListValue

        # A template sees every field; {lines} alone and {lines|json} show what hg does.
        lines_value = ListValue(items, lambda item: f"{item['rev']}: {item['line']}", sep="",
                                json=lambda item: {k: ([v.when, v.offset] if k == "date" else v)
                                                   for k, v in item.items() if k in keep})
    fm.item({"path": path.decode("utf-8", "surrogateescape"), "lines": lines_value})


def shortuser(user: str) -> str:
    """The short form of a user name hg shows without -v (``test <t@e>`` -> ``t``)."""
    for sep, keep_after in (("@", False), ("<", True), (" ", False), (".", False)):
        pos = user.find(sep)
        if pos >= 0:
            user = user[pos + 1:] if keep_after else user[:pos]
    return user


def _write(ui: UI, lines: list[Any], opts: dict[str, Any]) -> None:
    columns: list[list[str]] = []
    cache: dict[int, Any] = {}

    def ctx_of(fctx: Any) -> Any:
        rev = fctx.introrev()
        if rev not in cache:
            from amalgam.context import changectx

            cache[rev] = changectx(fctx.repo, rev)
        return cache[rev]

    fields: list[Any] = []
    if opts.get("user"):
        fields.append(lambda f: ctx_of(f).user() if ui.verbose
                      else shortuser(ctx_of(f).user()))
    if opts.get("number"):
        fields.append(lambda f: str(ctx_of(f).rev))
    if opts.get("changeset"):
        fields.append(lambda f: ctx_of(f).hex() if ui.debugflag else ctx_of(f).short())
    if opts.get("date"):
        # Imported only here: the date module pulls in calendar and locale.
        from amalgam.dates import datestr, shortdate

        fields.append(lambda f: shortdate(ctx_of(f).date()) if ui.quiet
                      else datestr(ctx_of(f).date()))
    if opts.get("file"):
        fields.append(lambda f: os.fsdecode(f.path))
    for get in fields:
        columns.append([get(origin[0]) for origin, _line in lines])
    if opts.get("line_number"):
        columns.append([str(origin[1]) for origin, _line in lines])
    widths = [max((len(v) for v in col), default=0) for col in columns]
    out: list[bytes] = []
    nfields = len(fields)
    for index, (_origin, line) in enumerate(lines):
        parts = [col[index].rjust(width) for col, width in zip(columns, widths)]
        prefix = " ".join(parts[:nfields])
        if opts.get("line_number"):
            prefix += ":" + parts[nfields]
        if not line.endswith(b"\n"):
            line += b"\n"
        out.append(prefix.encode("utf-8", "surrogateescape") + b": " + line)
    ui.write(b"".join(out))
