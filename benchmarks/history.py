"""The *history* stream: 5,000 commits over ~2,000 files with named branches.

1–5 files change per commit: mostly line edits, some adds, copies, renames
and removals.  A few files are "hot" so one gathers well over a thousand
revisions (the annotate scenario).  A long-lived ``stable`` branch and four
short feature branches are merged back into ``default`` several times; the
last commit merges ``stable`` so ``tip`` is on ``default`` and holds
everything.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Iterator

from benchmarks.streams import Commit, FileSpec, _commit, _dirs, _new_file, _new_path, _Text

TOTAL = 5000
#: branch name -> (fork index, merge indexes into default)
SCHEDULE: dict[str, tuple[int, tuple[int, ...]]] = {
    "stable": (800, (1600, 2400, 3200, 4000, 4800, TOTAL - 1)),
    "feature-a": (1200, (1500,)),
    "feature-b": (2000, (2300,)),
    "feature-c": (3000, (3400,)),
    "feature-d": (4200, (4500,)),
}
#: share of commits that go to an open branch instead of default
SHARE = {"stable": 0.12, "feature-a": 0.25, "feature-b": 0.25, "feature-c": 0.25,
         "feature-d": 0.25}


@dataclass
class _Branch:
    name: str
    head: int
    state: dict[bytes, FileSpec]
    #: state at the fork or the last merge: what the next merge must carry over
    base: dict[bytes, FileSpec]


def history(rng: random.Random, meta: dict[str, object]) -> Iterator[Commit]:
    """Yield the 5,000 commits; fill *meta* with the hot file and revision facts."""
    text = _Text(rng, 20_000)
    directories = _dirs(rng, text, 150, 4)
    counter = [0]

    def fresh_path() -> bytes:
        counter[0] += 1
        return _new_path(rng, text, rng.choice(directories), counter[0])

    initial = {}
    for _ in range(1000):
        path = fresh_path()
        initial[path] = _new_file(rng, text, path)
    hot = sorted(initial)[:10]
    revisions: Counter[bytes] = Counter(initial.keys())
    default = _Branch("default", 0, dict(initial), {})
    branches: dict[str, _Branch] = {}
    merges = {i: name for name, (_, at) in SCHEDULE.items() for i in at}
    forks = {fork: name for name, (fork, _) in SCHEDULE.items()}
    yield _commit(0, rng, -1, dict(initial), "initial import")

    for i in range(1, TOTAL):
        if i in merges:
            commit = _merge(i, rng, default, branches[merges[i]])
            if merges[i] != "stable":
                del branches[merges[i]]
            revisions.update(commit.files.keys())
            yield commit
            continue
        if i in forks:
            name = forks[i]
            branches[name] = _Branch(name, default.head, dict(default.state),
                                     dict(default.state))
            target = branches[name]
        else:
            target = default
            for branch in branches.values():
                if rng.random() < SHARE[branch.name]:
                    target = branch
                    break
        files = _changes(rng, text, target.state, hot, fresh_path)
        for path, spec in files.items():
            if spec is None:
                del target.state[path]
            else:
                target.state[path] = FileSpec(spec.data, spec.flags)
        revisions.update(files.keys())
        yield _commit(i, rng, target.head, files, f"change {i} on {target.name}",
                      branch=target.name)
        target.head = i

    hottest, count = revisions.most_common(1)[0]
    meta["hot_file"] = hottest.decode()
    meta["hot_file_revisions"] = count
    meta["files"] = len(default.state)
    meta["tip"] = TOTAL - 1
    meta["branches"] = sorted(SCHEDULE)


def _changes(rng: random.Random, text: _Text, state: dict[bytes, FileSpec],
             hot: list[bytes], fresh_path) -> dict[bytes, FileSpec | None]:
    """1–5 changes to *state*: edits (skewed to the hot files), adds, copies,
    renames and removals.  Hot files are never removed or renamed."""
    files: dict[bytes, FileSpec | None] = {}
    live = sorted(state)
    for _ in range(rng.randint(1, 5)):
        roll = rng.random()
        cold = [p for p in rng.sample(live, 3) if p not in hot and p not in files]
        if roll < 0.06:
            path = fresh_path()
            files[path] = _new_file(rng, text, path)
        elif roll < 0.09 and cold:
            source = cold[0]
            path = fresh_path()
            data = text.edit(rng, state[source].data)
            files[path] = FileSpec(data, state[source].flags, copy_source=source)
            if roll >= 0.075:  # a rename: the source goes away
                files[source] = None
        elif roll < 0.10 and cold:
            files[cold[0]] = None
        else:
            pick = rng.random()
            if pick < 0.12:
                path = hot[0]
            elif pick < 0.25:
                path = rng.choice(hot[1:])
            else:
                path = rng.choice(live)
            current = files[path] if path in files else state.get(path)
            if current is None:  # removed earlier in this commit
                continue
            files[path] = FileSpec(text.edit(rng, current.data), current.flags,
                                   current.copy_source)
    return files


def _merge(i: int, rng: random.Random, default: _Branch, branch: _Branch) -> Commit:
    """Merge *branch* into default: take every file the branch changed since
    its fork or last merge (the branch wins conflicts)."""
    merged = dict(default.state)
    for path in branch.state.keys() | branch.base.keys():
        theirs = branch.state.get(path)
        if theirs is not branch.base.get(path):
            if theirs is None:
                merged.pop(path, None)
            else:
                merged[path] = theirs
    files: dict[bytes, FileSpec | None] = {
        path: merged.get(path)
        for path in merged.keys() | default.state.keys()
        if merged.get(path) is not default.state.get(path)
    }
    commit = _commit(i, rng, default.head, files, f"merge {branch.name} into default",
                     p2=branch.head)
    default.state, default.head = merged, i
    branch.base = dict(branch.state)
    return commit
