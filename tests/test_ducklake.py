"""The warehouse on DuckLake with its catalog in a real PostgreSQL: the same night gives the same warehouse as the
file; cities write one lake at once; a writer killed mid-load leaves the lake as it was; readers never see half a
night."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flows.cli.init import create_workspace
from flows.demo.workspace import prepare_demo
from tests.conftest import AS_OF, run_once
from tests.postgres_server import postgres_server
from warehouse.database import connect
from warehouse.lake import Lake, for_lake

# Columns that differ between two runs of the same night whatever the backend: when, how long, under which run.
_RUN_COLUMNS = ("run_id", "flow_run_id", "submission_id", "seconds")


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    with postgres_server(tmp_path_factory.mktemp("postgres")) as server:
        yield server


def use_lake(root: Path, lake: Lake) -> None:
    """Point a workspace's staffq.toml at a lake, as an operator edits it."""
    config = root / "staffq.toml"
    text = config.read_text(encoding="utf-8")
    settings = (
        f'[warehouse]\nbackend = "ducklake"\nlake_catalog = "{lake.catalog}"\n'
        f'lake_data_path = "{lake.data_path}"\nwriter = "{lake.writer}"\n'
    )
    config.write_text(text.replace("[warehouse]\n", settings, 1), encoding="utf-8")


def demo_workspace(root: Path, lake: Lake | None = None) -> Path:
    create_workspace(root)
    if lake:
        use_lake(root, lake)
    prepare_demo(root)
    return root


def table_contents(target) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without the columns that name the run or the moment."""
    with connect(target, read_only=True) as connection:
        columns = connection.execute(
            """
            select schema_name || '.' || table_name, list(column_name order by column_index)
            from duckdb_columns() where database_name = current_database() and schema_name <> 'meta'
            group by all order by 1
            """
        ).fetchall()
        contents = {}
        for table, names in columns:
            kept = [n for n in names if n not in _RUN_COLUMNS and not n.endswith("_at")]
            rows = connection.execute(f"select {', '.join(kept)} from {table}").fetchall()
            contents[table] = sorted(rows, key=repr)
        return contents


def test_ducklake_ddl_keeps_everything_but_the_constraints():
    ddl = (
        "create table t (\n    a varchar primary key,\n    b int not null,\n"
        "    primary key (a, b),\n    check (b > 0)\n);"
    )
    assert for_lake(ddl) == "create table t (\n    a varchar,\n    b int not null\n);"


def test_ducklake_night_gives_the_warehouse_of_the_file(tmp_path, postgres, monkeypatch):
    monkeypatch.setenv("STAFFQ_PRIVACY__PERSON_KEY_SECRET", "one secret for both workspaces")
    lake = Lake(postgres.create_database("equivalence"), str(tmp_path / "lake"), "tanuyen")
    on_file = run_once(demo_workspace(tmp_path / "file"))
    on_lake = run_once(demo_workspace(tmp_path / "lakecity", lake))
    assert on_lake.database == lake
    file_tables, lake_tables = table_contents(on_file.database), table_contents(on_lake.database)
    assert file_tables.keys() == lake_tables.keys()
    assert sum(len(rows) for rows in file_tables.values()) > 5_000
    for table, rows in file_tables.items():
        assert lake_tables[table] == rows, table
    assert table_contents(on_lake.published) == table_contents(on_file.published)
