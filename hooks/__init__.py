"""Hook specifications, one module per layer.

``amalgam.hooks.catalogue`` is the static list of hook names the kernel
plans with; it imports nothing outside the standard library.  The other
modules hold the pluggy specifications and are imported only when a plugin
that implements one of their hooks is loaded.
"""
