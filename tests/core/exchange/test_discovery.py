"""Set discovery settles big histories in few round trips."""
from __future__ import annotations

from pathlib import Path

from amalgam.exchange import discovery
from amalgam.exchange.peer import LocalPeer
from amalgam.repo import FileChange, Repository
from amalgam.ui import UI


class CountingPeer(LocalPeer):
    def __init__(self, repo: Repository) -> None:
        super().__init__(repo)
        self.calls = 0

    def known(self, nodes):
        self.calls += 1
        return super().known(nodes)


def _linear(path: Path, count: int, extra: int = 0) -> Repository:
    repo = Repository.create(str(path), UI())
    with repo.lock(), repo.transaction("build"):
        for i in range(count):
            repo.commit_files({b"f": FileChange(b"%d\n" % i)}, user="t", message=str(i),
                              date=(0.0, 0))
        for i in range(extra):
            repo.commit_files({b"g": FileChange(b"x%d\n" % i)}, user="t", message=f"x{i}",
                              date=(0.0, 0))
    return repo


def test_few_round_trips_for_a_long_shared_history(tmp_path: Path) -> None:
    remote = _linear(tmp_path / "remote", 1000)
    local = _linear(tmp_path / "local", 1000, extra=5)
    peer = CountingPeer(remote)
    disc = discovery.discover(local, peer)
    assert disc.commonheads == [remote.changelog.tip()]
    assert len(disc.common) == 1000
    assert discovery.outgoing(local, disc) == list(range(1000, 1005))
    assert peer.calls <= 3


def test_unrelated_repositories_share_nothing(tmp_path: Path) -> None:
    remote = _linear(tmp_path / "remote", 10)
    local = Repository.create(str(tmp_path / "local"), UI())
    with local.lock(), local.transaction("build"):
        local.commit_files({b"other": FileChange(b"y\n")}, user="u", message="m",
                           date=(1.0, 0))
    disc = discovery.discover(local, LocalPeer(remote))
    assert disc.common == set()
    assert discovery.outgoing(local, disc) == [0]
    assert disc.incoming_possible(local)
