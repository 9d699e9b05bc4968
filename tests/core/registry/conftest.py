"""Fixtures for registry tests: plugins written into a temporary
``AMG_PLUGIN_PATH`` directory, and registries built over them."""
from __future__ import annotations

import io
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest

from amalgam.config import load
from amalgam.registry import Registry
from amalgam.ui import UI


class PluginDir:
    """Writes test plugins; each gets a unique package name."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.names: list[str] = []

    def add(self, stem: str = "p", *, hooks: tuple[str, ...] = (), code: str = "",
            extra: str = "", manifest: str | None = None, files: dict[str, str] | None = None,
            hook_api: int = 1) -> str:
        name = f"{stem}_{uuid.uuid4().hex[:8]}"
        pkg = self.root / name
        pkg.mkdir(parents=True)
        (pkg / "__init__.py").write_text(
            '"""Plugin ' + name + ': help text."""\n'
            "from amalgam.plugin import hookimpl\n" + textwrap.dedent(code))
        if manifest is None:
            hook_list = ", ".join(f'"{h}"' for h in hooks)
            manifest = (f'name = "{name}"\nsummary = "test plugin {stem}"\n'
                        f'version = "1.0"\nhook-api = {hook_api}\nhooks = [{hook_list}]\n'
                        + textwrap.dedent(extra))
        (pkg / "plugin.toml").write_text(manifest.replace("NAME", name))
        for fname, text in (files or {}).items():
            (pkg / fname).write_text(textwrap.dedent(text))
        self.names.append(name)
        return name


@pytest.fixture
def plugin_dir(tmp_path: Path, isolated_env: dict[str, str],
               monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "plugin-path"
    root.mkdir()
    isolated_env["AMG_PLUGIN_PATH"] = str(root)
    plugins = PluginDir(root)
    yield plugins
    for name in plugins.names:
        for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[mod]
    if str(root) in sys.path:
        sys.path.remove(str(root))


@pytest.fixture
def make_registry(isolated_env: dict[str, str]):
    """``make_registry(enabled=[...], overrides=[...]) -> Registry``."""

    def make(enabled: list[str] = (), overrides: list[str] = (),
             env: dict[str, Any] | None = None) -> Registry:
        environ = {**isolated_env, **(env or {})}
        config = load(environ=environ,
                      overrides=[*(f"plugins.{n}=true" for n in enabled), *overrides])
        ui = UI(config, fout=io.BytesIO(), ferr=io.BytesIO(), fin=io.BytesIO(),
                environ=environ)
        registry = Registry(config, ui)
        ui.registry = registry
        ui.hooks = registry.hooks
        return registry

    return make

