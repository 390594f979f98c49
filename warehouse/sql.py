"""The one quoting helper: values go in as parameters; what cannot be a parameter is quoted here."""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    """A schema, table or column name as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A string literal, for the few statements that take no parameters (ATTACH)."""
    return "'" + text.replace("'", "''") + "'"
