"""Checks and normal forms for the names and versions a distribution carries.

Each checker returns an error message (``None`` when the value is fine),
so the spec reader can attach the file and line.  Everything here ends up
in wheel metadata or a generated module, where a stray newline or an
unnormalised version would break pip, so the rules are strict.
"""
from __future__ import annotations

import keyword
import re
import sys

COMMAND_RE = re.compile(r"[a-z][a-z0-9_-]*")
PACKAGE_RE = re.compile(r"[a-z_][a-z0-9_]*")
PLUGIN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
#: Names a distribution may not take: they would shadow Amalgam itself.
RESERVED_COMMANDS = frozenset({"amg"})
RESERVED_PACKAGES = frozenset({"amalgam", "amalgam_vcs"})
MAX_NAME = 100
MAX_VERSION = 64
MAX_REQUIREMENT = 500

# The version grammar of PEP 440 (its permissive spelling, which is then
# normalised): epoch, release, pre, post, dev and local segments.
_VERSION_RE = re.compile(r"""
    v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?:[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?:-(?P<post_n1>[0-9]+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?)?
    (?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    """, re.VERBOSE | re.IGNORECASE)
_PRE = {"a": "a", "alpha": "a", "b": "b", "beta": "b",
        "c": "rc", "pre": "rc", "preview": "rc", "rc": "rc"}

# PEP 508 in outline: a project name, optional extras, then a version
# specifier, URL or marker.  pip checks the rest when it installs.
_REQUIREMENT_RE = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
    r"\s*(?:\[[A-Za-z0-9._,\s-]*\])?"
    r"\s*(?:[<>=!~;@(].*)?")


def normalize_version(text: str) -> str | None:
    """The PEP 440 normal form of *text*, or ``None`` if it is no version."""
    if len(text) > MAX_VERSION:
        return None
    m = _VERSION_RE.fullmatch(text.strip())
    if m is None:
        return None
    out = []
    if m["epoch"] and int(m["epoch"]):
        out.append(f"{int(m['epoch'])}!")
    out.append(".".join(str(int(p)) for p in m["release"].split(".")))
    if m["pre_l"]:
        out.append(_PRE[m["pre_l"].lower()] + str(int(m["pre_n"] or 0)))
    if m["post_n1"] or m["post_l"]:
        out.append(f".post{int(m['post_n1'] or m['post_n2'] or 0)}")
    if m["dev_l"]:
        out.append(f".dev{int(m['dev_n'] or 0)}")
    if m["local"]:
        parts = re.split(r"[-_.]", m["local"].lower())
        out.append("+" + ".".join(str(int(p)) if p.isdigit() else p for p in parts))
    return "".join(out)


def wheel_name(project: str) -> str:
    """The escaped project name used in wheel and dist-info file names."""
    return re.sub(r"[-_.]+", "_", project).lower()


def check_name(value: str) -> str | None:
    if not value.strip():
        return "name must not be empty"
    if len(value) > MAX_NAME or not value.isprintable():
        return f"name must be one printable line of at most {MAX_NAME} characters"
    return None


def check_command(value: str) -> str | None:
    if not COMMAND_RE.fullmatch(value) or len(value) > MAX_NAME:
        return (f"invalid command name {value!r}: use lower-case letters, digits,"
                " '-' and '_', starting with a letter")
    if value in RESERVED_COMMANDS:
        return f"command name {value!r} is Amalgam's own"
    return None


def check_package(value: str) -> str | None:
    if (not PACKAGE_RE.fullmatch(value) or len(value) > MAX_NAME
            or keyword.iskeyword(value)):
        return (f"invalid package name {value!r}: use a lower-case Python"
                " identifier (letters, digits, '_')")
    if value in RESERVED_PACKAGES or value.startswith("amalgam."):
        return f"package name {value!r} is Amalgam's own"
    if value in sys.stdlib_module_names:
        return f"package name {value!r} would shadow Python's '{value}' module"
    return None


def check_plugin(value: str) -> str | None:
    if not PLUGIN_RE.fullmatch(value) or len(value) > MAX_NAME:
        return (f"invalid plugin name {value!r}: use letters, digits, '-' and '_',"
                " starting with a letter")
    return None


def check_requirement(value: str) -> str | None:
    if (len(value) > MAX_REQUIREMENT or not value.isprintable()
            or not _REQUIREMENT_RE.fullmatch(value.strip())):
        return (f"invalid requirement {value!r}: expected a pip requirement"
                " such as 'amg-hello>=0.1'")
    return None
