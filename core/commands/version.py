"""``amg version``: the version of Amalgam, its distribution and plugins."""
from __future__ import annotations


from amalgam.registrar import command

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from amalgam.ui import UI


@command("version", [], "", norepo=True, category="help", helpbasic=False)
def version(ui: UI, repo: Any) -> int:
    """show the version of Amalgam and of its enabled plugins

    With -q, print only the first line.  With -v, also list the enabled
    plugins and their versions (read from their manifests, without importing
    them).

    Returns 0 on success.
    """
    from amalgam import __version__
    from amalgam.cli.services import active_distribution

    dist = active_distribution()
    if dist is not None:
        lines = dist.version_lines(__version__)
        ui.write(lines[0], "\n")
        if ui.quiet:
            return 0
        ui.status("".join(line + "\n" for line in lines[1:]))
    else:
        ui.write(f"Amalgam version control (version {__version__})\n")
        if ui.quiet:
            return 0
    ui.status("(Mercurial-compatible repositories; hg 7.x reads what amg writes)\n"
              "\n"
              "Copyright (C) 2026 the Amalgam authors\n"
              "This is free software under the MIT license; it comes with NO\n"
              "warranty of any kind.\n")
    if ui.verbose:
        _plugins(ui)
    return 0


def _plugins(ui: UI) -> None:
    names = ui.registry.enabled()
    ui.note("\nEnabled plugins:\n\n")
    if not names:
        ui.note("  (none)\n")
        return
    width = max(len(n) for n in names)
    for name in names:
        manifest = ui.registry.manifest(name)
        version = manifest.version or "unknown version"
        ui.note(f"  {name.ljust(width)}  {version}  ({manifest.origin_text()})\n")
