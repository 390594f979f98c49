"""Opening the warehouse brings it up to date: its tables by the numbered DDL, its macros and views as this version
of staffq makes them, created again only when they are not (a night opens the warehouse several times)."""

import duckdb

from warehouse.database import connect, migrate, view_files
from warehouse.tables import heading


def objects(connection: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        name
        for (name,) in connection.execute(
            "select schema_name || '.' || view_name from duckdb_views() where not internal "
            "union all select schema_name || '.' || function_name from duckdb_functions() "
            "where function_type = 'table_macro' and database_name = current_database()"
        ).fetchall()
    }


def test_macros_and_views_are_created_once_and_again_when_one_is_missing(tmp_path):
    wanted = {heading(path)[0].split("(")[0] for path in view_files()}
    with connect(tmp_path / "w.duckdb") as connection:
        assert migrate(connection)  # every DDL file, on a new warehouse
        assert wanted <= objects(connection)
        connection.execute("create or replace view analytics.staff_current as select 1 as mine")
        migrate(connection)
        # Already made by this version: left as it is, hand-made change included.
        assert connection.execute("select * from analytics.staff_current").fetchall() == [(1,)]
        connection.execute("drop view analytics.staff_current")
        connection.execute("drop macro table analytics.form_bm01")
        assert migrate(connection) == []
        assert wanted <= objects(connection)
        columns = [row[0] for row in connection.execute("describe analytics.staff_current").fetchall()]
        assert "mine" not in columns and "agency_code" in columns
