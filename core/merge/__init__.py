"""Working-copy updates and merges: update(), merge(), the merge state and file merges."""
from __future__ import annotations
