"""Ignore rules from .hgignore and from the ui.ignore config item."""
from __future__ import annotations


def test_ui_ignore_adds_a_file_of_rules(amg, tmp_path):
    assert amg("init", str(tmp_path / "r")).rc == 0
    repo = tmp_path / "r"
    (repo / "a.tmp").write_text("x")
    (repo / "b").write_text("y")
    rules = tmp_path / "global-ignore"
    rules.write_text("syntax: glob\n*.tmp\n")
    assert amg("status", cwd=repo).stdout == "? a.tmp\n? b\n"
    r = amg("--config", f"ui.ignore={rules}", "status", "-ui", cwd=repo)
    assert (r.rc, r.stdout, r.stderr) == (0, "? b\nI a.tmp\n", "")
