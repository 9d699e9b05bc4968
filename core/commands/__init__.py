"""Built-in commands, one module per command.

:data:`TABLE` is the static command table: the command line resolves names,
aliases, prefixes and "did you mean" from it without importing any command
module.  A module listed here must declare the same name and aliases with
``@amalgam.registrar.command`` (a test checks it).
"""
from __future__ import annotations

#: primary name -> (module, aliases)
TABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "help": ("amalgam.commands.help", ()),
    "version": ("amalgam.commands.version", ()),
    "root": ("amalgam.commands.root", ()),
    "config": ("amalgam.commands.config", ("showconfig", "debugconfig")),
    "plugins": ("amalgam.commands.plugins", ()),
    "init": ("amalgam.commands.init", ()),
    "verify": ("amalgam.commands.verify", ()),
    "recover": ("amalgam.commands.recover", ()),
    "debugindex": ("amalgam.commands.debugindex", ()),
    "debugdata": ("amalgam.commands.debugdata", ()),
    "debugrevlog": ("amalgam.commands.debugrevlog", ()),
    "distro": ("amalgam.commands.distro", ()),
    "status": ("amalgam.commands.status", ("st",)),
    "add": ("amalgam.commands.add", ()),
    "forget": ("amalgam.commands.forget", ()),
    "remove": ("amalgam.commands.remove", ("rm",)),
    "addremove": ("amalgam.commands.addremove", ()),
    "commit": ("amalgam.commands.commit", ("ci",)),
    "debugrevspec": ("amalgam.commands.debugrevspec", ()),
    "debugtemplate": ("amalgam.commands.debugtemplate", ()),
    "log": ("amalgam.commands.log", ("history",)),
    "diff": ("amalgam.commands.diff", ()),
    "cat": ("amalgam.commands.cat", ()),
    "files": ("amalgam.commands.files", ()),
    "manifest": ("amalgam.commands.manifest", ()),
    "annotate": ("amalgam.commands.annotate", ("blame",)),
    "grep": ("amalgam.commands.grep", ()),
    "bundle": ("amalgam.commands.bundle", ()),
    "unbundle": ("amalgam.commands.unbundle", ()),
    "pull": ("amalgam.commands.pull", ()),
    "push": ("amalgam.commands.push", ()),
    "clone": ("amalgam.commands.clone", ()),
    "incoming": ("amalgam.commands.incoming", ("in",)),
    "outgoing": ("amalgam.commands.outgoing", ("out",)),
    "paths": ("amalgam.commands.paths", ()),
    "update": ("amalgam.commands.update", ("up", "checkout", "co")),
    "merge": ("amalgam.commands.merge", ()),
    "resolve": ("amalgam.commands.resolve", ()),
    "revert": ("amalgam.commands.revert", ()),
    "identify": ("amalgam.commands.identify", ("id",)),
    "heads": ("amalgam.commands.heads", ()),
    "parents": ("amalgam.commands.parents", ()),
    "branch": ("amalgam.commands.branch", ()),
    "branches": ("amalgam.commands.branches", ()),
    "bookmarks": ("amalgam.commands.bookmarks", ("bookmark",)),
    "tags": ("amalgam.commands.tags", ()),
    "phase": ("amalgam.commands.phase", ()),
}
