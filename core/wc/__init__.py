"""The working copy: dirstate, matchers, ignore rules, path auditing, status, commit."""
