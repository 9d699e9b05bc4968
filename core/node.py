"""Node ids and revision numbers, as distinct types.

A node is the 20-byte SHA-1 identifying a revision; a rev is its position in
one revlog.  Keeping them apart in type hints catches a whole class of bugs.
"""
from __future__ import annotations

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NewType

    Node = NewType("Node", bytes)
    Rev = NewType("Rev", int)
else:
    # What NewType does at run time: return the value unchanged.  typing
    # (with re, enum and functools) would cost more than amg's start-up.
    def Node(value: bytes) -> bytes:  # noqa: N802 - stands in for the type
        return value

    def Rev(value: int) -> int:  # noqa: N802 - stands in for the type
        return value

NODE_LEN = 20
nullid = Node(b"\0" * NODE_LEN)
nullrev = Rev(-1)
# hg's pseudo revision number for the working directory.
wdirrev = Rev(0x7FFFFFFF)
wdirid = Node(b"\xff" * NODE_LEN)


def hex(node: bytes) -> str:
    """Full 40-digit lowercase hexadecimal form of *node*."""
    return node.hex()


def short(node: bytes) -> str:
    """The 12-digit form hg prints by default."""
    return node[:6].hex()


def bin(text: str | bytes) -> Node:
    """Parse a 40-digit hexadecimal node id; ValueError if malformed."""
    import binascii  # only parsing needs it; bytes.hex() writes hex

    if len(text) != 2 * NODE_LEN:
        raise ValueError(f"node id must be {2 * NODE_LEN} hexadecimal digits")
    try:
        return Node(binascii.unhexlify(text))
    except binascii.Error as exc:
        raise ValueError(f"invalid node id: {text!r}") from exc
