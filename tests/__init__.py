"""The test suite (a regular package, so a dependency that installs a top-level `tests` cannot shadow it)."""
