"""Command wrapper hooks: one ``cmd_<name>`` hook per kernel command.

Every command in ``amalgam.commands.TABLE`` gets a hook of its own, so a
plugin that wraps ``status`` is never imported by ``log``.  All of them share
the one specification below.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from pluggy import HookspecMarker

from amalgam.commands import TABLE
from amalgam.hooks.catalogue import command_hook_name

if TYPE_CHECKING:
    from amalgam.plugin import CommandInvocation

hookspec = HookspecMarker("amalgam")

# =============================================================================
# Command wrappers
# =============================================================================


@hookspec(firstresult=True)
def _command_wrapper(invocation: CommandInvocation) -> int | None:
    """Run around, change or replace one command.

    Called each time the command runs, after its arguments were parsed and
    its repository (if any) was opened, instead of calling the command
    directly.  The kernel's own implementation is the last plain
    implementation, so:

    - a ``wrapper=True`` implementation runs code before and after the
      command; ``rc = yield`` gives the exit code, which it may change by
      returning another one;
    - a plain implementation returning a non-None exit code replaces the
      command (the kernel's implementation then does not run);
    - a plain implementation returning None lets the next one run.

    :param invocation: the ``amalgam.plugin.CommandInvocation``: ``ui``,
        ``repo`` (None for commands that need none), ``name``, ``args`` and
        ``opts``.  Changes to ``args``/``opts`` before the command runs are
        what the command sees.  Output can be captured around the command
        with ``invocation.ui.pushbuffer()`` / ``popbuffer()``.
    :return: the exit code, or None to let the next implementation decide.

    Stops at first non-None result.
    """


for _name in TABLE:
    globals()[command_hook_name(_name)] = _command_wrapper
# The hooks are the per-command names; the shared function itself is not one.
del _command_wrapper, _name
