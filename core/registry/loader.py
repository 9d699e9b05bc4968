"""Holding an imported plugin to its manifest, and registering it with pluggy."""
from __future__ import annotations

import importlib
from types import ModuleType

import pluggy

from amalgam.error import PluginError
from amalgam.hooks.catalogue import LAYERS
from amalgam.registry.manifest import PluginManifest


def new_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager that knows every hook specification."""
    pm = pluggy.PluginManager("amalgam")
    for module in LAYERS.values():
        pm.add_hookspecs(importlib.import_module(module))
    return pm


def implemented_hooks(pm: pluggy.PluginManager, module: ModuleType) -> set[str]:
    """The hooks *module* really implements (what pluggy would register)."""
    hooks = set()
    for attr in dir(module):
        opts = pm.parse_hookimpl_opts(module, attr)
        if opts is not None:
            hooks.add(opts.get("specname") or attr)
    return hooks


def check_and_register(pm: pluggy.PluginManager, module: ModuleType,
                       manifest: PluginManifest) -> None:
    """Register *module*'s hooks if they are exactly its manifest's."""
    real = implemented_hooks(pm, module)
    declared = set(manifest.hooks)
    problems = []
    if real - declared:
        problems.append("implements undeclared hook(s) " + ", ".join(sorted(real - declared)))
    if declared - real:
        problems.append("declares unimplemented hook(s) " + ", ".join(sorted(declared - real)))
    if problems:
        raise PluginError(
            f"plugin '{manifest.name}' disagrees with its manifest: " + "; ".join(problems),
            hint=f"make 'hooks' in {manifest.path} list exactly the hooks the "
                 f"plugin implements")
    try:
        pm.register(module, name=manifest.name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin '{manifest.name}' has an invalid hook "
                          f"implementation: {exc}",
                          hint="see 'amg help hooks' for each hook's arguments") from None
