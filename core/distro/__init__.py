"""Organisation distributions: a branded Amalgam described by one DISTRO.toml.

A distribution names its own command (``acme``), version, plugins and
default configuration.  ``amg distro build`` turns the description into a
wheel whose console script activates the distribution (:func:`activate`)
and then runs the ordinary command line, which asks :func:`active` for the
program name, the default-config layer and what ``version`` prints.

This module is imported by every branded command at start-up, so it
imports nothing beyond the standard library's cheapest modules; parsing
(``tomllib``) and wheel writing live in submodules imported on demand.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping
    from pathlib import Path

#: Version of the dictionary layout :meth:`Distribution.to_dict` writes.
#: A wheel built by an older Amalgam must keep working with a newer one.
DATA_FORMAT = 1

_ACTIVE: Distribution | None = None


class Distribution:
    """One distribution: identity, plugins, and the default-config layer.

    A hand-written class rather than a dataclass: importing ``dataclasses``
    pulls in ``inspect``, which would dominate a branded command's start-up.
    Instances are treated as immutable.
    """

    __slots__ = ("name", "command", "version", "package", "plugins", "builtin",
                 "requirements", "defaults")

    def __init__(self, *, name: str, command: str, version: str, package: str,
                 plugins: tuple[str, ...] = (), builtin: tuple[str, ...] = (),
                 requirements: tuple[str, ...] = (),
                 defaults: Mapping[str, Any] | None = None) -> None:
        #: Human name, shown by ``version``.
        self.name = name
        #: Console-script name; also the program name in messages.
        self.command = command
        #: The distribution's own version (PEP 440, normalised).
        self.version = version
        #: Import / distribution name of the generated wheel.
        self.package = package
        #: Every plugin the distribution enables, built-in ones first.
        self.plugins = tuple(plugins)
        #: Which of :attr:`plugins` ship with Amalgam itself.
        self.builtin = tuple(builtin)
        #: pip requirements of the third-party plugin distributions.
        self.requirements = tuple(requirements)
        #: The config layer just above Amalgam's built-in defaults, shaped
        #: like a parsed config.toml; its ``plugins`` table enables
        #: :attr:`plugins`.
        self.defaults: Mapping[str, Any] = dict(defaults or {})

    def to_dict(self) -> dict[str, Any]:
        """Plain data (str, int, float, bool, list, dict) for the wheel."""
        return {
            "format": DATA_FORMAT,
            "name": self.name,
            "command": self.command,
            "version": self.version,
            "package": self.package,
            "plugins": list(self.plugins),
            "builtin": list(self.builtin),
            "requirements": list(self.requirements),
            "defaults": dict(self.defaults),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Distribution:
        """Inverse of :meth:`to_dict`; keys a later format adds are ignored."""
        return cls(name=data["name"], command=data["command"],
                   version=data["version"], package=data["package"],
                   plugins=tuple(data.get("plugins", ())),
                   builtin=tuple(data.get("builtin", ())),
                   requirements=tuple(data.get("requirements", ())),
                   defaults=data.get("defaults", {}))

    def version_lines(self, kernel_version: str) -> list[str]:
        """What ``version`` prints about the distribution, one line each."""
        lines = [f"{self.name} version {self.version} ({self.command})",
                 f"based on Amalgam version {kernel_version}"]
        if self.plugins:
            lines.append("plugins: " + ", ".join(
                f"{p} (built-in)" if p in self.builtin else p for p in self.plugins))
        return lines

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Distribution):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # defaults is a mutable mapping

    def __repr__(self) -> str:
        return f"<Distribution {self.name!r} {self.command} {self.version}>"


def activate(distribution: Distribution | None) -> None:
    """Make *distribution* the one this process runs as (``None`` clears it).

    Called by a distribution's generated entry point before the command
    line starts; the command line reads it back with :func:`active`.
    """
    global _ACTIVE
    _ACTIVE = distribution


def active() -> Distribution | None:
    """The distribution this process runs as, or ``None`` for plain ``amg``."""
    return _ACTIVE


def load_spec(path: str | os.PathLike[str]) -> Distribution:
    """Read and validate a DISTRO.toml; ``ConfigError`` names file and line."""
    from amalgam.distro.spec import load_spec as _load_spec

    return _load_spec(path)


def build(spec_path: str | os.PathLike[str], outdir: str | os.PathLike[str]) -> Path:
    """Build the distribution described by *spec_path* into a wheel in *outdir*.

    Returns the wheel's path.  Nothing is written when the spec is invalid.
    """
    from amalgam.distro.wheel import write_wheel

    return write_wheel(load_spec(spec_path), outdir)
