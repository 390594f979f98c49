"""pandera's polars API, imported without hypothesis. When hypothesis is installed (a dev tool of this project, which
`uv run` installs), pandera imports it on its first validation, and pytest and trio with it, for data synthesis
staffq never does: a quarter of a second of every command and worker that judges a file. pandera's strategies are
imported once while hypothesis is hidden, so they take their placeholders; hypothesis stays importable afterwards,
and a process that has imported it already (the test suite) is left as it is."""

import sys

if "hypothesis" not in sys.modules:
    sys.modules["hypothesis"] = None  # type: ignore[assignment]
    try:
        import pandera.strategies.base_strategies  # noqa: F401
    finally:
        del sys.modules["hypothesis"]

import pandera.polars as pa

__all__ = ["pa"]
