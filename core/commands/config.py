"""``amg config``: show configuration values and where they are set."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.ui import UI

_TEMPLATE = """\
# Amalgam configuration (TOML).  'amg help config' lists every setting.
#
# [ui]
# username = "Your Name <you@example.com>"
#
# [plugins]
# largefiles = true
"""


@command("config|showconfig|debugconfig",
         [("e", "edit", False, "open the user configuration file in an editor"),
          ("l", "local", False,
           "with --edit, edit the repository's .hg/amalgam.toml instead")],
         "[-e [-l]] [NAME]...", optionalrepo=True, category="config")
def config(ui: UI, repo: Any, *names: str, **opts: Any) -> int:
    """show configuration values

    With no NAME, print every value set by a configuration file, the
    environment or --config, as SECTION.NAME=VALUE.  A NAME is a section
    (print its values) or SECTION.NAME; a single SECTION.NAME prints the
    bare value.  With --debug each line starts with where the value is set
    (FILE:LINE, --config, ...).  Defaults are not shown: see 'amg help
    config' for them.

    With --edit, open the user configuration file (with --local, the
    repository's .hg/amalgam.toml) in the editor from ui.editor, $VISUAL
    or $EDITOR, creating it when missing.

    Returns 0 when something was printed, 1 when no NAME has a value.
    """
    if opts.get("edit"):
        return _edit(ui, repo, local=bool(opts.get("local")))
    if opts.get("local"):
        raise error.InputError("--local only makes sense with --edit",
                               hint="use 'amg config --edit --local'")
    from amalgam.config.values import format_value

    cfg = ui.config
    bare = len(names) == 1 and "." in names[0]
    printed = 0
    for section, name in cfg.keys():
        if names and not any(_matches(want, section, name) for want in names):
            continue
        # One value per line: a newline inside one is shown as \n, as hg does.
        value = format_value(cfg.raw(section, name)).replace("\n", "\\n")
        prefix = f"{cfg.source(section, name)}: " if ui.debugflag else ""
        if bare:
            ui.write(prefix, value, "\n")
        else:
            ui.write(prefix, section, ".", name, "=", value, "\n")
        printed += 1
    return 0 if printed else 1


def _matches(want: str, section: str, name: str) -> bool:
    wsection, dot, wname = want.partition(".")
    if not dot:
        return section == want
    return section == wsection and name == wname


def _edit(ui: UI, repo: Any, *, local: bool) -> int:
    import shlex
    import subprocess

    from amalgam.config import user_config_path
    from amalgam.config.files import read_toml

    if local:
        if repo is None:
            raise error.RepoError("there is no repository here to edit the "
                                  "configuration of",
                                  hint="run it inside a repository, or drop "
                                       "--local")
        path = os.path.join(os.fsdecode(repo.root), ".hg", "amalgam.toml")
    else:
        found = user_config_path(ui.environ)
        if found is None:
            raise error.ConfigError("cannot tell where the user configuration "
                                    "file is",
                                    hint="set HOME or XDG_CONFIG_HOME")
        path = found
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fp:
            fp.write(_TEMPLATE)
    editor = (ui.config.get("ui", "editor") or ui.environ.get("VISUAL")
              or ui.environ.get("EDITOR") or "vi")
    ui.flush()
    rc = subprocess.call(f"{editor} {shlex.quote(path)}", shell=True,
                         env=dict(ui.environ))
    if rc != 0:
        raise error.Abort(f"editor '{editor}' exited with status {rc}",
                          hint=f"the file is {path}")
    try:
        read_toml(path)
    except error.ConfigError as exc:
        ui.warn(f"warning: {exc.message}\n")
    return 0
