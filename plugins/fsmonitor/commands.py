"""``amg debugfsmonitor``: what fsmonitor saved and why it last walked."""
from __future__ import annotations

import os
import time
from typing import Any

from amalgam.plugins.fsmonitor import state as statemod
from amalgam.plugins.fsmonitor.walk import Settings


def debugfsmonitor(ui: Any, repo: Any, **opts: Any) -> int:
    """show fsmonitor's saved clock, state and fallback counts"""
    settings = Settings(repo)
    ui.write(f"mode: {settings.mode}\n")
    ui.write(f"watchman: {_service(settings, repo.root)}\n")
    try:
        saved = statemod.load(repo)
    except statemod.Invalid as exc:
        ui.write(f"state: unusable ({exc.kind}: {exc})\n")
    else:
        ignore = "current" if saved.ignore == statemod.ignore_hash(repo) else "changed since"
        current = statemod.identity(repo.vfs.join("dirstate"))
        dirstate = "unchanged" if current == saved.dirstate else "changed since"
        ui.write("state: saved\n")
        ui.write(f"host: {saved.host}\n")
        ui.write(f"clock: {saved.clock}\n")
        ui.write(f"ignore rules: {saved.ignore} ({ignore})\n")
        ui.write(f"dirstate: {dirstate}\n")
        ui.write(f"notable files: {len(saved.notable)}\n")
        for path in saved.notable:
            ui.note(b"  " + path + b"\n")
    stats = statemod.load_stats(repo)
    counts = stats["counts"]
    ui.write(f"full walks: {sum(v for v in counts.values() if isinstance(v, int))}\n")
    for kind in sorted(counts):
        ui.write(f"  {kind}: {counts[kind]}\n")
    last = stats.get("last")
    if isinstance(last, dict):
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(last.get("time", 0))))
        ui.write(f"last full walk: {last.get('reason')}: {last.get('message')} "
                 f"({when} UTC)\n")
    return 0


def _service(settings: Settings, root: str) -> str:
    """Whether Watchman answers, in a few words."""
    from amalgam.plugins.fsmonitor.client import Unavailable, Watch

    try:
        watch = Watch(root, settings.sockpath, settings.timeout, settings.sockcache)
    except Unavailable as exc:
        return f"unavailable ({exc})"
    try:
        clock = watch.clock()
        # Still None when Watchman answered for the root directly: the root is the watch.
        where = watch.watch or os.fsencode(root)
        return f"watching {where.decode('utf-8', 'replace')} (clock {clock})"
    except Unavailable as exc:
        return f"unavailable ({exc})"
    finally:
        watch.close()
