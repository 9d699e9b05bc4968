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


class BatchingPeer(CountingPeer):
    """A peer answering heads and the first sample together, like WirePeer."""

    def __init__(self, repo: Repository) -> None:
        super().__init__(repo)
        self.batched = 0
        self.heads_calls = 0

    def heads(self):
        self.heads_calls += 1
        return super().heads()

    def heads_known(self, nodes):
        self.batched += 1
        return LocalPeer.heads(self), LocalPeer.known(self, nodes)


def test_first_round_batches_heads_and_known(tmp_path: Path) -> None:
    remote = _linear(tmp_path / "remote", 300)
    local = _linear(tmp_path / "local", 300, extra=5)
    peer = BatchingPeer(remote)
    disc = discovery.discover(local, peer)
    assert (peer.batched, peer.heads_calls) == (1, 0)
    assert disc.roundtrips == 1 + peer.calls
    assert disc.commonheads == [remote.changelog.tip()]
    assert discovery.outgoing(local, disc) == list(range(300, 305))
    assert peer.calls <= 2


def test_pull_discovery_is_one_round_trip(tmp_path: Path) -> None:
    remote = _linear(tmp_path / "remote", 300, extra=10)
    local = _linear(tmp_path / "local", 300)
    peer = BatchingPeer(remote)
    disc = discovery.discover(local, peer)
    # The peer knows our only head: the batched first question settles everything.
    assert (peer.batched, peer.heads_calls, peer.calls, disc.roundtrips) == (1, 0, 0, 1)
    assert len(disc.common) == 300 and disc.incoming_possible(local)


def test_batched_discovery_of_diverged_histories(tmp_path: Path) -> None:
    remote = _linear(tmp_path / "remote", 50, extra=3)
    local = _linear(tmp_path / "local", 50, extra=0)
    with local.lock(), local.transaction("more"):
        for i in range(4):
            local.commit_files({b"h": FileChange(b"%d\n" % i)}, user="t", message=f"h{i}",
                               date=(0.0, 0))
    peer = BatchingPeer(remote)
    disc = discovery.discover(local, peer)
    assert len(disc.common) == 50
    assert discovery.outgoing(local, disc) == list(range(50, 54))
    assert disc.incoming_possible(local)


def test_empty_local_repository_asks_heads_only(tmp_path: Path) -> None:
    remote = _linear(tmp_path / "remote", 3)
    local = Repository.create(str(tmp_path / "local"), UI())
    peer = BatchingPeer(remote)
    disc = discovery.discover(local, peer)
    assert (peer.batched, peer.heads_calls, peer.calls) == (0, 1, 0)
    assert disc.common == set() and disc.incoming_possible(local)
