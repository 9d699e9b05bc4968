"""``amg plugins``: every available plugin and what it influences."""
from __future__ import annotations

from typing import Any

from amalgam.registrar import command


@command("plugins", [("e", "enabled", False, "list only enabled plugins")],
         "[-e]", norepo=True, category="config")
def plugins(ui: Any, repo: Any, *args: str, **opts: Any) -> int:
    """list available plugins, enabled or not, and what they influence

    For each plugin: whether it is enabled, where it comes from (built-in,
    a directory on AMG_PLUGIN_PATH, or an installed distribution), its
    version and summary, the hooks it declares, the commands and command
    options it adds, the repository requirements it claims, and whether this
    process has imported it.  Nothing is imported to produce the list.

    With -v, also the manifest file and the plugin's config items.
    Plugins whose manifest is broken are listed with the reason.
    """
    registry = ui.registry
    for manifest in registry.manifests():
        enabled = registry.is_enabled(manifest.name)
        if opts.get("enabled") and not enabled:
            continue
        state = "enabled" if enabled else "disabled"
        ui.write(f"{manifest.name} {manifest.version} ({state})\n",
                 label="plugins.name")
        ui.write(f"  {manifest.summary}\n")
        ui.write(f"  origin:       {manifest.origin_text()}\n")
        ui.write(f"  hooks:        {_list(manifest.hooks)}\n")
        ui.write(f"  commands:     {_list(manifest.commands)}\n")
        added = [f"{cmd} --{opt[1]}" for cmd, options in manifest.command_options.items()
                 for opt in options]
        if added:
            ui.write(f"  options:      {_list(added)}\n")
        ui.write(f"  requirements: {_list(manifest.requires)}\n")
        ui.write(f"  imported:     {'yes' if registry.imported(manifest.name) else 'no'}\n")
        ui.note(f"  manifest:     {manifest.path}\n")
        for section, name, kind, default, _help in manifest.config:
            ui.note(f"  config:       {section}.{name} ({kind}, default {default!r})\n")
    if not opts.get("enabled"):
        for name, err in sorted(registry.broken().items()):
            ui.write(f"{name} (broken)\n  {err.message}\n", label="plugins.name")
    return 0


def _list(items: Any) -> str:
    return ", ".join(items) or "-"
