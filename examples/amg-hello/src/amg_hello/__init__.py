"""say hello, and mention it in 'amg version'

This example plugin adds the ``hello`` command and wraps the built-in
``version`` command to add one line to its output.  Enable it with::

    [plugins]
    hello = true

Configuration: ``hello.greeting`` (default ``hello``).
"""
from __future__ import annotations

from amalgam.plugin import CommandInvocation, hookimpl


@hookimpl(wrapper=True)
def cmd_version(invocation: CommandInvocation):
    """Let 'amg version' run, then add a line after its output."""
    rc = yield
    invocation.ui.write("hello plugin 0.1.0 says hello\n")
    return rc
