"""``amg distro``: build an organisation's branded distribution of Amalgam."""
from __future__ import annotations

import os
from typing import Any

from amalgam.error import InputError
from amalgam.registrar import command

_USAGE = "amg distro build DISTRO.toml [-o OUTDIR]"


@command("distro", options=[("o", "output", "", "directory for the artifact", "OUTDIR")],
         synopsis="build DISTRO.toml [-o OUTDIR]", norepo=True, category="config")
def distro(ui: Any, repo: Any, *args: str, **opts: Any) -> int:
    """build a branded distribution of Amalgam

    'amg distro build DISTRO.toml' reads a distribution's description (its
    name, command name, version, plugins and default configuration) and
    writes a wheel into OUTDIR (default: the current directory), then
    prints the wheel's path.  'pip install' of that one file gives users
    the distribution's own command: Amalgam with the distribution's name,
    plugins and default configuration, which their own configuration
    still overrides.

    See docs/distributions.md for the format of DISTRO.toml.
    """
    if not args:
        raise InputError("missing subcommand for 'distro'", hint=f"use: {_USAGE}")
    sub, rest = args[0], args[1:]
    if sub != "build":
        raise InputError(f"unknown distro subcommand '{sub}'",
                         hint=f"the only subcommand is build: {_USAGE}")
    if len(rest) != 1:
        raise InputError("'distro build' takes exactly one DISTRO.toml",
                         hint=f"use: {_USAGE}")
    from amalgam.distro import build

    outdir = opts.get("output") or os.getcwd()
    path = build(os.path.abspath(rest[0]), os.path.abspath(outdir))
    ui.write(f"{path}\n")
    return 0
