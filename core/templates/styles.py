"""Named output styles for ``-T NAME``, written in Amalgam's template language.

A style is a per-changeset template plus optional ``header`` (printed when
it differs from the previous changeset's), ``start``/``end`` text and a
separator between changesets.  ``json`` is produced directly, so it always
matches hg's layout byte for byte.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    changeset: str
    header: str = ""
    start: str = ""
    end: str = ""
    separator: str = ""


_NAMES = (
    '{bookmarks % "bookmark:    {bookmark}\n"}'
    '{tags % "tag:         {tag}\n"}'
)
_PEOPLE = (
    '{parents % "parent:      {rev}:{node|short}\n"}'
    "user:        {author}\n"
    "date:        {date|date}\n"
    '{if(desc, "summary:     {desc|firstline}\n")}'
    "\n"
)
_HEAD = ('changeset:   {rev}:{node|short}\n'
         '{ifeq(branch, "default", "", "branch:      {branch}\n")}')

STYLES: dict[str, Style] = {
    "default": Style(_HEAD + _NAMES + _PEOPLE),
    "phases": Style(_HEAD + _NAMES + "phase:       {phase}\n" + _PEOPLE),
    "compact": Style(
        '{rev}{tags % "[{tag}]"}{bookmarks % "[{bookmark}]"}'
        '{if(parents, ":{join(parents % \'{rev}\', \',\')}")}'
        "   {node|short}   {date|isodate}   {author|user}\n"
        "  {desc|firstline|strip}\n\n"),
    "changelog": Style(
        "\t* {indent(fill('{join(files, \', \')}:', 68), '\t', '')}\n"
        '{indent(fill(desc, 68), "\t")}\n'
        "\t[{node|short}]{tags % ' [{tag}]'}"
        '{ifeq(branch, "default", "", " <{branch}>")}\n\n',
        header="{date|shortdate}  {author|person}  <{author|email}>\n\n"),
}

#: Names ``-T`` accepts besides the styles above.
NAMES = ("json", *STYLES)
