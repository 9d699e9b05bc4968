"""In-process storage measurements, run as ``python -c SNIPPET REPO WHAT``.

Both snippets open the repository, then time reconstructing every revision
of one revlog (``changelog``, ``manifest`` or a tracked file path) and print
``BENCH_SECONDS=``.  Interpreter start-up and imports are outside the timed
region on both sides; peak RSS covers the whole child.
"""
from __future__ import annotations

HG_READ = """
import sys, time
from mercurial import hg, ui as uimod
repo = hg.repository(uimod.ui.load(), sys.argv[1].encode()).unfiltered()
what = sys.argv[2]
if what == "changelog":
    log = repo.changelog
elif what == "manifest":
    log = repo.manifestlog.getstorage(b"")
else:
    log = repo.file(what.encode())
count = len(log)
start = time.perf_counter()
for rev in range(count):
    log.revision(rev)
print("BENCH_SECONDS=%f" % (time.perf_counter() - start))
"""

AMG_READ = """
import sys, time
from amalgam.repo import Repository
repo = Repository.open(sys.argv[1])
what = sys.argv[2]
if what == "changelog":
    log = repo.changelog.revlog
elif what == "manifest":
    log = repo.manifestlog.revlog
else:
    log = repo.file(what.encode()).revlog
count = len(log)
start = time.perf_counter()
for rev in range(count):
    log.revision(rev)
print("BENCH_SECONDS=%f" % (time.perf_counter() - start))
"""
