"""The database describes itself: every table, view, macro and column of the warehouse and of the analysts' copy
carries its meaning as a comment (COMMENT ON), Vietnamese then English, so DBeaver, `describe`-like tools and
`duckdb_columns()` show what docs/warehouse.md says."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.lake import is_lake
from warehouse.sql import quote_identifier, quote_literal
from warehouse.tables import column_meaning, macro_names, object_comments


def write_comments(connection: duckdb.DuckDBPyConnection, table_files: list[Path], view_files: list[Path]) -> None:
    """Comment every object of the connection's current database that the dictionary describes; an object or
    column it does not describe keeps no comment (a test finds it). A table's or column's comment already as it
    should be is not written again: each one rewrites its table's entry in the catalogue. Macros, created again on
    every start, are commented every time, without looking for them among DuckDB's thousands of functions."""
    database = connection.execute("select current_database()").fetchall()[0][0]
    objects = object_comments(table_files, view_files)
    # DuckLake keeps no comment on a macro, nor on a view's column: on a lake they are described in
    # docs/warehouse.md alone.
    lake = is_lake(connection)
    statements = [
        f"comment on macro table {_qualified(database, *name.split('.'))} is {quote_literal(objects[name])}"
        for name in ([] if lake else macro_names(view_files))
    ]
    views = set()
    for kind, schema, name, found in connection.execute(
        """
        select 'table', schema_name, table_name, comment from duckdb_tables() where database_name = $database
        union all
        select 'view', schema_name, view_name, comment from duckdb_views()
        where database_name = $database and not internal
        """,
        {"database": database},
    ).fetchall():
        if kind == "view":
            views.add((schema, name))
        wanted = objects.get(f"{schema}.{name}")
        if wanted and wanted != found:
            statements.append(f"comment on {kind} {_qualified(database, schema, name)} is {quote_literal(wanted)}")
    for schema, table, column, found in connection.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() where database_name = ?",
        [database],
    ).fetchall():
        wanted = column_meaning(f"{schema}.{table}", column)
        if wanted and wanted != found and not (lake and (schema, table) in views):
            target = _qualified(database, schema, table, column)
            statements.append(f"comment on column {target} is {quote_literal(wanted)}")
    if statements:
        connection.execute(";\n".join(statements))


def _qualified(*parts: str) -> str:
    return ".".join(quote_identifier(part) for part in parts)
