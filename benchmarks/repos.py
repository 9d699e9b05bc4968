"""Build the benchmark repositories once and cache them.

Each repository lives in ``CACHE/<name>-<key>/`` where the key hashes the
generator version, the seed and the backend that wrote it, so a generator
change (or amg's commit API landing) rebuilds it.  ``meta.json`` is written
last and marks a complete build.  Layout: ``hg/`` (the Mercurial repository,
with a working copy checked out by ONE ``hg update`` for the repositories
whose scenarios need one), ``git/`` (the same history through ``git
fast-import``, when git is installed), ``tree/`` (a plain copy of the tip's
files without any repository, built on demand).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable

from benchmarks.streams import DEFAULT_SEED, GENERATOR_VERSION, Commit, Stream
from benchmarks.tools import ROOT, Tools, amg_api_missing

#: repositories whose scenarios need a checked-out working copy
CHECKOUT = {"small", "big"}


@dataclass
class Repo:
    """A built, cached repository and what its scenarios need to know."""

    name: str
    path: Path
    meta: dict

    @property
    def hg(self) -> Path:
        return self.path / "hg"

    @property
    def git(self) -> Path | None:
        path = self.path / "git"
        return path if path.is_dir() else None

    def git_rev(self, rev: int) -> str:
        return self.meta["git_revs"][rev]


def build(name: str, cache: Path, tools: Tools, env: dict[str, str], log,
          seed: int = DEFAULT_SEED) -> Repo:
    """The cached repository *name*, generating it first if needed."""
    backend = "hg" if amg_api_missing() else "amg"
    key = hashlib.sha1(f"{GENERATOR_VERSION}:{name}:{seed}:{backend}".encode()).hexdigest()
    path = cache / f"{name}-{key[:12]}"
    if (path / "meta.json").exists():
        return Repo(name, path, json.loads((path / "meta.json").read_text()))
    for stale in cache.glob(f"{name}-*"):
        if stale.is_dir():
            shutil.rmtree(stale)
    partial = path.with_name(path.name + ".partial")
    partial.mkdir(parents=True)
    log(f"generating {name} through {backend}'s commit API ...")
    python = tools.python if backend == "amg" else tools.hg_python
    child_env = {**env, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([python, "-m", "benchmarks.apply", backend, name, str(seed),
                           str(partial / "hg")], env=child_env, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise SystemExit(f"abort: generating {name} failed:\n{proc.stderr[-2000:]}")
    seconds = float(proc.stdout.split("BENCH_SECONDS=")[1].split()[0])
    if name in CHECKOUT:
        log(f"checking out {name} with one hg update ...")
        subprocess.run([*tools.hg, "update", "-q", "tip"], cwd=partial / "hg",
                       env=env, check=True)
    stream = Stream(name, seed)
    meta: dict = {"name": name, "seed": seed, "generator_version": GENERATOR_VERSION,
                  "backend": backend, "generate_seconds": seconds,
                  "tip_node": proc.stdout.split("TIP=")[1].split()[0]}
    if tools.git:
        log(f"importing {name} into git ...")
        meta["git_revs"] = _git_import(stream.commits(), partial / "git", tools.git,
                                       env, checkout=name in CHECKOUT)
    else:
        for _ in stream.commits():
            pass
    meta.update(stream.meta)
    (partial / "meta.json").write_text(json.dumps(meta, indent=1))
    partial.rename(path)
    return Repo(name, path, meta)


def _git_import(commits: Iterable[Commit], dest: Path, git: str, env: dict[str, str],
                checkout: bool) -> list[str]:
    """Feed the stream to one ``git fast-import``; return each revision's sha."""
    subprocess.run([git, "init", "-q", str(dest)], env=env, check=True)
    marks = dest / ".git" / "bench-marks"
    proc = subprocess.Popen([git, "fast-import", "--quiet", f"--export-marks={marks}"],
                            cwd=dest, env=env, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    count = _write_fast_import(commits, proc.stdin)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit(f"abort: git fast-import failed for {dest}")
    subprocess.run([git, "symbolic-ref", "HEAD", "refs/heads/default"], cwd=dest,
                   env=env, check=True)
    if checkout:
        subprocess.run([git, "reset", "-q", "--hard"], cwd=dest, env=env, check=True)
    shas = dict(line.split() for line in marks.read_text().splitlines())
    return [shas[f":{i + 1}"] for i in range(count)]


def _write_fast_import(commits: Iterable[Commit], out: IO[bytes]) -> int:
    count = 0
    for i, c in enumerate(commits):
        message = c.message.encode()
        out.write(b"commit refs/heads/%s\nmark :%d\ncommitter %s %d +0000\n"
                  b"data %d\n%s\n" % (c.branch.encode(), i + 1, c.user.encode(), c.date,
                                      len(message), message))
        if c.p1 >= 0:
            out.write(b"from :%d\n" % (c.p1 + 1))
        if c.p2 >= 0:
            out.write(b"merge :%d\n" % (c.p2 + 1))
        for path, spec in sorted(c.files.items()):
            if spec is None:
                out.write(b"D %s\n" % path)
                continue
            mode = b"120000" if "l" in spec.flags else \
                b"100755" if "x" in spec.flags else b"100644"
            out.write(b"M %s inline %s\ndata %d\n" % (mode, path, len(spec.data)))
            out.write(spec.data + b"\n")
        count = i + 1
    return count


def plain_tree(repo: Repo, log) -> Path:
    """The tip's files written directly into ``tree/``, with no repository
    (for the initial ``add`` + ``commit`` scenario)."""
    tree, done = repo.path / "tree", repo.path / "tree.done"
    if done.exists():
        return tree
    if tree.exists():
        shutil.rmtree(tree)
    log(f"writing a plain copy of {repo.name} ...")
    state: dict[bytes, tuple[bytes, str]] = {}
    for commit in Stream(repo.name, repo.meta["seed"]).commits():
        for path, spec in commit.files.items():
            if spec is None:
                state.pop(path, None)
            else:
                state[path] = (spec.data, spec.flags)
    root = os.fsencode(tree)
    made: set[bytes] = set()
    for path, (data, flags) in state.items():
        full = os.path.join(root, path)
        parent = os.path.dirname(full)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(full, "wb") as f:
            f.write(data)
        if "x" in flags:
            os.chmod(full, 0o755)
    done.write_text("complete\n")
    return tree
