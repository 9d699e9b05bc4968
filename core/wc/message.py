"""Who commits and with what message: username lookup, ``-l FILE``, the editor."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from amalgam import error
from amalgam.wc.audit import show

if TYPE_CHECKING:
    from amalgam.repo import Repository
    from amalgam.ui import UI
    from amalgam.wc.status import Status


def username(ui: UI, given: str | None = None) -> str:
    """``-u``, else ui.username (``$HGUSER`` wins there), else ``$EMAIL``, else user@host."""
    user = given or ui.config.get("ui", "username") or ui.environ.get("EMAIL")
    if not user:
        import getpass
        import socket

        try:
            login = getpass.getuser()
        except (KeyError, OSError):
            login = "unknown"
        user = f"{login}@{socket.getfqdn()}"
        ui.warn(f"no username found, using '{user}' instead\n")
    if "\n" in user:
        raise error.InputError(f"username {user!r} contains a newline")
    return user


def from_logfile(ui: UI, path: str) -> str:
    """The message in *path* (``-`` reads standard input)."""
    try:
        if path == "-":
            data = ui.fin.read()
        else:
            with open(path, "rb") as fp:
                data = fp.read()
    except OSError as exc:
        raise error.InputError(f"can't read commit message '{path}': {exc.strerror}") from None
    return data.decode("utf-8", "surrogateescape")


def editor_command(ui: UI) -> str:
    return (ui.environ.get("HGEDITOR") or ui.config.get("ui", "editor")
            or ui.environ.get("VISUAL") or ui.environ.get("EDITOR") or "vi")


def edit(repo: Repository, user: str, branch: str, st: Status, initial: str = "") -> str:
    """Ask for a message in the user's editor; lines starting ``HG:`` are dropped."""
    import shlex
    import subprocess
    import tempfile

    ui = repo.ui
    lines = [initial, "",
             "HG: Write the commit message above.  Lines starting with 'HG:' are dropped;",
             "HG: an empty message aborts the commit.",
             "HG: --", f"HG: user: {user}", f"HG: branch '{branch}'"]
    lines += [f"HG: added {show(p)}" for p in st.added]
    lines += [f"HG: changed {show(p)}" for p in st.modified]
    lines += [f"HG: removed {show(p)}" for p in st.removed]
    if not st.added + st.modified + st.removed:
        lines.append("HG: no files changed")
    fd, path = tempfile.mkstemp(prefix="amg-editor-", suffix=".commit.hg.txt",
                                dir=repo.root)
    try:
        with os.fdopen(fd, "wb") as fp:
            fp.write(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
        editor = editor_command(ui)
        ui.flush()
        rc = subprocess.call(f"{editor} {shlex.quote(path)}", shell=True,
                             env=dict(ui.environ), cwd=repo.root)
        if rc != 0:
            raise error.Abort(f"edit failed: {editor.split()[0]} exited with status {rc}")
        with open(path, "rb") as fp:
            text = fp.read().decode("utf-8", "surrogateescape")
    finally:
        os.unlink(path)
    kept = [line for line in text.splitlines() if not line.startswith("HG:")]
    return "\n".join(kept)


def clean_message(text: str) -> str:
    """Strip trailing spaces and surrounding blank lines, as hg stores messages."""
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip("\n")


def save_last_message(repo: Repository, text: str) -> None:
    """Keep the message in .hg/last-message.txt so a failed commit loses nothing."""
    repo.vfs.write("last-message.txt", text.encode("utf-8", "surrogateescape"),
                   atomictemp=True)
