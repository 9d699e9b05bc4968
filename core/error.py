"""The one exception hierarchy of Amalgam.

Every error a user can cause carries a message, optional hints they can act
on, and a category.  The command line prints ``abort: MESSAGE`` and one
``(HINT)`` line per hint on stderr, with no traceback unless ``--traceback``.

Exit codes follow hg: by default every abort exits 255; with
``ui.detailed-exit-code = true`` each category exits with its own code
(the same numbers hg uses for its detailed exit codes).
"""
from __future__ import annotations

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


class AmalgamError(Exception):
    """Root of every error Amalgam raises on purpose."""

    #: Exit code when ``ui.detailed-exit-code`` is on.
    detailed_exit_code = 255
    #: Word printed before the message.
    prefix = "abort"

    def __init__(self, message: str, *, hint: str | None = None,
                 hints: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.hints: list[str] = ([hint] if hint else []) + list(hints)

    def exit_code(self, detailed: bool = False) -> int:
        return self.detailed_exit_code if detailed else 255

    def format(self, program: str = "amg") -> list[str]:
        """The lines printed on stderr for this error (*program* names us)."""
        lines = [f"{self.prefix or program}: {self.message}"]
        lines.extend(f"({h})" for h in self.hints)
        return lines


class Abort(AmalgamError):
    """The operation cannot continue; nothing more specific applies."""


class InputError(Abort):
    """The user's arguments are wrong: bad option, bad revision, bad path."""

    detailed_exit_code = 10


class ParseError(InputError):
    """Text the user gave (a revset, a template, a date) is malformed.

    Printed the way hg prints its parse errors: ``amg: parse error: ...``
    (or ``parse error at COLUMN: ...``) rather than ``abort: ...``.
    """

    prefix = ""

    def __init__(self, message: str, *, hint: str | None = None,
                 hints: Iterable[str] = ()) -> None:
        if not message.startswith("parse error"):
            message = f"parse error: {message}"
        super().__init__(message, hint=hint, hints=hints)


class UnknownCommand(InputError):
    """No command (built-in or from an enabled plugin) has this name."""


class AmbiguousCommand(InputError):
    """A command prefix matches more than one command."""


class StateError(Abort):
    """The repository or working copy is in a state that forbids this."""

    detailed_exit_code = 20


class ConfigError(Abort):
    """A configuration file or ``--config`` value is invalid."""

    detailed_exit_code = 30


class PluginError(ConfigError):
    """A plugin is unknown, broken, or disagrees with its manifest."""


class RepoError(Abort):
    """No repository where one is needed, or one that cannot be opened."""

    detailed_exit_code = 255


class RequirementError(RepoError):
    """The repository needs a feature neither the kernel nor a plugin claims."""


class StorageError(Abort):
    """Stored data is corrupt, truncated or of an unknown kind."""

    detailed_exit_code = 50


class LockError(StateError):
    """A lock could not be taken in time."""


class LockHeld(LockError):
    """Another process holds the lock."""


class RecoveryNeeded(StateError):
    """An interrupted transaction's journal was found."""


class RemoteError(Abort):
    """A peer answered with an error, or could not be reached."""

    detailed_exit_code = 100


class SecurityError(Abort):
    """A path or operation would escape the repository or its permissions."""

    detailed_exit_code = 150


class CanceledError(Abort):
    """The user declined a prompt or interrupted the operation."""

    detailed_exit_code = 250
