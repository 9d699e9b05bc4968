"""Deterministic commit streams: the content of every benchmark repository.

A stream is a sequence of :class:`Commit` records whose parents are indexes
into the stream (so index == revision number in a fresh repository).  The
same stream feeds amg's commit API, Mercurial's ``memctx`` and ``git
fast-import``, so all three tools see identical histories.  Only the standard
library is used: the stream is regenerated inside child processes that run
another Python (hg's).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable, Iterator

#: Bump when any generator changes: it is part of the cache key.
GENERATOR_VERSION = 1
DEFAULT_SEED = 20261121
BASE_DATE = 1_600_000_000
USERS = (
    "Ada Lovelace <ada@example.org>",
    "Grace Hopper <grace@example.org>",
    "Alan Turing <alan@example.org>",
    "Edsger Dijkstra <edsger@example.org>",
    "Barbara Liskov <barbara@example.org>",
    "Ken Thompson <ken@example.org>",
)


@dataclass(frozen=True)
class FileSpec:
    """One file's new state in a commit (mirrors ``amalgam.repo.FileChange``)."""

    data: bytes
    flags: str = ""
    copy_source: bytes | None = None


@dataclass
class Commit:
    """One changeset: changes relative to ``p1`` (``None`` removes a file)."""

    p1: int
    p2: int
    files: dict[bytes, FileSpec | None]
    user: str
    date: int
    message: str
    branch: str = "default"


@dataclass
class Stream:
    """A named commit stream plus facts learnt while generating it."""

    name: str
    seed: int
    meta: dict[str, object] = field(default_factory=dict)

    def commits(self) -> Iterator[Commit]:
        gen = generator(self.name)
        yield from gen(random.Random(f"{self.name}:{self.seed}"), self.meta)


class _Text:
    """A pool of pseudo-source lines; file contents are slices of it."""

    def __init__(self, rng: random.Random, nlines: int = 60_000) -> None:
        alphabet = "abcdefghijklmnopqrstuvwxyz"
        self.words = ["".join(rng.choices(alphabet, k=rng.randint(2, 9)))
                      for _ in range(3000)]
        lines = []
        for _ in range(nlines):
            indent = "    " * rng.randint(0, 3)
            lines.append(indent + " ".join(rng.choices(self.words, k=rng.randint(2, 12))))
        self.pool = ("\n".join(lines) + "\n").encode("ascii")
        self.lines = lines

    def text(self, rng: random.Random, size: int, header: bytes) -> bytes:
        """About *size* bytes of whole lines, unique thanks to *header*."""
        pool = self.pool
        start = pool.find(b"\n", rng.randrange(len(pool) - size - 2000)) + 1
        end = pool.find(b"\n", start + max(size - len(header), 1)) + 1
        return header + pool[start:end]

    def line(self, rng: random.Random) -> bytes:
        return (rng.choice(self.lines) + "\n").encode("ascii")

    def edit(self, rng: random.Random, data: bytes, low: int = 200,
             high: int = 8192) -> bytes:
        """Replace, insert or delete one line, keeping the size in bounds."""
        pos = rng.randrange(len(data)) if data else 0
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", start) + 1 or len(data)
        roll = rng.random()
        if len(data) > high or (roll < 0.15 and len(data) > low):
            return data[:start] + data[end:]
        if len(data) < low or roll < 0.4:
            return data[:start] + self.line(rng) + data[start:]
        return data[:start] + self.line(rng) + data[end:]


def _size(rng: random.Random, low: int = 200, high: int = 8192) -> int:
    """Log-uniform size: many small files, some large, like real trees."""
    return int(low * (high / low) ** rng.random())


def _dirs(rng: random.Random, text: _Text, count: int, maxdepth: int) -> list[str]:
    """*count* distinct directories, nested up to *maxdepth* levels."""
    dirs: list[tuple[str, int]] = []
    for i in range(count):
        parents = [d for d in dirs[-200:] if d[1] < maxdepth]
        if dirs and parents and rng.random() < 0.8:
            parent, depth = rng.choice(parents)
        else:
            parent, depth = "", 0
        name = f"{rng.choice(text.words)}{i}"
        dirs.append((f"{parent}/{name}" if parent else name, depth + 1))
    return [d for d, _ in dirs]


_EXTENSIONS = (".py", ".c", ".h", ".txt", ".md", ".rs", ".js", ".sh")


def _new_path(rng: random.Random, text: _Text, directory: str, n: int) -> bytes:
    name = f"{rng.choice(text.words)}_{n}{rng.choice(_EXTENSIONS)}"
    return f"{directory}/{name}".encode("ascii")


def _new_file(rng: random.Random, text: _Text, path: bytes) -> FileSpec:
    flags = "x" if path.endswith(b".sh") and rng.random() < 0.5 else ""
    return FileSpec(text.text(rng, _size(rng), b"# " + path + b"\n"), flags)


def _tree(rng: random.Random, text: _Text, files: int, dirs: int,
          maxdepth: int) -> dict[bytes, FileSpec]:
    directories = _dirs(rng, text, dirs, maxdepth)
    tree: dict[bytes, FileSpec] = {}
    for n in range(files):
        # Every directory gets a file first, so none is empty.
        directory = directories[n] if n < dirs else rng.choice(directories)
        path = _new_path(rng, text, directory, n)
        tree[path] = _new_file(rng, text, path)
    return tree


def _commit(i: int, rng: random.Random, p1: int, files: dict[bytes, FileSpec | None],
            message: str, branch: str = "default", p2: int = -1) -> Commit:
    return Commit(p1=p1, p2=p2, files=files, user=rng.choice(USERS),
                  date=BASE_DATE + i * 1800, message=message, branch=branch)


def small(rng: random.Random, meta: dict[str, object]) -> Iterator[Commit]:
    """200 files in 20 directories, 50 linear commits."""
    text = _Text(rng, 5000)
    tree = _tree(rng, text, 200, 20, 2)
    paths = sorted(tree)
    first, later = paths[:160], paths[160:]
    state = {p: tree[p] for p in first}
    yield _commit(0, rng, -1, dict(state), "import the small tree")
    for i in range(1, 50):
        files: dict[bytes, FileSpec | None] = {}
        for path in rng.sample(sorted(state), rng.randint(1, 4)):
            files[path] = FileSpec(text.edit(rng, state[path].data), state[path].flags)
        if later:
            path = later.pop()
            files[path] = tree[path]
        state.update(files)  # type: ignore[arg-type]
        yield _commit(i, rng, i - 1, files, f"small change {i}")
    meta["files"] = len(state)
    meta["tip"] = 49
    meta["sample_files"] = [p.decode() for p in sorted(state)[::20]]


def big(rng: random.Random, meta: dict[str, object]) -> Iterator[Commit]:
    """100,000 files in 5,000 directories up to depth 5, one commit."""
    text = _Text(rng)
    tree = _tree(rng, text, 100_000, 5_000, 5)
    meta["files"] = len(tree)
    meta["tip"] = 0
    meta["sample_files"] = [p.decode() for p in sorted(tree)[::9973]]
    yield _commit(0, rng, -1, dict(tree), "import the big tree")


def chain(rng: random.Random, meta: dict[str, object]) -> Iterator[Commit]:
    """One file with 5,000 revisions (storage measurements)."""
    text = _Text(rng, 8000)
    data = text.text(rng, 6000, b"# chain.txt\n")
    yield _commit(0, rng, -1, {b"chain.txt": FileSpec(data)}, "start the chain")
    for i in range(1, 5000):
        for _ in range(rng.randint(1, 3)):
            data = text.edit(rng, data, 4000, 12000)
        yield _commit(i, rng, i - 1, {b"chain.txt": FileSpec(data)}, f"chain {i}")
    meta["file"] = "chain.txt"
    meta["revisions"] = 5000
    meta["tip"] = 4999


def generator(name: str) -> Callable[[random.Random, dict[str, object]], Iterator[Commit]]:
    """The generator function of stream *name* (KeyError if unknown)."""
    if name == "history":
        from benchmarks.history import history

        return history
    return {"small": small, "big": big, "chain": chain}[name]
