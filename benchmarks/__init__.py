"""Side-by-side benchmarks of ``amg`` and ``hg`` on the same repositories.

Run ``python -m benchmarks --help``.  Modules: ``streams`` (deterministic
commit streams), ``apply`` (commits a stream through amg's or hg's API in a
child process), ``repos`` (builds and caches the repositories), ``tools``
(finds amg, hg 7.2.4, git), ``runner`` (timing), ``snippets`` (in-process
storage measurements), ``scenarios`` (the table), ``report`` (output).
"""
from __future__ import annotations
