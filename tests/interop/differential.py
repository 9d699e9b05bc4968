"""``Twin``: one repository in two copies, one driven by amg and one by hg.

Scenario tests run the same command line in both copies and compare what a
user sees (stdout, exit code, optionally stderr) and what is left behind
(nodes, phases, bookmarks, working-copy status as real hg reports it, and a
clean ``hg verify``).  Absolute paths of either copy print as ``$ROOT`` so
the two outputs compare directly::

    def test_rename_then_commit(twin):
        twin.write("a", "one\\n")
        twin.same("add", "a")
        twin.same("commit", "-m", "first", "-d", "0 0")
        twin.same("rename", "a", "b")
        twin.same("status", "-C")
        twin.assert_same_state()

Use the fixture ``twin`` (from tests/interop/conftest.py) or build one with
``Twin(tmp_path, amg, hg)`` (``from .differential import Twin``).  Commits should pass ``-d`` so both sides
record the same date; the user comes from ``HGUSER`` in the isolated env.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Callable

DATE = ("-d", "0 0")


class Twin:
    """Two identical repositories: ``self.a`` (amg) and ``self.h`` (hg)."""

    def __init__(self, tmp_path: Path, amg: Callable[..., Any], hg: Callable[..., Any],
                 *, init_with: str = "hg") -> None:
        self._amg = amg
        self._hg = hg
        self.a = tmp_path / "amg-side"
        self.h = tmp_path / "hg-side"
        if init_with == "hg":
            hg("init", str(self.a))
        else:
            result = amg("init", str(self.a))
            assert result.rc == 0, result.stderr
        shutil.copytree(self.a, self.h, symlinks=True)

    # -- the working copies ------------------------------------------------

    def write(self, path: str | bytes, data: str | bytes, *, mode: int | None = None) -> None:
        """Create or overwrite *path* (relative) with the same bytes in both copies."""
        raw = data.encode() if isinstance(data, str) else data
        for root in (self.a, self.h):
            full = os.path.join(os.fsencode(root), os.fsencode(path))
            os.makedirs(os.path.dirname(full), exist_ok=True)
            if os.path.islink(full):
                os.unlink(full)
            with open(full, "wb") as fp:
                fp.write(raw)
            if mode is not None:
                os.chmod(full, mode)

    def symlink(self, target: str, path: str) -> None:
        for root in (self.a, self.h):
            full = root / path
            full.parent.mkdir(parents=True, exist_ok=True)
            if full.is_symlink() or full.exists():
                full.unlink()
            os.symlink(target, full)

    def remove(self, path: str | bytes) -> None:
        for root in (self.a, self.h):
            full = os.path.join(os.fsencode(root), os.fsencode(path))
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full)
            else:
                os.unlink(full)

    def each(self, func: Callable[[Path], None]) -> None:
        """Apply an arbitrary file-system change to both copies."""
        func(self.a)
        func(self.h)

    # -- running commands --------------------------------------------------

    def run(self, *args: str, cwd: str = "", stdin: bytes = b"") -> tuple[Any, Any]:
        """Run ``amg ARGS`` in the amg copy and ``hg ARGS`` in the hg copy."""
        ra = self._amg(*args, cwd=self.a / cwd, stdin=stdin)
        rh = self._hg(*args, cwd=self.h / cwd, check=False, stdin=stdin)
        return ra, rh

    def _normal(self, text: str, root: Path) -> str:
        return (text.replace(str(root.resolve()), "$ROOT")
                .replace(str(root), "$ROOT"))

    def same(self, *args: str, cwd: str = "", stderr: bool = False,
             stdin: bytes = b"") -> tuple[Any, Any]:
        """Run in both copies; assert identical stdout and exit code (and stderr).

        hg's messages say ``hg``; amg's say ``amg``: stderr is compared with
        the program name normalised.
        """
        ra, rh = self.run(*args, cwd=cwd, stdin=stdin)
        out_a, out_h = self._normal(ra.stdout, self.a), self._normal(rh.stdout, self.h)
        context = (f"command: {' '.join(args)}\n--- amg (rc {ra.rc}) ---\n{ra.stdout}"
                   f"{ra.stderr}\n--- hg (rc {rh.rc}) ---\n{rh.stdout}{rh.stderr}")
        assert out_a == out_h, context
        assert ra.rc == rh.rc, context
        if stderr:
            err_a = self._normal(ra.stderr, self.a).replace("amg", "hg")
            err_h = self._normal(rh.stderr, self.h)
            assert err_a == err_h, context
        return ra, rh

    # -- comparing what is left behind ---------------------------------------

    def state(self, root: Path) -> dict[str, str]:
        """What real hg reports about *root*: history, phases, bookmarks, status."""
        def hg(*args: str) -> str:
            return self._hg(*args, cwd=root).stdout

        return {
            "log": hg("log", "--hidden", "-T",
                      "{rev}:{node} {phase} {branch} p={p1node},{p2node} "
                      "b={bookmarks} t={tags}\\n"),
            "parents": hg("log", "-r", "parents()", "-T", "{node}\\n"),
            "status": hg("status", "-A", "-C"),
            "branch": hg("branch"),
            "bookmarks": hg("bookmarks"),
        }

    def assert_same_state(self, *, verify: bool = True) -> None:
        """Same nodes, phases, bookmarks, parents and status; hg verify clean on both."""
        state_a, state_h = self.state(self.a), self.state(self.h)
        for key in state_h:
            assert state_a[key] == state_h[key], (
                f"{key} differs\n--- amg side ---\n{state_a[key]}\n"
                f"--- hg side ---\n{state_h[key]}")
        if verify:
            for root in (self.a, self.h):
                self._hg("verify", "-q", cwd=root)
