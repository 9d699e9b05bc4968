"""Three-way line merge: hg's results on typical edits, hg's markers, the modes."""
from __future__ import annotations

import random

import pytest

from amalgam.merge.simplemerge import BinaryFileError, merge_lines, split_lines

hgsm = pytest.importorskip("mercurial.simplemerge")


def hg_merge(base: bytes, local: bytes, other: bytes, mode: str = "merge"):
    """Real hg's rendering of the same merge (the oracle)."""
    m3 = hgsm.Merge3Text(base, local, other)
    if mode == "merge3":
        lines, conflicts = hgsm.render_merge3(m3, b"working copy", b"merge rev",
                                              b"common ancestor")
    else:
        lines, conflicts = hgsm.render_minimized(m3, b"working copy", b"merge rev")
    return b"".join(lines), bool(conflicts)


CASES = [
    # (base, local, other)
    (b"a\nb\nc\n", b"a\nB\nc\n", b"a\nb\nC\n"),                 # separate edits
    (b"a\nb\nc\n", b"a\nL\nc\n", b"a\nO\nc\n"),                 # same line
    (b"a\nb\nc\n", b"a\nX\nc\n", b"a\nX\nc\n"),                 # same edit both sides
    (b"a\nb\nc\n", b"a\nc\n", b"a\nb\nc\nd\n"),                 # delete vs append
    (b"", b"new\n", b"other\n"),                                 # both created
    (b"a\n", b"a\nl1\nl2\n", b"a\no1\n"),                        # insert at same point
    (b"a\nb\n", b"a\nb\nend", b"a\nb\nEND"),                     # no final newline
    (b"a\r\nb\r\n", b"a\r\nL\r\n", b"a\r\nO\r\n"),              # CRLF markers
    (b"x\ny\nx\ny\n", b"x\ny\nx\nY\n", b"X\ny\nx\ny\n"),         # repeated lines
    (b"1\n2\n3\n4\n5\n", b"1\nA\nB\n4\n5\n", b"1\n2\nC\nD\n5\n"),  # overlapping ranges
    (b"f\nf\nf\nf\n", b"f\n", b"f\nf\nf\nf\nf\n"),               # popular line
    (b"a\nb\nc\nd\n", b"a\nL\nsame\nd\n", b"a\nO\nsame\nd\n"),   # minimised suffix
]


@pytest.mark.parametrize("base,local,other", CASES)
@pytest.mark.parametrize("mode", ["merge", "merge3"])
def test_same_as_hg_on_typical_edits(base, local, other, mode):
    assert merge_lines(base, local, other, mode=mode) == hg_merge(base, local, other, mode)


def test_agrees_with_hg_on_random_edits():
    """Random small edits: our differ places hunks like hg's nearly always."""
    rnd = random.Random(1234)
    alphabet = [b"a\n", b"b\n", b"c\n", b"d\n"]

    def mutate(lines):
        lines = list(lines)
        for _ in range(rnd.randint(0, 3)):
            op = rnd.random()
            if op < 0.3 and lines:
                del lines[rnd.randrange(len(lines))]
            elif op < 0.6:
                lines.insert(rnd.randint(0, len(lines)), rnd.choice(alphabet))
            elif lines:
                lines[rnd.randrange(len(lines))] = rnd.choice(alphabet)
        return lines

    agree = total = 0
    for _ in range(1500):
        base = [rnd.choice(alphabet) for _ in range(rnd.randint(0, 10))]
        texts = [b"".join(x) for x in (base, mutate(base), mutate(base))]
        total += 1
        agree += merge_lines(*texts) == hg_merge(*texts)
    assert agree / total > 0.97


def test_modes():
    base, local, other = b"a\nb\nc\n", b"a\nL\nc\n", b"a\nO\nc\n"
    assert merge_lines(base, local, other, mode="union") == (b"a\nL\nO\nc\n", False)
    assert merge_lines(base, local, other, mode="local") == (b"a\nL\nc\n", False)
    assert merge_lines(base, local, other, mode="other") == (b"a\nO\nc\n", False)
    text, conflicts = merge_lines(base, local, other, ["mine", "theirs"])
    assert conflicts
    assert text == b"a\n<<<<<<< mine\nL\n=======\nO\n>>>>>>> theirs\nc\n"


def test_clean_merge_takes_both_changes():
    text, conflicts = merge_lines(b"1\n2\n3\n4\n", b"one\n2\n3\n4\n", b"1\n2\n3\nfour\n")
    assert (text, conflicts) == (b"one\n2\n3\nfour\n", False)


def test_binary_is_refused():
    with pytest.raises(BinaryFileError):
        merge_lines(b"a\0", b"b\0", b"c\0")


def test_split_lines_keeps_carriage_returns_inside_lines():
    assert split_lines(b"a\rb\nc\x0cd\n\ne") == [b"a\rb\n", b"c\x0cd\n", b"\n", b"e"]


def test_hostile_repetition_stays_fast_and_conflicts_like_hg():
    # In texts of 1,000 lines or more hg will not anchor a match on a line
    # this frequent, so both edits fall into one changed region and conflict
    # (hg 7.2.4's merge of these texts gives the same file, checked by hand).
    base = b"x\n" * 3000
    local = b"x\n" * 2999 + b"L\n"
    other = b"O\n" + b"x\n" * 2999
    text, conflicts = merge_lines(base, local, other)
    assert conflicts
    head, _, rest = text.partition(b"\n")
    assert head.startswith(b"<<<<<<<")
    ours, _, theirs = rest.partition(b"=======\n")
    assert ours == local and theirs.partition(b">>>>>>>")[0] == other
