"""Output shared by the history commands: diffs, changesets, graphs, annotations."""
