"""The hook facade: one typed method per hook, and the command wrapper."""
from __future__ import annotations

import inspect

import pytest

from amalgam.hooks.catalogue import HOOKS
from amalgam.registry import CommandInvocation, Hooks

LAYER_HOOKS = sorted(n for n, h in HOOKS.items() if h.wrapper_of_command is None)


@pytest.mark.parametrize("name", LAYER_HOOKS)
def test_one_keyword_only_method_per_hook(name: str) -> None:
    params = list(inspect.signature(getattr(Hooks, name)).parameters.values())
    assert params[0].name == "self"
    assert all(p.kind is p.KEYWORD_ONLY for p in params[1:])
    assert tuple(p.name for p in params[1:]) == HOOKS[name].args


def test_no_method_for_an_unknown_hook() -> None:
    public = {n for n in vars(Hooks) if not n.startswith("_")}
    assert public == {*LAYER_HOOKS, "command"}


@pytest.mark.parametrize("name", LAYER_HOOKS)
def test_fast_path_results(make_registry, name: str) -> None:
    hooks = make_registry().hooks
    result = getattr(hooks, name)(**{a: None for a in HOOKS[name].args})
    assert result == (None if HOOKS[name].firstresult else [])


def _version(ui, repo, *args, **opts):
    ui.write(f"version {' '.join(args)} {opts}\n")
    return None


def _run(registry, args=None, opts=None, impl=_version):
    ui = registry.ui
    inv = CommandInvocation(ui, None, "version", list(args or []), dict(opts or {}))
    rc = registry.hooks.command(inv, impl)
    return rc, ui.fout.getvalue().decode()


def test_command_without_wrappers_calls_the_command(make_registry) -> None:
    assert _run(make_registry(), ["a"], {"x": 1}) == (None, "version a {'x': 1}\n")


def test_wrapper_changes_arguments_output_and_exit_code(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("cmd_version",), code="""
@hookimpl(wrapper=True)
def cmd_version(invocation):
    invocation.args.append("extra")
    invocation.ui.pushbuffer()
    rc = yield
    out = invocation.ui.popbuffer()
    invocation.ui.write(out.upper())
    return rc + 3
""")
    assert _run(make_registry([name]), ["a"]) == (3, "VERSION A EXTRA {}\n")


def test_plain_impl_replaces_the_command(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("cmd_version",), code="""
@hookimpl
def cmd_version(invocation):
    invocation.ui.write("replaced\\n")
    return 5
""")
    assert _run(make_registry([name])) == (5, "replaced\n")


def test_plain_impl_returning_none_passes(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("cmd_version",), code="""
@hookimpl
def cmd_version(invocation):
    invocation.ui.write("looked\\n")
""")
    assert _run(make_registry([name])) == (0, "looked\nversion  {}\n")


def test_command_can_run_twice(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("cmd_version",), code="""
@hookimpl(wrapper=True)
def cmd_version(invocation):
    return (yield)
""")
    registry = make_registry([name])
    assert _run(registry)[0] == 0
    assert _run(registry, impl=lambda ui, repo: 4)[0] == 4


def test_wrapper_sees_command_errors(make_registry, plugin_dir) -> None:
    name = plugin_dir.add(hooks=("cmd_version",), code="""
@hookimpl(wrapper=True)
def cmd_version(invocation):
    try:
        return (yield)
    except ValueError:
        invocation.ui.write("caught\\n")
        return 9
""")

    def failing(ui, repo):
        raise ValueError("no")

    assert _run(make_registry([name]), impl=failing) == (9, "caught\n")


def test_command_hook_names_agree_with_the_catalogue() -> None:
    from amalgam.commands import TABLE
    from amalgam.hooks.catalogue import command_hook_name
    from amalgam.registry.facade import command_hook

    for name in [*TABLE, "some-plugin-command"]:
        assert command_hook(name) == command_hook_name(name)
        assert command_hook(name) in HOOKS or name not in TABLE
