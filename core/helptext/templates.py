"""``amg help templates``: keywords, filters, functions and styles from the registries."""
from __future__ import annotations

from amalgam.helptext import WIDTH, _wrap
from amalgam.helptext.revsets import _block


def _summary(doc: str) -> str:
    return " ".join(doc.split()) or "(no description)"


def topic(prog: str) -> str:
    """The help page, generated from what is registered (plugins' additions too)."""
    from amalgam.templates import styles
    from amalgam.templates.engine import FILTERS, FUNCTIONS, KEYWORDS, load

    load()
    lines = ["Customizing output with templates", "",
             *_wrap("-T/--template takes a style name or a template: text with "
                    "{expressions}. An expression is a keyword, a filter applied "
                    "with '|' ({date|isodate}), a function call ({join(files, ', ')}), "
                    "a list mapped through a template ({files % '{file}\\n'}) or "
                    "integer arithmetic. Quoted strings inside expressions are "
                    "templates themselves; r'...' is raw text. Names defined in "
                    "the [templates] config section can be used as styles or as "
                    "{name}.", WIDTH, 0),
             "", *_wrap("Besides log and heads, tags, branches, bookmarks, files, status, "
                        "annotate and identify take -T too: their items have their own "
                        "keywords (tag, branch, bookmark, path, status, lines...; see each "
                        "command's help) plus the keywords of the changeset an item "
                        "belongs to. '-T json' prints the items as JSON.", WIDTH, 0),
             "", "Styles:", "", *_wrap(", ".join(styles.NAMES), WIDTH - 2, 0), "",
             "Keywords:", ""]
    lines += _block([(name, _summary(doc)) for name, (_, doc) in sorted(KEYWORDS.items())])
    lines += ["Filters:", ""]
    lines += _block([(name, _summary(doc)) for name, (_, doc) in sorted(FILTERS.items())])
    lines += ["Functions:", ""]
    lines += _block([(decl, _summary(doc)) for _, (_, decl, doc) in sorted(FUNCTIONS.items())])
    lines.append(f"(try '{prog} debugtemplate -r . TEMPLATE' to see a template's output)")
    return "\n".join(lines) + "\n"
