"""``Hooks``: the typed facade every hook call site goes through.

One method per hook, keyword arguments only, so call sites are checked and
hook arguments can grow.  When no enabled plugin declares a hook, its method
returns at once (None for first-result hooks, an empty list otherwise)
without importing pluggy or any plugin.
"""
from __future__ import annotations

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from amalgam.registry.invocation import CommandInvocation
    from amalgam.registry.registry import Registry
    from amalgam.ui import UI


def command_hook(command: str) -> str:
    """The wrapper hook of *command*, as ``amalgam.hooks.catalogue`` names it.

    Spelled out here because every command passes this way and the catalogue
    takes longer to import than the rest of the facade.
    """
    return "cmd_" + command.replace("-", "_")


class Hooks:
    """Calls hooks for one process; the CLI sets it as ``ui.hooks``."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def _first(self, hook: str, kwargs: dict[str, Any]) -> Any:
        if not self.registry.implementers(hook):
            return None
        return self._call(hook, kwargs)

    def _all(self, hook: str, kwargs: dict[str, Any]) -> list[Any]:
        if not self.registry.implementers(hook):
            return []
        return self._call(hook, kwargs)

    def _call(self, hook: str, kwargs: dict[str, Any]) -> Any:
        caller = self.registry.hook_caller(hook)
        self.registry.trace(f"hook: {hook} -> "
                            f"{', '.join(self.registry.implementers(hook))}\n")
        return caller(**kwargs)

    # -- commands --------------------------------------------------------

    def command(self, invocation: CommandInvocation,
                impl: Callable[..., int | None]) -> int | None:
        """Run the command function *impl* (``impl(ui, repo, *args, **opts)``)
        through its wrapper hook ``cmd_<name>``, with the invocation's
        (possibly changed) arguments."""
        hook = command_hook(invocation.name)
        if not self.registry.implementers(hook):
            return _run(impl, invocation)
        caller = self.registry.hook_caller(hook)
        from types import SimpleNamespace

        from amalgam.plugin import hookimpl

        # The kernel's implementation is the last plain one, so plugins can
        # wrap it or replace it; it always returns an exit code so a
        # replacing plugin is the only way to stop the chain early.
        @hookimpl(trylast=True)
        def kernel(invocation: CommandInvocation) -> int:
            rc = _run(impl, invocation)
            return 0 if rc is None else rc

        pm = self.registry.plugin_manager()
        name = pm.register(SimpleNamespace(**{hook: kernel}), name=f"amalgam:{hook}")
        try:
            self.registry.trace(f"hook: {hook} -> "
                                f"{', '.join(self.registry.implementers(hook))}\n")
            return caller(invocation=invocation)
        finally:
            pm.unregister(name=name)

    # -- repository ------------------------------------------------------

    def repo_init(self, *, ui: UI, path: str, requirements: set[str],
                  opts: dict[str, Any]) -> list[None]:
        return self._all("repo_init", dict(ui=ui, path=path,
                                           requirements=requirements, opts=opts))

    def repo_open(self, *, ui: UI, repo: Any) -> list[None]:
        return self._all("repo_open", dict(ui=ui, repo=repo))

    def repo_narrowmatch(self, *, repo: Any) -> list[Any]:
        return self._all("repo_narrowmatch", dict(repo=repo))

    def repo_txn_close(self, *, repo: Any, txnname: str,
                       changes: dict[str, Any]) -> list[None]:
        return self._all("repo_txn_close", dict(repo=repo, txnname=txnname,
                                                changes=changes))

    # -- storage ---------------------------------------------------------

    def storage_file_storage(self, *, repo: Any, path: bytes) -> Any:
        return self._first("storage_file_storage", dict(repo=repo, path=path))

    def storage_prefetch(self, *, repo: Any, files: Any) -> list[None]:
        return self._all("storage_prefetch", dict(repo=repo, files=files))

    # -- working copy ----------------------------------------------------

    def wc_walk(self, *, repo: Any, match: Any, unknown: bool, ignored: bool,
                dirstate: Any = None) -> Any:
        return self._first("wc_walk", dict(repo=repo, match=match, unknown=unknown,
                                           ignored=ignored, dirstate=dirstate))

    def wc_status(self, *, repo: Any, match: Any, status: Any) -> list[None]:
        return self._all("wc_status", dict(repo=repo, match=match, status=status))

    def wc_add(self, *, repo: Any, paths: list[bytes], opts: dict[str, Any]) -> list[Any]:
        return self._all("wc_add", dict(repo=repo, paths=paths, opts=opts))

    def wc_commit(self, *, repo: Any, files: list[bytes], match: Any,
                  opts: dict[str, Any]) -> list[None]:
        return self._all("wc_commit", dict(repo=repo, files=files, match=match,
                                           opts=opts))

    def wc_update_begin(self, *, repo: Any, node: bytes, distance: int,
                        partial: bool) -> list[None]:
        return self._all("wc_update_begin", dict(repo=repo, node=node,
                                                 distance=distance, partial=partial))

    def wc_update_end(self, *, repo: Any, node: bytes, files: list[bytes],
                      error: BaseException | None) -> list[None]:
        return self._all("wc_update_end", dict(repo=repo, node=node, files=files,
                                               error=error))

    # -- exchange --------------------------------------------------------

    def exchange_wire_commands(self, *, repo: Any) -> list[Any]:
        return self._all("exchange_wire_commands", dict(repo=repo))

    def exchange_capabilities(self, *, repo: Any, caps: list[str]) -> list[None]:
        return self._all("exchange_capabilities", dict(repo=repo, caps=caps))

    def exchange_bundle2_handlers(self, *, repo: Any) -> list[Any]:
        return self._all("exchange_bundle2_handlers", dict(repo=repo))

    def exchange_getbundle_args(self, *, repo: Any, peer: Any,
                                args: dict[str, Any]) -> list[None]:
        return self._all("exchange_getbundle_args", dict(repo=repo, peer=peer, args=args))

    def exchange_getbundle_parts(self, *, repo: Any, bundler: Any,
                                 args: dict[str, Any]) -> list[None]:
        return self._all("exchange_getbundle_parts",
                         dict(repo=repo, bundler=bundler, args=args))

    def exchange_changegroup_filter(self, *, repo: Any, args: dict[str, Any]) -> list[Any]:
        return self._all("exchange_changegroup_filter", dict(repo=repo, args=args))

    def exchange_clone_prestep(self, *, repo: Any, peer: Any,
                               opts: dict[str, Any]) -> list[None]:
        return self._all("exchange_clone_prestep", dict(repo=repo, peer=peer, opts=opts))

    def exchange_pull_done(self, *, repo: Any, peer: Any, result: Any) -> list[None]:
        return self._all("exchange_pull_done", dict(repo=repo, peer=peer, result=result))

    def exchange_push_prestep(self, *, repo: Any, peer: Any, outgoing: Any) -> list[None]:
        return self._all("exchange_push_prestep",
                         dict(repo=repo, peer=peer, outgoing=outgoing))

    # -- revsets and templates ---------------------------------------------

    def revset_predicates(self, *, repo: Any) -> list[Any]:
        return self._all("revset_predicates", dict(repo=repo))

    def template_keywords(self, *, repo: Any) -> list[Any]:
        return self._all("template_keywords", dict(repo=repo))

    def template_filters(self, *, repo: Any) -> list[Any]:
        return self._all("template_filters", dict(repo=repo))


def _run(impl: Callable[..., int | None], inv: CommandInvocation) -> int | None:
    return impl(inv.ui, inv.repo, *inv.args, **inv.opts)
