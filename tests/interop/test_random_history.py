"""Seeded random histories (edits, adds, removes, copies, renames, flag
changes, branches and merges) give identical nodes through hg and our API."""
from __future__ import annotations

import random

import pytest

from amalgam.repo import FileChange as F

from .scenario import Step, build_amg, build_hg, fingerprint

# Each name is added once in the whole history and never comes back after a
# removal: unrelated histories of one path meet in merges only after hg's
# merge machinery chose a side, which a state-based commit cannot know.
NAME_FORMS = [b"a%d", b"b%d.txt", b"dir/c%d", b"dir/sub/d%d", b"F%d", b"g h%d", b"dir/x.i/y%d"]


def _ancestors(parents: list[tuple[int, int]], rev: int) -> set[int]:
    seen, stack = {rev}, [rev]
    while stack:
        for p in parents[stack.pop()]:
            if p >= 0 and p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def _content(rnd: random.Random) -> bytes:
    lines = [b"line %d\n" % rnd.randrange(8) for _ in range(rnd.randrange(1, 6))]
    return b"".join(lines)


def random_history(seed: int, length: int = 18) -> list[Step]:
    rnd = random.Random(seed)
    fresh = (rnd.choice(NAME_FORMS) % n for n in range(10**6))
    states: list[dict[bytes, F]] = []
    parents: list[tuple[int, int]] = []
    steps: list[Step] = []
    for number in range(length):
        heads = [r for r in range(number) if not any(r in p for p in parents)]
        if number == 0:
            p1, state = -1, {}
        else:
            p1 = rnd.choice(heads) if rnd.random() < 0.5 else rnd.randrange(number)
            state = dict(states[p1])
        others = [r for r in heads if r not in _ancestors(parents, p1)
                  and p1 not in _ancestors(parents, r)] if number else []
        if others and rnd.random() < 0.35:
            p2 = rnd.choice(others)
            final = {}
            for path in sorted(set(state) | set(states[p2])):
                choice = rnd.choice(["p1", "p2", "new", "drop"])
                pick = state.get(path) if choice == "p1" else states[p2].get(path)
                if choice == "new":
                    pick = F(_content(rnd), rnd.choice(["", "", "x"]))
                if choice != "drop" and pick is not None:
                    final[path] = F(pick.data, pick.flags)
            if not final:
                final[next(fresh)] = F(b"merged\n")
            steps.append(Step(final, f"merge {number}", parent=p1, merge=p2,
                              when=1_700_000_000 + number))
            parents.append((p1, p2))
            states.append(final)
            continue
        changes: dict[bytes, F | None] = {}
        for _ in range(rnd.randint(1, 3)):
            existing = sorted(p for p in state if p not in changes)
            action = rnd.random()
            if not existing or action < 0.25:
                changes[next(fresh)] = F(_content(rnd), "l" if rnd.random() < 0.1 else "")
                continue
            path = rnd.choice(existing)
            if action < 0.4:
                changes[path] = None
            elif action < 0.55:
                changes[next(fresh)] = F(state[path].data, copy_source=path)
                if rnd.random() < 0.5:
                    changes[path] = None
            elif action < 0.65:
                changes[path] = F(state[path].data, "" if state[path].flags else "x")
            else:
                changes[path] = F(_content(rnd), state[path].flags)
        for path, change in changes.items():
            if change is None:
                state.pop(path, None)
            else:
                state[path] = F(change.data, change.flags)
        if not state:
            name = next(fresh)
            state[name] = changes[name] = F(b"never empty\n")
        branch = rnd.choice([None, None, None, "stable"])
        steps.append(Step(changes, f"step {number}", parent=max(p1, 0) if number else None,
                          branch=branch, when=1_700_000_000 + number))
        parents.append((p1, -1))
        states.append(state)
    return steps


@pytest.mark.parametrize("seed", [2, 3])
def test_random_history_same_nodes(hg, amg, tmp_path, seed):
    steps = random_history(seed)
    removed = build_hg(hg, tmp_path / "hg", steps)
    build_amg(tmp_path / "amg", steps, removed)
    assert fingerprint(hg, tmp_path / "amg") == fingerprint(hg, tmp_path / "hg")
    hg("verify", cwd=tmp_path / "amg")
    result = amg("verify", cwd=tmp_path / "hg")
    assert result.rc == 0, result.stderr
