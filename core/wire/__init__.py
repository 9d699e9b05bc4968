"""hg wire protocol v1: shared encodings, the command table, HTTP and SSH servers."""
