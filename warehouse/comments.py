"""The database describes itself: every table, view, macro and column of the warehouse and of the analysts' copy
carries its meaning as a comment (COMMENT ON), Vietnamese then English, so DBeaver, `describe`-like tools and
`duckdb_columns()` show what docs/warehouse.md says."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.sql import quote_identifier, quote_literal
from warehouse.tables import column_meaning, object_comments

_MACRO_KINDS = {"macro": "macro", "table_macro": "macro table"}


def write_comments(connection: duckdb.DuckDBPyConnection, table_files: list[Path], view_files: list[Path]) -> None:
    """Comment every object of the connection's current database that the dictionary describes; an object or
    column it does not describe keeps no comment (a test finds it). A comment already as it should be is not
    written again: each one rewrites its table's entry in the catalogue, and views lose theirs whenever they are
    created again."""
    database = connection.execute("select current_database()").fetchall()[0][0]
    objects = object_comments(table_files, view_files)
    statements = []
    for kind, schema, name, found in connection.execute(
        """
        select 'table', schema_name, table_name, comment from duckdb_tables() where database_name = $database
        union all
        select 'view', schema_name, view_name, comment from duckdb_views()
        where database_name = $database and not internal
        union all
        select distinct function_type, schema_name, function_name, comment from duckdb_functions()
        where database_name = $database and function_type in ('macro', 'table_macro') and not internal
        """,
        {"database": database},
    ).fetchall():
        wanted = objects.get(f"{schema}.{name}")
        if wanted and wanted != found:
            target = _qualified(database, schema, name)
            statements.append(f"comment on {_MACRO_KINDS.get(kind, kind)} {target} is {quote_literal(wanted)}")
    for schema, table, column, found in connection.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() where database_name = ?",
        [database],
    ).fetchall():
        wanted = column_meaning(f"{schema}.{table}", column)
        if wanted and wanted != found:
            target = _qualified(database, schema, table, column)
            statements.append(f"comment on column {target} is {quote_literal(wanted)}")
    if statements:
        connection.execute(";\n".join(statements))


def _qualified(*parts: str) -> str:
    return ".".join(quote_identifier(part) for part in parts)
