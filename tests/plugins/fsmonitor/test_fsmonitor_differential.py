"""Differential property test: with fsmonitor, status is exactly a full walk's.

A seeded random sequence of file-system and dirstate operations runs on a
small working copy; after each one, ``amg status`` (plain, ``-A``, ``-u``,
``-i``) with fsmonitor must print what it prints without, and at some steps
what ``hg status`` prints.
"""
from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest

STEPS = 30
DIRS = ["", "d0", "d1", "d0/e", "d1/f"]
NAMES = ["f0", "f1", "f2", "f3.o", "x", "y.o"]
IGNORE_LINES = ["syntax: glob", "glob:*.o", "d1/f", "x", "re:^d0/e/", "syntax: regexp", "y"]


class World:
    """The random working copy and the operations applied to it."""

    def __init__(self, root: Path, rng: random.Random, amg) -> None:
        self.root = root
        self.rng = rng
        self.amg = amg

    def _files(self) -> list[str]:
        out = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel = os.path.relpath(dirpath, self.root)
            if rel == ".":
                dirnames[:] = [d for d in dirnames if d != ".hg"]
            if ".hg" in dirnames:
                dirnames[:] = []
                continue
            out.extend(os.path.normpath(os.path.join(rel, n)) for n in filenames)
            out.extend(os.path.normpath(os.path.join(rel, d)) for d in dirnames
                       if os.path.islink(os.path.join(dirpath, d)))
        return sorted(out)

    def _dirs(self) -> list[str]:
        return sorted(d for d in DIRS[1:] if os.path.isdir(self.root / d)
                      and not os.path.islink(self.root / d))

    def _newpath(self) -> str:
        directory = self.rng.choice(DIRS)
        if not self._makedirs(directory):
            directory = ""
        return os.path.join(directory, self.rng.choice(NAMES))

    def _makedirs(self, directory: str) -> bool:
        """Create *directory* unless a symlink or a file is in the way."""
        path = self.root
        for part in directory.split("/") if directory else []:
            path = path / part
            if path.is_symlink() or (path.exists() and not path.is_dir()):
                return False
            path.mkdir(exist_ok=True)
        return True

    def _data(self) -> bytes:
        return bytes(self.rng.choice(b"abc\n") for _ in range(self.rng.randrange(0, 12)))

    def _write(self, rel: str, data: bytes) -> None:
        full = self.root / rel
        if full.is_dir() and not full.is_symlink():
            return
        if full.is_symlink():
            full.unlink()
        full.write_bytes(data)

    def step(self) -> str:
        files = self._files()
        ops = ["create", "create", "modify", "modify", "delete", "rename", "chmod",
               "symlink", "mkdir", "rmdir", "dirlink", "mvdir", "ignore", "touch", "add", "forget",
               "commit", "remove", "forget-commit"]
        op = self.rng.choice(ops)
        if op in ("modify", "delete", "rename", "chmod", "touch", "forget", "remove",
                  "forget-commit") \
                and not files:
            op = "create"
        rng = self.rng
        if op == "create":
            rel = self._newpath()
            self._write(rel, self._data())
            return f"create {rel}"
        if op == "modify":
            rel = rng.choice(files)
            full = self.root / rel
            if full.is_symlink():
                return f"skip modify symlink {rel}"
            old = full.read_bytes()
            data = bytes(reversed(old)) + b"z" if rng.random() < 0.5 else self._data()
            if rng.random() < 0.5 and old:
                data = bytes((b + 1) % 256 for b in old)  # same size, new content
            self._write(rel, data)
            return f"modify {rel}"
        if op == "delete":
            rel = rng.choice(files)
            os.unlink(self.root / rel)
            return f"delete {rel}"
        if op == "rename":
            rel, dest = rng.choice(files), self._newpath()
            if os.path.isdir(self.root / dest) and not os.path.islink(self.root / dest):
                return f"skip rename onto directory {dest}"
            os.rename(self.root / rel, self.root / dest)
            return f"rename {rel} {dest}"
        if op == "chmod":
            rel = rng.choice(files)
            full = self.root / rel
            if full.is_symlink():
                return f"skip chmod symlink {rel}"
            os.chmod(full, full.stat().st_mode ^ 0o111)
            return f"chmod {rel}"
        if op == "symlink":
            rel = self._newpath()
            full = self.root / rel
            if full.is_dir() and not full.is_symlink():
                return f"skip symlink onto directory {rel}"
            if full.is_symlink() or full.exists():
                full.unlink()
            os.symlink(rng.choice(NAMES + ["../d0", "nowhere"]), full)
            return f"symlink {rel}"
        if op == "mkdir":
            directory = rng.choice(DIRS[1:])
            if not self._makedirs(directory):
                return f"skip mkdir {directory}"
            self._write(os.path.join(directory, "new"), self._data())
            return f"mkdir {directory}"
        if op == "rmdir":
            dirs = self._dirs()
            if not dirs:
                return "skip rmdir"
            directory = rng.choice(dirs)
            shutil.rmtree(self.root / directory)
            return f"rmdir {directory}"
        if op == "dirlink":
            dirs = self._dirs()
            if not dirs:
                return "skip dirlink"
            directory = rng.choice(dirs)
            shutil.rmtree(self.root / directory)
            os.symlink(rng.choice(["d0", "d1", "elsewhere"]), self.root / directory)
            return f"dirlink {directory}"
        if op == "mvdir":
            # Within the tree (its files reappear elsewhere) or out of it (they vanish).
            dirs = self._dirs()
            if not dirs:
                return "skip mvdir"
            directory = rng.choice(dirs)
            dest = rng.choice([self.root / f"m{rng.randrange(3)}",
                               self.root.parent / f"out{rng.randrange(10**6)}"])
            if dest.exists() or dest.is_symlink():
                return f"skip mvdir onto {dest.name}"
            os.rename(self.root / directory, dest)
            return f"mvdir {directory} {dest.name}"
        if op == "ignore":
            lines = [line for line in IGNORE_LINES if rng.random() < 0.4]
            (self.root / ".hgignore").write_text("".join(line + "\n" for line in lines))
            return f"ignore {lines}"
        if op == "touch":
            rel = rng.choice(files)
            if (self.root / rel).is_symlink():
                return f"skip touch symlink {rel}"
            os.utime(self.root / rel)
            return f"touch {rel}"
        if op == "add":
            self.amg("add", cwd=self.root)
            return "add"
        if op == "forget":
            rel = rng.choice(files)
            self.amg("forget", rel, cwd=self.root)
            return f"forget {rel}"
        if op == "forget-commit":
            # The dirstate changes twice with no status in between.
            rel = rng.choice(files)
            self.amg("forget", rel, cwd=self.root)
            res = self.amg("commit", "-q", "-m", "forget", "-u", "test", cwd=self.root)
            return f"forget {rel} and commit rc={res.rc}"
        if op == "remove":
            rel = rng.choice(files)
            self.amg("remove", "-f", rel, cwd=self.root)
            return f"remove {rel}"
        res = self.amg("commit", "-q", "-m", "step", "-u", "test", cwd=self.root)
        return f"commit rc={res.rc}"


def _variants(step: int) -> list[tuple[str, ...]]:
    out = [("status",)]
    if step % 3 == 0:
        out.append(("status", "-A"))
    if step % 4 == 1:
        out.append(("status", "-u"))
    if step % 7 == 2:
        out.append(("status", "-i"))
    return out


@pytest.mark.parametrize("seed", range(1, 9))
def test_random_operations_match_a_full_walk(seed, amg, hg, fsm_config, fsrepo: Path):
    rng = random.Random(seed)
    world = World(fsrepo, rng, amg)
    for name in ("a", "d0/b", "d1/c", "d0/e/g"):
        world._makedirs(os.path.dirname(name))
        world._write(name, b"x\n")
    assert amg("add", cwd=fsrepo).rc == 0
    assert amg("commit", "-q", "-m", "init", "-u", "test", cwd=fsrepo).rc == 0
    history: list[str] = []
    fs_runs = 0
    for step in range(STEPS):
        history.append(world.step())
        for args in _variants(step):
            runs = [(True, fsm_config), (False, [])]
            if step % 2:
                runs.reverse()  # plain first: its dirstate fix-ups are news to fsmonitor
            results = {}
            for name, config in runs:
                results[name] = amg(*config, *args, cwd=fsrepo)
            fs_runs += 1
            fs, plain = results[True], results[False]
            where = f"seed {seed} step {step} {' '.join(args)} after {history}"
            assert (fs.rc, fs.stdout, fs.stderr) == (plain.rc, plain.stdout, plain.stderr), where
        if step % 6 == 5:
            theirs = hg("status", cwd=fsrepo, check=False)
            ours = amg(*fsm_config, "status", cwd=fsrepo)
            where = f"seed {seed} step {step} vs hg after {history}"
            if theirs.rc == 0:
                assert (ours.rc, ours.stdout) == (0, theirs.stdout), where
            else:
                assert ours.rc != 0, where
    stats = json.loads((fsrepo / ".hg" / "fsmonitor.amg-stats").read_bytes())
    walks = sum(stats["counts"].values())
    # The property is only worth something if most statuses took the fast path.
    assert walks < fs_runs / 2, (walks, fs_runs, stats["counts"])
