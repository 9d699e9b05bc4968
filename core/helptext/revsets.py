"""``amg help revsets``: the operators, then every registered revset function."""
from __future__ import annotations

from amalgam.helptext import WIDTH, _wrap

OPERATORS = [
    ("x::y", "descendants of x that are also ancestors of y (x..y is the same)"),
    ("::x / x::", "ancestors of x / descendants of x, x included"),
    ("x:y", "revision numbers from x to y, in that direction; :y and x: are open"),
    ("not x, !x", "changesets not in x"),
    ("x and y, x & y", "changesets in both, in the order of x"),
    ("x or y, x | y, x + y", "changesets in either, x's first"),
    ("x - y", "changesets in x but not in y"),
    ("x % y", "only(x, y): ancestors of x that are not ancestors of y"),
    ("x^, x^n", "first parent, n-th parent (n is 0, 1 or 2)"),
    ("x~n", "the n-th first-parent ancestor"),
    ("a ## b", "concatenate two strings or symbols into one name"),
    ("x#generations[n], x#g[a:b]",
     "changesets n generations from x: 0 is x, positive n descendants, negative "
     "ancestors; a range (either end open) takes every generation in it, and "
     "x#generations alone takes them all"),
]


def _block(rows: list[tuple[str, str]], indent: int = 4) -> list[str]:
    lines = []
    for head, text in rows:
        lines.append(f"  {head}")
        lines.extend(" " * indent + line for line in _wrap(text, WIDTH, indent))
        lines.append("")
    return lines


def topic(prog: str) -> str:
    """The help page; functions come from the live registry, plugins' included."""
    from amalgam.revset import _load_predicates
    from amalgam.revset.evaluate import PREDICATES

    _load_predicates()
    lines = ["Specifying revision sets", "",
             *_wrap("A revset selects changesets. Symbols are revision numbers, hex "
                    "node prefixes, tags, bookmarks, branch names, 'tip', '.' and "
                    "'null'; quote names that contain operator characters. Aliases "
                    "come from the [revsetalias] config section: name = expression, "
                    "or name(a, b) = expression using a and b.", WIDTH, 0),
             "", "Operators:", "", *_block(OPERATORS), "Functions:", ""]
    functions = [(p.decl, " ".join(p.doc.split()) or "(no description)")
                 for _, p in sorted(PREDICATES.items())]
    lines += _block(functions)
    lines += _wrap("String arguments take 're:' for a regular expression and "
                   "'literal:' for exact text. File patterns default to glob.", WIDTH, 0)
    lines += ["", f"(try '{prog} debugrevspec EXPR' to see what an expression selects)"]
    return "\n".join(lines) + "\n"
