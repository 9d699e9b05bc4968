"""Declared configuration items: every key Amalgam understands, declared once.

A ``ConfigItem`` names a key (``section`` + ``name``), its value type, its
default and a one-paragraph help text.  The kernel's items are listed in
``KERNEL_ITEMS``; plugins declare theirs in their manifest and the registry
hands them to ``Config.declare``.  An item whose name is ``"*"`` makes its
section free-form: any key is accepted there, with that item's type.
"""
from __future__ import annotations

from amalgam.config.values import check_value
from amalgam.error import ConfigError, PluginError

# typing.TYPE_CHECKING, without importing typing (milliseconds at start-up).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: The value types an item may have.  ``list`` is a list of strings;
#: ``path`` is a string whose leading ``~`` is expanded to the home directory.
TYPES = ("bool", "int", "float", "str", "list", "path")

#: The name of the item that makes a section free-form.
ANY = "*"


class ConfigItem:
    """One declared configuration key with its type, default and help."""

    __slots__ = ("section", "name", "type", "default", "help", "owner", "choices")

    def __init__(self, section: str, name: str, type: str, default: Any,
                 help: str, owner: str = "kernel", *,
                 choices: tuple[str, ...] = ()) -> None:
        self.section = section
        self.name = name
        self.type = type
        self.help = help
        self.owner = owner
        self.choices = tuple(choices)
        error = PluginError if owner != "kernel" else ConfigError
        who = "the kernel" if owner == "kernel" else f"plugin {owner}"
        if not section or not name or "." in section:
            raise error(f"{who} declares an invalid config key "
                        f"'{section}.{name}'",
                        hint="a key is SECTION.NAME with a dot-free section")
        if type not in TYPES:
            raise error(f"{who} declares config item {self.key} with unknown "
                        f"type '{type}'", hint="use one of " + ", ".join(TYPES))
        if default is not None:
            try:
                default = check_value(self, default)
            except ConfigError as exc:
                raise error(f"{who} declares a bad default for {self.key}: "
                            f"{exc.message}") from None
        # Lists are stored as tuples so a shared default cannot be mutated.
        self.default = tuple(default) if isinstance(default, list) else default

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"

    @property
    def freeform(self) -> bool:
        return self.name == ANY

    def __repr__(self) -> str:
        return (f"ConfigItem({self.section!r}, {self.name!r}, {self.type!r}, "
                f"{self.default!r}, owner={self.owner!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ConfigItem):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in self.__slots__)

    def __hash__(self) -> int:
        return hash((self.section, self.name, self.owner))


def _items() -> tuple[ConfigItem, ...]:
    i = ConfigItem
    return (
        # -- ui ------------------------------------------------------------
        i("ui", "username", "str", None,
          "Author recorded in new commits, usually 'Full Name <email>'. "
          "Falls back to $EMAIL; $HGUSER, when set, wins over every "
          "configuration file but not over --config."),
        i("ui", "verbose", "bool", False,
          "Print more detail about what commands do (same as --verbose)."),
        i("ui", "quiet", "bool", False,
          "Print less: hide progress and status messages (same as --quiet)."),
        i("ui", "debug", "bool", False,
          "Print internal diagnostics; implies verbose (same as --debug)."),
        i("ui", "traceback", "bool", False,
          "Show the Python traceback of an error instead of only its "
          "one-line message (same as --traceback)."),
        i("ui", "color", "str", "auto",
          "When to colour output: 'auto' colours a terminal unless NO_COLOR "
          "is set, 'always' also colours pipes and files, 'never' never does.",
          choices=("auto", "always", "never")),
        i("ui", "detailed-exit-code", "bool", False,
          "Exit with a code that tells the kind of failure (10 bad input, "
          "20 bad state, 30 bad configuration, ...) instead of always 255."),
        i("ui", "editor", "str", None,
          "Command that opens a text editor for commit messages and "
          "'amg config --edit'.  Unset: $VISUAL, then $EDITOR, then vi."),
        i("ui", "merge", "str", None,
          "Program used to resolve file merges that need a human."),
        i("ui", "interactive", "bool", None,
          "Whether prompts may wait for an answer.  Unset: only when "
          "standard input is a terminal."),
        i("ui", "ignore", "path", None,
          "One more ignore file, in .hgignore syntax, applied in every "
          "working copy on top of the repository's own .hgignore.  A "
          "relative path is taken from the repository root."),
        i("ui", "timeout", "int", 600,
          "Seconds to wait for a repository lock held by another process "
          "before giving up."),
        i("ui", "trace-plugins", "bool", False,
          "Report on stderr every plugin hook call, with the plugin that "
          "answered it; useful to see which plugins touch a command."),
        i("phases", "publish", "bool", True,
          "Whether changesets this repository receives by push or pull "
          "become public.  Turn it off on a server that accepts drafts for "
          "review.  Also read from .hg/hgrc."),
        i("ui", "ssh", "str", "ssh",
          "Command that opens ssh connections for ssh:// paths; its words "
          "are split like a shell would, e.g. 'ssh -C -i ~/.ssh/work'."),
        i("ui", "remotecmd", "str", "amg",
          "Command run on the far side of an ssh:// connection; set it to "
          "'hg' to talk to a Mercurial server."),
        # -- exchange over the network -------------------------------------
        i("http", "timeout", "float", 60.0,
          "Seconds an HTTP peer waits for the server to answer or send more "
          "data before giving up."),
        i("progress", "disable", "bool", False,
          "Never show progress bars, even on a terminal."),
        i("progress", "delay", "float", 3.0,
          "Seconds an operation runs before its progress bar appears."),
        i("web", "address", "str", "127.0.0.1",
          "Interface 'amg serve' listens on; loopback unless set otherwise."),
        i("web", "port", "int", 8000,
          "TCP port 'amg serve' listens on."),
        i("web", "allow-push", "list", [],
          "Users allowed to push over HTTP, by the name the web server "
          "authenticated; '*' allows everybody, anonymous users included, as "
          "in hg.  Empty: the server is read-only.  Also read from .hg/hgrc "
          "(allow_push)."),
        i("web", "push-ssl", "bool", True,
          "Refuse pushes over plain HTTP.  Turn off only behind a proxy that "
          "terminates TLS, or on a trusted network.  Also read from "
          ".hg/hgrc (push_ssl)."),
        i("web", "allow-pull", "bool", True,
          "Whether clients may read the repository at all (clone, pull).  "
          "Also read from .hg/hgrc (allowpull)."),
        i("server", "uncompressed", "bool", True,
          "Offer stream clones (raw store files; fast, no recompression) to "
          "clients that ask for them."),
        i("server", "zstd-level", "int", 3,
          "zstd level for bundles a server compresses on the fly."),
        # -- parallel work ---------------------------------------------------
        i("worker", "enabled", "bool", True,
          "Let big operations (status of a large working copy, update of many "
          "files) split their work over forked worker processes.  Turn it off "
          "where forking is unwelcome; results are the same either way."),
        i("worker", "numcpus", "int", None,
          "How many processes big operations may use at most.  Unset: one per "
          "CPU this process may run on."),
        # -- free-form sections -------------------------------------------
        i("paths", ANY, "str", None,
          "Names for remote repositories: 'default' is used by pull and "
          "push when no source is given.  Also read from .hg/hgrc."),
        i("plugins", ANY, "bool", None,
          "Plugins by name: true enables one, false disables one that a "
          "lower layer (say, the distribution) enabled."),
        i("auth", ANY, "str", None,
          "Credentials for HTTP servers, grouped by a name of your choice: "
          "'NAME.prefix' (URL prefix, scheme optional), 'NAME.username', "
          "'NAME.password'."),
        i("alias", ANY, "str", None,
          "New command names: 'name = \"command --options\"' makes 'amg "
          "name' run that command with those options."),
        # -- format: choices made when a repository is created -------------
        i("format", "revlog-compression", "str", "zstd",
          "Compression for revision data of new repositories.",
          choices=("zstd", "zlib")),
        i("format", "sparse-revlog", "bool", True,
          "Let new repositories read deltas sparsely, which keeps delta "
          "chains short and reads fast in big histories."),
        i("format", "generaldelta", "bool", True,
          "Let new repositories store a delta against any earlier revision "
          "(usually a parent) instead of only the previous one."),
        i("format", "dotencode", "bool", True,
          "Escape leading dots and spaces of stored file names in new "
          "repositories, for file systems that mishandle them."),
        i("format", "use-share-safe", "bool", True,
          "Keep the requirements of new repositories in the store so that "
          "shares read the source repository's requirements."),
        i("format", "usefncache", "bool", True,
          "Keep a list of stored file names in new repositories so long or "
          "unusual names can be hashed and still be listed."),
        # -- storage: tuning that applies to existing repositories ---------
        i("storage", "revlog.max-chain-len", "int", 1000,
          "Longest chain of deltas before a full text is stored again; "
          "shorter chains read faster and take more space."),
        i("storage", "revlog.zstd.level", "int", 3,
          "zstd level used when writing revision data, 1 (fast) to 22 "
          "(small)."),
        i("storage", "revlog.zlib.level", "int", 6,
          "zlib level used when writing revision data, 1 (fast) to 9 "
          "(small)."),
    )


#: Every item the kernel itself declares.
KERNEL_ITEMS: tuple[ConfigItem, ...] = _items()
