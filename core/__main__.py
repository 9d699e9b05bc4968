"""``python -m amalgam`` runs the ``amg`` command line."""
from __future__ import annotations

import sys

from amalgam.cli import main

sys.exit(main())
