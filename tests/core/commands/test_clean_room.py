"""Clean room: no command describes itself with hg's own help sentence.

Mercurial's help text is GPL; Amalgam's help is written in its own words.
The summary line is the text most tempting to copy, so every command's is
compared with the one real hg prints for the command of the same name.
"""
from __future__ import annotations

import importlib
import subprocess

import pytest

from amalgam import registrar
from amalgam.commands import TABLE


def _summary(name: str) -> str:
    module, _aliases = TABLE[name]
    infos = registrar.declared(vars(importlib.import_module(module)))
    func = next(iter(infos.values())).func
    return (func.__doc__ or "").strip().splitlines()[0].strip()


def _hg_help(hg_exe: str, env: dict[str, str], name: str) -> str:
    proc = subprocess.run([hg_exe, "help", name], capture_output=True, env=env, timeout=60)
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else ""


@pytest.mark.parametrize("name", sorted(TABLE))
def test_summary_is_not_hg_text(name, hg_exe, isolated_env):
    summary = _summary(name)
    assert summary, f"{name} has no summary line"
    hg_text = " ".join(_hg_help(hg_exe, isolated_env, name).split())
    assert summary not in hg_text, f"'{name}' summary repeats hg's help: {summary!r}"
