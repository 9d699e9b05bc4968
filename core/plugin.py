"""What plugin authors import: the hook marker and the types hooks receive.

::

    from amalgam.plugin import hookimpl

    @hookimpl(wrapper=True)
    def cmd_version(invocation):
        rc = yield
        invocation.ui.write("and hello\\n")
        return rc

Importing this module imports pluggy, which is fine: only plugins import
it, and a plugin is imported only when one of its hooks is called.
"""
from __future__ import annotations

import pluggy

from amalgam.registry.invocation import CommandInvocation

__all__ = ["CommandInvocation", "hookimpl"]

#: Marks a function as a hook implementation.  Takes pluggy's options:
#: ``wrapper=True``, ``tryfirst``, ``trylast``, ``specname``.
hookimpl = pluggy.HookimplMarker("amalgam")

