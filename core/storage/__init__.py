"""Storage engine: revlogs, deltas, store layout, transactions and locks."""
