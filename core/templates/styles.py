"""Named output styles for ``-T NAME``, written in Amalgam's template language.

A style is a per-changeset template, with variants for ``-q``, ``-v`` and
``--debug``, plus optional ``header`` (printed when it differs from the
previous changeset's), and ``start``/``end`` text around the whole output.
``--debug`` falls back to the verbose variant, then to the plain one; ``-q``
and ``-v`` fall back to the plain one.  ``json`` is produced directly, so
it always matches hg's layout byte for byte.

The texts were written from hg's observed output, style by style and
verbosity by verbosity (tests/core/templates/test_styles.py compares them).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Style:
    changeset: str
    quiet: str | None = None
    verbose: str | None = None
    debug: str | None = None
    header: str = ""
    header_verbose: str | None = None
    start: str = ""
    end: str = ""

    def pick(self, ui: Any) -> tuple[str, str]:
        """(changeset template, header template) for the UI's verbosity."""
        if getattr(ui, "debugflag", False):
            changeset = self.debug or self.verbose or self.changeset
        elif getattr(ui, "verbose", False):
            changeset = self.verbose or self.changeset
        elif getattr(ui, "quiet", False):
            changeset = self.quiet or self.changeset
        else:
            changeset = self.changeset
        verbose = getattr(ui, "verbose", False) or getattr(ui, "debugflag", False)
        header = self.header_verbose if verbose and self.header_verbose is not None \
            else self.header
        return changeset, header


_QUIET = "{rev}:{node|short}\n"

# -- the default family: default, show, phases, status ----------------------------------

_NAMES = (
    '{ifeq(branch, "default", "", "branch:      {branch}\n")}'
    '{bookmarks % "bookmark:    {bookmark}\n"}'
    '{tags % "tag:         {tag}\n"}'
)
_HEAD = "changeset:   {rev}:{node|short}\n" + _NAMES
_HEAD_DEBUG = "changeset:   {rev}:{node}\n" + _NAMES
_PHASE = "phase:       {phase}\n"
_PARENTS = '{parents % "parent:      {rev}:{node|short}\n"}'
# With --debug {parents} lists both parents, the null one included, in full.
_PARENTS_DEBUG = '{parents % "parent:      {rev}:{node}\n"}' "manifest:    {manifest}\n"
_USER = "user:        {author}\ndate:        {date|date}\n"
_SUMMARY = '{if(desc, "summary:     {desc|firstline}\n")}'
_DESCRIPTION = '{if(desc, "description:\n{desc}\n\n")}'
_FILES = '{if(files, "files:       {files}\n")}'
_FILES_DEBUG = ('{if(file_mods, "files:       {file_mods}\n")}'
                '{if(file_adds, "files+:      {file_adds}\n")}'
                '{if(file_dels, "files-:      {file_dels}\n")}')
_COPIES = ("{if(file_copies_switch, "
           "\"copies:      {join(file_copies_switch, ' ')}\n\")}")
_EXTRAS = '{extras % "extra:       {key}={value|stringescape}\n"}'
# log -C names each copy's source under it.
_SOURCE = "{if(get(file_copies_switch, file), '  {get(file_copies_switch, file)}\\n')}"
_STATUS = ('{if(files, "files:\n")}'
           '{file_mods % "M {file}\n' + _SOURCE + '"}'
           '{file_adds % "A {file}\n' + _SOURCE + '"}'
           "{file_dels % 'R {file}\n'}")


def _default(phase: str = "", status: str = "") -> Style:
    files, files_debug, copies = ("", "", "") if status else (_FILES, _FILES_DEBUG, _COPIES)
    return Style(
        _HEAD + phase + _PARENTS + _USER + _SUMMARY + status + "\n",
        quiet=_QUIET,
        verbose=(_HEAD + phase + _PARENTS + _USER + files + copies + _DESCRIPTION + status
                 + "\n"),
        debug=(_HEAD_DEBUG + _PHASE + _PARENTS_DEBUG + _USER + files_debug + copies + _EXTRAS
               + _DESCRIPTION + status + "\n"))


# -- compact ------------------------------------------------------------------------------

_COMPACT_PARENTS = "{if(parents, \":{join(parents % '{rev}', ',')}\")}"
_COMPACT_TAGS = "{if(tags, \"[{join(tags, ',')}]\")}"
_COMPACT = Style(
    "{rev}" + _COMPACT_TAGS + "{if(bookmarks, \"[{join(bookmarks, ',')}]\")}" + _COMPACT_PARENTS
    + "   {node|short}   {date|isodate}   {author|user}\n  {desc|firstline|strip}\n\n",
    quiet=_QUIET,
    # Verbose leaves the bookmarks out, as hg does.
    verbose="{rev}" + _COMPACT_TAGS + _COMPACT_PARENTS
    + "   {node|short}   {date|isodate}   {author}\n  {desc|strip}\n\n")

# -- changelog ----------------------------------------------------------------------------

_CL_NAMES = ("{if(tags, \" [{join(tags, ', ')}]\")}"
             '{ifeq(branch, "default", "", " <{branch}>")}')
_CL_PERSON = "{author|person}  <{author|email}>"


def _cl_files(files: str, suffix: str) -> str:
    """``\\t* FILES:SUFFIX`` wrapped to 68 columns, continuation lines tab-indented,
    when *files* is not empty."""
    wrapped = f'indent(fill("{{join({files}, \', \')}}:{suffix}", 68), "\\t", "")'
    return f'{{if({files}, "\\t* ")}}{{if({files}, {wrapped})}}'


_CL_BODY = (_cl_files("files", "") + '{if(files, "\n\t", "\t* ")}'
            '{indent(fill(desc, 68), "\t", "")}\n')
_CHANGELOG = Style(
    _CL_BODY + "\t[{node|short}]" + _CL_NAMES + "\n\n",
    quiet='\t* {indent(fill(desc|firstline, 68), "\t", "")}\n\n',
    # Verbose has no header: the line naming the changeset belongs to its text (so
    # ``log -G`` draws it beside the graph).
    verbose=("{date|isodate}  " + _CL_PERSON + "  ({node|short}" + _CL_NAMES + ")\n\n"
             + _cl_files("file_adds", " new file.") + '{if(file_adds, "\n")}'
             + _cl_files("file_dels", " deleted file.") + '{if(file_dels, "\n")}'
             + _CL_BODY + "\n"),
    header="{date|shortdate}  " + _CL_PERSON + "\n\n",
    header_verbose="")

# -- xml ----------------------------------------------------------------------------------

_XML_ENTRY = (
    '<logentry revision="{rev}" node="{node}">\n'
    '{ifeq(branch, "default", "", "<branch>{branch|xmlescape}</branch>\n")}'
    "{bookmarks % '<bookmark>{bookmark|xmlescape}</bookmark>\n'}"
    "{tags % '<tag>{tag|xmlescape}</tag>\n'}"
    "{parents % '<parent revision=\"{rev}\" node=\"{node}\" />\n'}"
    '<author email="{author|email|xmlescape}">{author|person|xmlescape}</author>\n'
    "<date>{date|rfc3339date}</date>\n"
    '<msg xml:space="preserve">{desc|xmlescape}</msg>\n')
_XML_PATHS = (
    "<paths>\n"
    "{file_adds % '<path action=\"A\">{file|xmlescape}</path>\n'}"
    "{file_dels % '<path action=\"R\">{file|xmlescape}</path>\n'}"
    "{file_mods % '<path action=\"M\">{file|xmlescape}</path>\n'}"
    "</paths>\n"
    "{if(file_copies, \"<copies>\n{file_copies % '<copy source=\\\"{source|xmlescape}\\\">"
    "{name|xmlescape}</copy>\n'}</copies>\n\")}")
_XML_EXTRAS = "{extras % '<extra key=\"{key|xmlescape}\">{value|xmlescape}</extra>\n'}"
_XML = Style(
    _XML_ENTRY + "</logentry>\n",
    verbose=_XML_ENTRY + _XML_PATHS + "</logentry>\n",
    debug=_XML_ENTRY + _XML_PATHS + _XML_EXTRAS + "</logentry>\n",
    start='<?xml version="1.0"?>\n<log>\n', end="</log>\n")

STYLES: dict[str, Style] = {
    "default": _default(),
    "show": _default(),
    "phases": _default(phase=_PHASE),
    "status": _default(status=_STATUS),
    "compact": _COMPACT,
    "changelog": _CHANGELOG,
    "xml": _XML,
}

#: Names ``-T`` accepts besides the styles above.
NAMES = ("json", *STYLES)
