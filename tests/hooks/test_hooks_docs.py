"""docs/hooks.md documents every hook with its current signature."""
from __future__ import annotations

import re
from pathlib import Path

from amalgam.hooks.catalogue import HOOKS
from amalgam.hooks.docs import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"
REGENERATE = "run: python -m amalgam.hooks.docs > docs/hooks.md"


def test_committed_page_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), REGENERATE


def test_every_hook_is_documented_with_its_signature() -> None:
    text = DOC.read_text(encoding="utf-8")
    for info in HOOKS.values():
        if info.wrapper_of_command:
            assert f"`{info.name}`" in text, f"{info.name} undocumented; {REGENERATE}"
        else:
            signature = f"### `{info.name}({', '.join(info.args)})`"
            assert signature in text, f"{info.name} stale or undocumented; {REGENERATE}"


def test_no_documented_hook_is_gone() -> None:
    documented = set(re.findall(r"^### `(\w+)\(", DOC.read_text(encoding="utf-8"), re.M))
    assert documented - {"cmd_NAME"} <= set(HOOKS)


def test_design_uses_only_real_hooks_and_covers_five_plugins() -> None:
    design = (DOC.parent / "plugins-design.md").read_text(encoding="utf-8")
    # Command wrappers arrive with their commands (cat, archive...), so only
    # layer hooks must exist already.
    named = set(re.findall(r"`((?:repo|storage|wc|exchange)_\w+)`", design))
    assert len(named) > 15, "docs/plugins-design.md names too few hooks"
    assert named <= set(HOOKS), named - set(HOOKS)
    for plugin in ("largefiles", "remotefilelog", "fsmonitor", "narrow", "clonebundles"):
        assert f"\n## {plugin}" in design
