"""The static catalogue of every hook: names, layers, arguments, result rules.

The kernel plans hook calls from this table without importing pluggy or any
hookspec module, so it must stay standard-library only.  Each entry mirrors a
pluggy specification in the layer's module (``amalgam.hooks.<layer>``); a test
keeps the two in exact agreement.
"""
from __future__ import annotations

from typing import NamedTuple

from amalgam.commands import TABLE

#: Version of the hook API.  A manifest whose ``hook-api`` is newer than this
#: is refused; bump it only when a hook's contract changes incompatibly
#: (adding hooks or arguments is compatible).
HOOK_API_VERSION = 1


class HookInfo(NamedTuple):
    """What the kernel knows about one hook before anything is imported."""

    name: str
    layer: str
    summary: str
    firstresult: bool
    wrapper_of_command: str | None
    args: tuple[str, ...]


#: Layer name -> module holding that layer's pluggy specifications.
LAYERS: dict[str, str] = {
    "commands": "amalgam.hooks.commands",
    "repository": "amalgam.hooks.repository",
    "storage": "amalgam.hooks.storage",
    "workingcopy": "amalgam.hooks.workingcopy",
    "exchange": "amalgam.hooks.exchange",
    "revsets": "amalgam.hooks.revsets",
}


def command_hook_name(command: str) -> str:
    """The wrapper hook of *command*: ``cmd_`` + name, dashes as underscores."""
    return "cmd_" + command.replace("-", "_")


_LAYER_HOOKS = (
    # -- repository ------------------------------------------------------
    HookInfo("repo_init", "repository",
             "A new repository is about to be created: add requirements.",
             False, None, ("ui", "path", "requirements", "opts")),
    HookInfo("repo_open", "repository",
             "A repository was opened and its requirements accepted.",
             False, None, ("ui", "repo")),
    HookInfo("repo_narrowmatch", "repository",
             "Restrict the file paths this repository holds.",
             False, None, ("repo",)),
    HookInfo("repo_txn_close", "repository",
             "A transaction was committed: react to what it added.",
             False, None, ("repo", "txnname", "changes")),
    # -- storage ---------------------------------------------------------
    HookInfo("storage_file_storage", "storage",
             "Choose the storage backend of one tracked file.",
             True, None, ("repo", "path")),
    HookInfo("storage_prefetch", "storage",
             "File revisions are about to be read in bulk: fetch them at once.",
             False, None, ("repo", "files")),
    # -- working copy ----------------------------------------------------
    HookInfo("wc_walk", "workingcopy",
             "Name the working-copy files that may have changed, instead of a full walk.",
             True, None, ("repo", "match", "unknown", "ignored", "dirstate")),
    HookInfo("wc_status", "workingcopy",
             "A working-copy status was computed: inspect or rewrite it.",
             False, None, ("repo", "match", "status")),
    HookInfo("wc_add", "workingcopy",
             "Files are being added: take over some of them.",
             False, None, ("repo", "paths", "opts")),
    HookInfo("wc_commit", "workingcopy",
             "A commit is collecting its files: refresh or substitute them.",
             False, None, ("repo", "files", "match", "opts")),
    HookInfo("wc_update_begin", "workingcopy",
             "The working copy is about to be updated to another revision.",
             False, None, ("repo", "node", "distance", "partial")),
    HookInfo("wc_update_end", "workingcopy",
             "A working-copy update finished (or failed).",
             False, None, ("repo", "node", "files", "error")),
    # -- exchange --------------------------------------------------------
    HookInfo("exchange_wire_commands", "exchange",
             "Add wire-protocol commands this server answers.",
             False, None, ("repo",)),
    HookInfo("exchange_capabilities", "exchange",
             "Add capabilities this server advertises.",
             False, None, ("repo", "caps")),
    HookInfo("exchange_bundle2_handlers", "exchange",
             "Add handlers for bundle2 part types.",
             False, None, ("repo",)),
    HookInfo("exchange_getbundle_args", "exchange",
             "A client is about to send getbundle: add arguments.",
             False, None, ("repo", "peer", "args")),
    HookInfo("exchange_getbundle_parts", "exchange",
             "A server is building a getbundle reply: add bundle2 parts.",
             False, None, ("repo", "bundler", "args")),
    HookInfo("exchange_changegroup_filter", "exchange",
             "A server is building a changegroup: restrict its file groups.",
             False, None, ("repo", "args")),
    HookInfo("exchange_clone_prestep", "exchange",
             "A clone into an empty repository is about to pull.",
             False, None, ("repo", "peer", "opts")),
    HookInfo("exchange_pull_done", "exchange",
             "A pull (or clone) has applied the incoming changesets.",
             False, None, ("repo", "peer", "result")),
    HookInfo("exchange_push_prestep", "exchange",
             "A push is about to send its changesets.",
             False, None, ("repo", "peer", "outgoing")),
    # -- revsets and templates -------------------------------------------
    HookInfo("revset_predicates", "revsets",
             "Add revset functions that test one changeset at a time.",
             False, None, ("repo",)),
    HookInfo("template_keywords", "revsets",
             "Add template keywords.",
             False, None, ("repo",)),
    HookInfo("template_filters", "revsets",
             "Add template filters.",
             False, None, ("repo",)),
)


def _command_hooks() -> list[HookInfo]:
    return [HookInfo(command_hook_name(name), "commands",
                     f"Run around, change or replace the '{name}' command.",
                     True, name, ("invocation",))
            for name in sorted(TABLE)]


#: Every hook, by name.
HOOKS: dict[str, HookInfo] = {h.name: h for h in (*_command_hooks(), *_LAYER_HOOKS)}
