"""A small hg-style option parser.

Options are declared as ``(short, long, default, help[, metavar])``.  The
type of *default* decides the kind: ``bool`` is a flag (``--no-NAME`` turns
it off), ``list`` repeats, ``int`` takes an integer, ``None`` or ``str``
takes a string.  Parsing understands ``--opt=value``, ``--opt value``,
``-xVALUE``, ``-x VALUE``, clusters of flags (``-abc``), ``--`` and unique
prefixes of long names.  Results are keyed by long name.
"""
from __future__ import annotations

from amalgam import error

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any


class OptionError(error.InputError):
    """An option the parser could not accept (unknown, missing value, bad int)."""


class _Spec:
    __slots__ = ("name", "default")

    def __init__(self, name: str, default: Any) -> None:
        self.name = name
        self.default = default

    @property
    def takes_value(self) -> bool:
        return not isinstance(self.default, bool)


class Parser:
    """Parses one command line against a list of declared options.

    *noabbrev* names long options that must be spelled out (the command
    line reads them before it knows the command, so a prefix would be
    ambiguous between passes); *synonyms* maps extra exact spellings to
    long names (hg accepts ``--repo`` for ``--repository``).
    """

    def __init__(self, options: Iterable[Sequence[Any]],
                 noabbrev: Iterable[str] = (),
                 synonyms: dict[str, str] | None = None) -> None:
        self.short: dict[str, _Spec] = {}
        self.long: dict[str, _Spec] = {}
        for opt in options:
            spec = _Spec(opt[1], opt[2])
            # The first declaration wins: a command's own option shadows a
            # global one with the same letter or name.
            if opt[0] and opt[0] not in self.short:
                self.short[opt[0]] = spec
            self.long.setdefault(opt[1], spec)
        self.noabbrev = frozenset(noabbrev)
        self.synonyms = {alt: self.long[name] for alt, name in (synonyms or {}).items()}

    def defaults(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, spec in self.long.items():
            out[name] = list(spec.default) if isinstance(spec.default, list) else spec.default
        return out

    def parse(self, args: Sequence[str], *, gnu: bool = True, keep_unknown: bool = False
              ) -> tuple[dict[str, Any], list[str]]:
        """Return ``(values given on the line, positional arguments)``.

        With ``gnu=False`` parsing stops at the first positional argument
        (used for the options before the command name).  With
        *keep_unknown*, options the parser does not know (and any prefix)
        are left among the positional arguments instead of raising.
        """
        values: dict[str, Any] = {}
        positional: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if arg == "--":
                if keep_unknown:
                    positional.append(arg)
                positional.extend(args[i:])
                break
            if not arg.startswith("-") or arg == "-":
                positional.append(arg)
                if not gnu:
                    positional.extend(args[i:])
                    break
                continue
            if arg.startswith("--"):
                consumed = self._long(arg, args, i, values, keep_unknown)
            else:
                consumed = self._short(arg, args, i, values, keep_unknown)
            if consumed is None:
                positional.append(arg)
            else:
                i += consumed
        return values, positional

    # -- one argument ------------------------------------------------------

    def _long(self, arg: str, args: Sequence[str], i: int, values: dict[str, Any],
              keep_unknown: bool) -> int | None:
        name, eq, inline = arg[2:].partition("=")
        spec, negated = self._find_long(name, exact=keep_unknown)
        if spec is None:
            if keep_unknown:
                return None
            raise OptionError(f"option --{name} not recognized")
        if not spec.takes_value:
            if eq:
                raise OptionError(f"option --{name} takes no value")
            values[spec.name] = not negated
            return 0
        if eq:
            self._store(spec, inline, values)
            return 0
        if i >= len(args):
            if keep_unknown:
                return None
            raise OptionError(f"option --{spec.name} requires argument")
        self._store(spec, args[i], values)
        return 1

    def _find_long(self, name: str, exact: bool) -> tuple[_Spec | None, bool]:
        if name in self.long:
            return self.long[name], False
        if name in self.synonyms:
            return self.synonyms[name], False
        if name.startswith("no-") and name[3:] in self.long:
            spec = self.long[name[3:]]
            if not spec.takes_value:
                return spec, True
        if exact or not name:
            return None, False
        candidates = [n for n in self.long if n.startswith(name)]
        candidates += ["no-" + n for n, s in self.long.items()
                       if not s.takes_value and ("no-" + n).startswith(name)]
        if len(candidates) > 1:
            listed = ", ".join("--" + c for c in sorted(candidates))
            raise OptionError(f"option --{name} is ambiguous ({listed})")
        if not candidates:
            return None, False
        full = candidates[0]
        negated = full.startswith("no-") and full not in self.long
        base = full[3:] if negated else full
        if base in self.noabbrev:
            raise OptionError(f"option --{base} may not be abbreviated")
        return self.long[base], negated

    def _short(self, arg: str, args: Sequence[str], i: int, values: dict[str, Any],
               keep_unknown: bool) -> int | None:
        # Check the whole cluster before storing anything, so an unknown
        # letter under keep_unknown leaves *values* untouched.
        letters = arg[1:]
        flags: list[_Spec] = []
        for pos, letter in enumerate(letters):
            spec = self.short.get(letter)
            if spec is None:
                if keep_unknown:
                    return None
                raise OptionError(f"option -{letter} not recognized")
            if not spec.takes_value:
                flags.append(spec)
                continue
            rest = letters[pos + 1:]
            if not rest and i >= len(args):
                if keep_unknown:
                    return None
                raise OptionError(f"option -{letter} requires argument")
            for flag in flags:
                values[flag.name] = True
            self._store(spec, rest or args[i], values)
            return 0 if rest else 1
        for flag in flags:
            values[flag.name] = True
        return 0

    @staticmethod
    def _store(spec: _Spec, text: str, values: dict[str, Any]) -> None:
        default = spec.default
        if isinstance(default, list):
            values.setdefault(spec.name, []).append(text)
        elif isinstance(default, int):
            try:
                values[spec.name] = int(text)
            except ValueError:
                raise OptionError(
                    f"invalid value {text!r} for option --{spec.name}, expected an integer"
                ) from None
        else:
            values[spec.name] = text
