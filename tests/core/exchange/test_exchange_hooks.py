"""The kernel calls the exchange hooks where plugins need them."""
from __future__ import annotations

import io
from pathlib import Path

from amalgam.exchange import bundle2
from amalgam.exchange.bundle import apply_stream
from amalgam.exchange.bundle2 import open_stream
from amalgam.exchange.changegroup import Unpacker
from amalgam.exchange.clone import clone
from amalgam.exchange.peer import LocalPeer
from amalgam.exchange.pull import pull
from amalgam.exchange.push import push
from amalgam.repo import FileChange, Repository
from amalgam.ui import UI


class RecordingHooks:
    """Stands in for ``ui.hooks``: records calls, answers like one plugin would."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.handled: list[bytes] = []

    def exchange_bundle2_handlers(self, *, repo):
        self.calls.append("bundle2_handlers")
        return [{"x-amg-test": lambda op, part: self.handled.append(part.read())}]

    def exchange_changegroup_filter(self, *, repo, args):
        self.calls.append("changegroup_filter")
        return [lambda path: not path.startswith(b"secret/")]

    def exchange_getbundle_parts(self, *, repo, bundler, args):
        self.calls.append("getbundle_parts")
        bundler.newpart("x-amg-test", data=b"from the server")

    def exchange_getbundle_args(self, *, repo, peer, args):
        self.calls.append("getbundle_args")
        args["x_plugin_arg"] = "1"

    def exchange_pull_done(self, *, repo, peer, result):
        self.calls.append("pull_done")

    def exchange_clone_prestep(self, *, repo, peer, opts):
        self.calls.append("clone_prestep")

    def exchange_push_prestep(self, *, repo, peer, outgoing):
        self.calls.append(f"push_prestep:{len(outgoing)}")


def _ui(hooks: RecordingHooks) -> UI:
    ui = UI(fout=io.BytesIO(), ferr=io.BytesIO())
    ui.hooks = hooks  # type: ignore[assignment]
    return ui


def _repo(path: Path, ui: UI) -> Repository:
    repo = Repository.create(str(path), ui)
    repo.commit_files({b"pub/a": FileChange(b"a\n"), b"secret/b": FileChange(b"b\n")},
                      user="t", message="m", date=(0.0, 0))
    return repo


def test_server_side_hooks_filter_files_and_add_parts(tmp_path: Path) -> None:
    hooks = RecordingHooks()
    src = _repo(tmp_path / "src", _ui(hooks))
    stream = LocalPeer(src).getbundle("pull", heads=[src.changelog.tip()], common=[])
    files, types = [], []
    for part in open_stream(stream).parts():
        types.append(part.type)
        if part.type == "changegroup":
            unpacker = Unpacker(part, part.params["version"])
            for group in (unpacker.changelog(), unpacker.manifests()):
                list(group)
            for path, group in unpacker.files():
                files.append(path)
                list(group)
    assert files == [b"pub/a"]
    assert types == ["changegroup", "x-amg-test"]


def test_plugin_part_handler_runs_on_receipt(tmp_path: Path) -> None:
    hooks = RecordingHooks()
    repo = Repository.create(str(tmp_path / "r"), _ui(hooks))
    writer = bundle2.Writer()
    writer.newpart("x-amg-test", data=b"payload")
    apply_stream(repo, repo.ui, io.BytesIO(b"".join(writer.chunks())), source="unbundle")
    assert hooks.handled == [b"payload"]


def test_client_hooks_for_clone_pull_and_push(tmp_path: Path) -> None:
    src_hooks = RecordingHooks()
    src_hooks.exchange_changegroup_filter = lambda **kw: []  # type: ignore[method-assign]
    src = _repo(tmp_path / "src", _ui(src_hooks))
    hooks = RecordingHooks()
    # A local source is opened with our UI, so our (non-filtering) hooks serve it.
    hooks.exchange_changegroup_filter = lambda **kw: []  # type: ignore[method-assign]
    ui = _ui(hooks)
    dest = clone(ui, str(tmp_path / "src"), str(tmp_path / "dest"), update=False,
                 pull_protocol=True)
    assert hooks.calls[:2] == ["clone_prestep", "getbundle_args"]
    assert hooks.calls.index("bundle2_handlers") < hooks.calls.index("pull_done")
    assert hooks.handled == [b"from the server"]
    dest.commit_files({b"pub/c": FileChange(b"c\n")}, user="t", message="m2",
                      date=(1.0, 0))
    hooks.calls.clear()
    assert push(dest, LocalPeer(Repository.open(src.root, _ui(src_hooks))), ui) == 0
    assert "push_prestep:1" in hooks.calls
    hooks.calls.clear()
    pull(dest, LocalPeer(Repository.open(src.root, _ui(src_hooks))), ui)
    assert hooks.calls[0] == "getbundle_args" and hooks.calls[-1] == "pull_done"
