"""Exchanging history: changegroups, bundles, peers, pull, push and clone.

Everything here streams: bundles are read and written chunk by chunk so a
clone of a big history never holds the whole bundle in memory.
"""
