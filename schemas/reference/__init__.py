"""Reference data shipped with staffq: header spellings, vocabularies, positions, checks, catalogues."""

from pathlib import Path

_HERE = Path(__file__).parent


def reference_path(name: str) -> Path:
    """The path of a shipped reference CSV."""
    return _HERE / name
