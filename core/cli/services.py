"""Where the command line meets the rest of the kernel.

Config loading, the plugin registry, repository lookup, the command
wrapper hook and the active distribution are each reached through one
function here, imported lazily so ``amg version`` pays only for what it
uses.
"""
from __future__ import annotations

import os
import sys

from amalgam import error

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from amalgam.registrar import CommandInfo
    from amalgam.ui import UI


def active_distribution() -> Any:
    """The distribution this process runs as (``amalgam.distro``), or None.

    A branded command imports and activates ``amalgam.distro`` before the
    command line starts, so when that module was never imported no
    distribution can be active and plain ``amg`` does not pay for it.
    """
    distro = sys.modules.get("amalgam.distro")
    return distro.active() if distro is not None else None


def progname() -> str:
    """The command name used in messages: ``amg`` or a distribution's."""
    dist = active_distribution()
    return dist.command if dist is not None else "amg"


def find_repo_root(start: str) -> str | None:
    """The nearest directory at or above *start* holding ``.hg``.

    Only tells the config loader where ``.hg/amalgam.toml`` may be; opening
    the repository is ``amalgam.repo``'s job.
    """
    path = os.path.abspath(start)
    while True:
        if os.path.isdir(os.path.join(path, ".hg")):
            return path
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


def load_config(ui: UI, *, cwd: str, repo_root: str | None,
                overrides: Sequence[str]) -> Any:
    """Load the configuration layers for this invocation into ``ui.config``.

    Layer by layer, as hg does, so a failure leaves what was read before it
    in place and the exit code still honours ``ui.detailed-exit-code``
    from there: a broken system or user file leaves no config (exit 255),
    a broken repository file leaves those files' settings, a malformed
    ``--config`` the files and every ``--config`` before it.
    """
    from amalgam import config

    dist = active_distribution()
    ui.config = config.load(environ=ui.environ, cwd=cwd,
                            distro_defaults=dist.defaults if dist is not None else None)
    if repo_root is not None:
        ui.config.load_repo(os.path.join(cwd, repo_root))
    for text in overrides:
        ui.config.set(*config.parse_override(text))
    return ui.config


def early_config(ui: UI, argv: Sequence[str]) -> None:
    """Best-effort config for an error found before the command line parsed.

    Like hg's early options, every ``--config``, ``--cwd`` and ``-R`` in
    *argv* counts, wherever it is; a broken layer just ends the loading.
    """
    early: dict[str, list[str]] = {"config": [], "cwd": [], "repository": []}
    spellings = {"--config": "config", "--cwd": "cwd", "-R": "repository",
                 "--repository": "repository", "--repo": "repository"}
    args = iter(argv)
    for arg in args:
        if arg == "--":
            break
        flag, eq, value = arg.partition("=")
        if flag in spellings and flag != "-R":
            early[spellings[flag]].append(value if eq else next(args, ""))
        elif arg.startswith("-R"):
            early["repository"].append(arg[2:] or next(args, ""))
    cwd = os.path.join(os.getcwd(), *early["cwd"][-1:])
    repo = os.path.join(cwd, *early["repository"][-1:])
    try:
        load_config(ui, cwd=cwd, repo_root=find_repo_root(repo),
                    overrides=early["config"])
    except (error.AmalgamError, OSError):
        pass


def config_value(ui: UI, section: str, name: str) -> Any:
    """A typed config value, or None before config is loaded."""
    if ui.config is None:
        return None
    return ui.config.get(section, name)


def detailed_exit_code(ui: UI) -> bool:
    """Whether ``ui.detailed-exit-code`` asks for per-category exit codes."""
    try:
        return bool(config_value(ui, "ui", "detailed-exit-code"))
    except error.AmalgamError:
        return False


def make_registry(ui: UI, config: Any) -> None:
    """Attach the plugin registry and its hook facade to *ui*."""
    from amalgam.registry import Registry

    ui.registry = Registry(config, ui)
    ui.hooks = ui.registry.hooks


def load_plugin_command(ui: UI, plugin: str, name: str) -> CommandInfo:
    """Import the plugin that adds command *name* and describe the command."""
    from amalgam.registrar import CommandInfo

    cmd = ui.registry.manifest(plugin).commands[name]
    func = ui.registry.command_function(name)
    return CommandInfo(cmd.name, tuple(cmd.aliases), func, list(cmd.options),
                       cmd.synopsis, cmd.norepo, cmd.optionalrepo, "misc", False,
                       doc=f"{cmd.summary}\n\n{cmd.help}" if cmd.help else cmd.summary,
                       plugin=plugin)


def open_repository(ui: UI, path: str | None, cwd: str) -> Any:
    """The repository at *path* (``-R``) or the one enclosing *cwd*."""
    from amalgam.repo import Repository

    return Repository.find(ui, path=path, cwd=cwd)


def call_command(ui: UI, repo: Any, info: CommandInfo, args: list[str],
                 opts: dict[str, Any]) -> int | None:
    """Run a command through its ``cmd_<name>`` wrapper hook."""
    from amalgam.registry.invocation import CommandInvocation

    invocation = CommandInvocation(ui, repo, info.name, args, opts)
    return ui.hooks.command(invocation, info.func)
