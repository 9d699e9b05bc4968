"""``amg debugtemplate``: render a template or style for some revisions."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from amalgam import error
from amalgam.registrar import command

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI


@command("debugtemplate", [
    ("r", "rev", [], "render for the given revisions", "REV"),
    ("D", "define", [], "define a template keyword", "KEY=VALUE"),
], "[-r REV]... [-D KEY=VALUE]... TEMPLATE", optionalrepo=True, category="debug")
def debugtemplate(ui: UI, repo: Repository | None, template: str | None = None,
                  **opts: Any) -> int:
    """parse and render a template

    With -r, the template is rendered once per revision, exactly as
    'amg log -r REV -T TEMPLATE' prints it; TEMPLATE may also be a style
    name (json, default, compact, phases, changelog) or a [templates] entry.
    Without -r it is rendered once with only the -D keywords.
    """
    from amalgam import templates
    from amalgam.templates.engine import Engine

    if template is None:
        raise error.InputError("debugtemplate requires a template",
                               hint="e.g. amg debugtemplate -r . '{rev}\\n'")
    defines = {}
    for item in opts.get("define") or []:
        key, sep, value = item.partition("=")
        if not sep or not key.isidentifier():
            raise error.InputError("malformed keyword definition: " + item,
                                   hint="use -D KEY=VALUE")
        defines[key] = value
    revspecs = opts.get("rev") or []
    if not revspecs:
        named = templates.config_templates(repo, ui)
        engine = Engine({name: templates.parse(text) for name, text in named.items()})
        ui.write(engine.render(templates.parse(template), defines))
        return 0
    if repo is None:
        raise error.RepoError("there is no repository here", hint="use -R or cd into one")
    from amalgam import revset

    printer = templates.changeset_printer(repo, template)
    for rev in revset.revs(repo, revspecs):
        ui.write(printer.render(rev))
    printer.close(ui)
    return 0
