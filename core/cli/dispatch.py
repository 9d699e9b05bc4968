"""From an argument list to a command run: global options, lookup, parsing.

Global options may appear anywhere, as with hg.  The ones needed before the
command is known (``-R``, ``--cwd``, ``--config``, verbosity, ...) are read
in an early pass that leaves everything else alone; once the command is
found, its own options and the global ones are parsed together.
"""
from __future__ import annotations

import os

from amalgam import error
from amalgam.cli import services
from amalgam.cli.options import OptionError, Parser

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from amalgam.cli import RunState
    from amalgam.registrar import CommandInfo
    from amalgam.ui import UI

#: The options every command accepts, listed by ``amg help -v``.
GLOBAL_OPTIONS: list[tuple[str, str, Any, str, str] | tuple[str, str, Any, str]] = [
    ("R", "repository", "", "repository root directory", "REPO"),
    ("", "cwd", "", "change working directory", "DIR"),
    ("y", "noninteractive", False,
     "do not prompt, automatically take the default answer"),
    ("q", "quiet", False, "suppress output"),
    ("v", "verbose", False, "enable additional output"),
    ("", "color", "", "when to colorize (auto, always or never)", "TYPE"),
    ("", "config", [], "set/override a config option (SECTION.KEY=VALUE)", "CONFIG"),
    ("", "debug", False, "enable debugging output"),
    ("", "traceback", False, "always print a traceback on error"),
    ("", "time", False, "time how long the command takes"),
    ("", "profile", False, "print a command execution profile"),
    ("", "version", False, "output version information and exit"),
    ("h", "help", False, "display help and exit"),
]
_GLOBAL_NAMES = frozenset(opt[1] for opt in GLOBAL_OPTIONS)
#: Read before the command is known, so never abbreviated (as in hg).
_EARLY = ("repository", "cwd", "config")
_SYNONYMS = {"repo": "repository"}
_COLOR_MODES = ("auto", "always", "never")

_global_parser = Parser(GLOBAL_OPTIONS, noabbrev=_EARLY, synonyms=_SYNONYMS)


def run(ui: UI, argv: list[str], state: RunState) -> int | None:
    """Parse *argv*, find and run the command; return its exit code."""
    try:
        before, rest = _global_parser.parse(argv, gnu=False)
    except OptionError as exc:
        prog = services.progname()
        exc.prefix = prog
        exc.hints.append(f"use '{prog} help -v' for a list of global options")
        services.early_config(ui, argv)  # for the exit code
        raise
    name, cmdargs = (rest[0], rest[1:]) if rest else (None, [])
    after, _ = _global_parser.parse(cmdargs, keep_unknown=True)
    globs = _merge(_global_parser.defaults(), before, after)
    _apply(ui, globs, state)
    if globs["cwd"]:
        _chdir(globs["cwd"])
    cwd = os.getcwd()
    repo_path = globs["repository"] or None
    root = services.find_repo_root(
        os.path.join(cwd, repo_path) if repo_path else cwd)
    services.load_config(ui, cwd=cwd, repo_root=root, overrides=globs["config"])
    _apply(ui, globs, state)
    services.make_registry(ui, ui.config)
    for warning in ui.config.warnings():
        ui.warn(f"warning: {warning}\n")

    from amalgam.cli import resolve

    if name is None or globs["version"]:
        return _builtin_shortcut(ui, globs)
    name, cmdargs = _expand_alias(ui, name, cmdargs)
    info = resolve.command_info(ui, name)
    parser = Parser([*info.options, *ui.registry.command_options(info.name),
                     *GLOBAL_OPTIONS], noabbrev=_EARLY, synonyms=_SYNONYMS)
    try:
        values, args = parser.parse(cmdargs)
    except OptionError as exc:
        _bad_usage(ui, info, exc)
        raise
    final = _merge(parser.defaults(), before, values)
    _apply(ui, final, state)
    if final["help"]:
        helpcmd = resolve.command_info(ui, "help")
        return _invoke(ui, helpcmd, [info.name], {"command": True})
    opts = {k.replace("-", "_"): v for k, v in final.items()
            if k not in _GLOBAL_NAMES or _declares(info, k)}
    if not _arity_ok(info, args):
        exc = error.InputError("invalid arguments")
        _bad_usage(ui, info, exc)
        raise exc
    repo = _repository(ui, info, repo_path, cwd)
    return services.call_command(ui, repo, info, args, opts)


def _expand_alias(ui: UI, name: str, args: list[str]) -> tuple[str, list[str]]:
    """Replace a user alias (``[alias] name = "command --opts"``) by its definition.

    An alias may use another alias, or a command of its own name
    (``log = "log -v"``); each alias is expanded at most once.
    """
    expanded: list[str] = []
    while name not in expanded:
        definition = ui.config.get("alias", name)
        if definition is None:
            break
        expanded.append(name)
        tokens = _alias_tokens(name, str(definition))
        name, args = tokens[0], tokens[1:] + args
    return name, args


def _alias_tokens(name: str, definition: str) -> list[str]:
    import shlex

    where = f"error in definition for alias '{name}'"
    try:
        tokens = shlex.split(definition)
    except ValueError as exc:
        raise error.ConfigError(f"{where}: {exc}") from None
    if not tokens or tokens[0].startswith("-"):
        raise error.ConfigError(f"{where}: it must start with a command name",
                                hint=f'e.g. {name} = "log -l 1"')
    if tokens[0].startswith("!"):
        raise error.ConfigError(f"{where}: shell aliases are not supported")
    given, _ = _global_parser.parse(tokens[1:], keep_unknown=True)
    for early in _EARLY:
        if early in given:
            raise error.ConfigError(
                f"{where}: --{early} may only be given on the command line")
    return tokens


def _merge(defaults: dict[str, Any], *layers: dict[str, Any]) -> dict[str, Any]:
    out = dict(defaults)
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, list) and isinstance(out.get(key), list):
                out[key] = out[key] + value
            else:
                out[key] = value
    return out


def _declares(info: CommandInfo, long: str) -> bool:
    return any(opt[1] == long for opt in info.options)


def _apply(ui: UI, globs: dict[str, Any], state: RunState) -> None:
    """Turn global options and ``[ui]`` config into UI settings.

    Called as soon as options are known (so even an early error honours
    ``--traceback``) and again once config is loaded.  Flags are written
    into the config's command-line layer, so they beat every file and
    commands reading the config see them.
    """
    color = globs["color"]
    # Checked once config is loaded, so the exit code can honour it.
    if color and color not in _COLOR_MODES and ui.config is not None:
        raise error.InputError(f"invalid --color value {color!r}",
                               hint="use one of: " + ", ".join(_COLOR_MODES))
    if ui.config is not None:
        _flags_to_config(ui.config, globs)

    def conf(name: str, flag: str) -> Any:
        if ui.config is None:
            return globs[flag] or None
        return ui.config.get("ui", name)

    quiet, verbose = bool(conf("quiet", "quiet")), bool(conf("verbose", "verbose"))
    if quiet and verbose:  # as in hg, asking for both cancels out
        quiet = verbose = False
    ui.set_verbosity(quiet=quiet, verbose=verbose, debug=bool(conf("debug", "debug")))
    ui.tracebackflag = bool(conf("traceback", "traceback"))
    ui.color_mode = conf("color", "color") or "auto"
    if ui.config is None:
        ui.interactive_flag = False if globs["noninteractive"] else None
    else:
        interactive = ui.config.get("ui", "interactive")
        ui.interactive_flag = None if interactive is None else bool(interactive)
    state.time = state.time or globs["time"]
    if globs["profile"] and state.profiler is None:
        state.start_profiler()


def _flags_to_config(config: Any, globs: dict[str, Any]) -> None:
    quiet, verbose = globs["quiet"], globs["verbose"]
    if quiet or verbose:
        # One flag also overrides the opposite setting from a file.
        config.set("ui", "quiet", bool(quiet), source="--quiet" if quiet else "--verbose")
        config.set("ui", "verbose", bool(verbose),
                   source="--verbose" if verbose else "--quiet")
    for flag in ("debug", "traceback"):
        if globs[flag]:
            config.set("ui", flag, True, source=f"--{flag}")
    if globs["color"]:
        config.set("ui", "color", globs["color"], source="--color")
    if globs["noninteractive"]:
        config.set("ui", "interactive", False, source="--noninteractive")


def _chdir(path: str) -> None:
    try:
        os.chdir(path)
    except OSError as exc:
        # A file-system failure rather than bad usage: 255 in both modes, as hg.
        raise error.Abort(f"cannot change directory to {path!r}: {exc.strerror}",
                               hint="check the path given to --cwd") from None


def _builtin_shortcut(ui: UI, globs: dict[str, Any]) -> int | None:
    """``amg``, ``amg --help`` and ``amg --version``."""
    from amalgam.cli import resolve

    if globs["version"]:
        return _invoke(ui, resolve.command_info(ui, "version"), [], {})
    if globs["help"]:
        return _invoke(ui, resolve.command_info(ui, "help"), [], {})
    from amalgam.commands import help as helpcmd

    ui.write(helpcmd.basic(ui, services.progname()))
    return 0


def _invoke(ui: UI, info: CommandInfo, args: list[str], given: dict[str, Any]) -> int | None:
    """Run a command the dispatcher picked itself, with its option defaults."""
    opts = Parser(info.options).defaults()
    opts.update(given)
    opts = {k.replace("-", "_"): v for k, v in opts.items()}
    return services.call_command(ui, None, info, args, opts)


def _bad_usage(ui: UI, info: CommandInfo, exc: error.AmalgamError) -> None:
    """Show the command's short help (stdout) and name it in the error."""
    from amalgam.commands import help as helpcmd

    exc.prefix = f"{services.progname()} {info.name}"
    ui.write(helpcmd.short_help(ui, info))


def _arity_ok(info: CommandInfo, args: list[str]) -> bool:
    """Whether *args* fit the command function's positional parameters."""
    code = getattr(info.func, "__code__", None)
    if code is None:  # not a plain function: let the call decide
        return True
    if code.co_flags & 0x04:  # CO_VARARGS: any number of arguments
        return True
    positional = code.co_argcount - 2  # ui, repo
    optional = len(info.func.__defaults__ or ())
    return positional - optional <= len(args) <= positional


def _repository(ui: UI, info: CommandInfo, path: str | None, cwd: str) -> Any:
    if info.norepo:
        return None
    try:
        return services.open_repository(ui, path, cwd)
    except error.RepoError:
        if info.optionalrepo and path is None:
            return None
        raise
