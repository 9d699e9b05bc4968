"""Package discovery for the kernel / hooks / plugins layout.

The source tree keeps ``core/``, ``hooks/`` and ``plugins/`` at the top (see
ARCHITECTURE.md §3) but installs them as ``amalgam``, ``amalgam.hooks`` and
``amalgam.plugins``.  setuptools' ``find`` cannot express that mapping, so the
package list is computed here from the directories that hold ``__init__.py``.
"""
from __future__ import annotations

import os

from setuptools import setup

ROOTS = {"amalgam": "core", "amalgam.hooks": "hooks", "amalgam.plugins": "plugins"}


def _packages() -> tuple[list[str], dict[str, str]]:
    packages: list[str] = []
    for prefix, root in ROOTS.items():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
            if "__init__.py" not in filenames:
                dirnames[:] = []
                continue
            rel = os.path.relpath(dirpath, root)
            name = prefix if rel == "." else prefix + "." + rel.replace(os.sep, ".")
            packages.append(name)
    return packages, dict(ROOTS)


packages, package_dir = _packages()
setup(packages=packages, package_dir=package_dir)
