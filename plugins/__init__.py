"""Built-in plugins: one package per plugin, each with its ``plugin.toml``.

Built-in plugins are discovered and registered exactly like third-party
ones; living here only means they ship with the ``amalgam-vcs``
distribution.
"""
