"""Publish the analysts' copy: every table and view, national IDs removed, in a file old clients can open."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from warehouse.database import create_views
from warehouse.faults import fault_point
from warehouse.sql import quote_identifier, quote_literal

# Storage version that DuckDB 1.2+ clients (CLI, DBeaver drivers, older Python) can open.
STORAGE_VERSION = "v1.2.0"
# Every run of 8 or more digits, whatever separates them ("074 086 000 456", "074,178,496,941"), loses all its
# digits in every text column: IDs, typed anywhere (a remark, a rejected row), leave only the writer's database.
ID_NUMBER = r"\d(?:[ .,_\-]{0,2}\d){7,}"
# Text columns that are keys or hashes, not something a clerk typed.
_UNMASKED = {"submission_id", "person_key", "file_sha256", "archive_path", "run_id", "flow_run_id"}
PUBLISHED_TABLES = (
    "core.agencies",
    "core.staff",
    "dq.runs",
    "dq.submissions",
    "dq.issues",
    "dq.rejected_rows",
    "dq.alert_deliveries",
    "analytics.indicators",
    "analytics.indicator_catalog",
    "analytics.terms",
)


def publish(connection: duckdb.DuckDBPyConnection, target: Path) -> None:
    """Build the copy beside the target, then rename it over the old one: readers never see half a file."""
    staging = target.with_name(f".{target.name}.staging")
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    writer = connection.execute("select current_database()").fetchall()[0][0]
    connection.execute(f"attach {quote_literal(str(staging))} as published (storage_version '{STORAGE_VERSION}')")
    try:
        for schema in sorted({name.split(".")[0] for name in PUBLISHED_TABLES}):
            connection.execute(f"create schema published.{schema}")
        for table in PUBLISHED_TABLES:
            columns = _published_columns(connection, table)
            connection.execute(
                f"create table published.{table} as select {columns} from {quote_identifier(writer)}.{table}"
            )
        connection.execute("use published")
        create_views(connection)
    finally:
        connection.execute(f"use {quote_identifier(writer)}")
        connection.execute("detach published")
    fault_point("mid_publish")
    os.replace(staging, target)


def _published_columns(connection: duckdb.DuckDBPyConnection, table: str) -> str:
    """Every column but national_id, text columns masked."""
    selected = []
    for name, data_type, *_ in connection.execute(f"describe {table}").fetchall():
        column = quote_identifier(name)
        if name == "national_id":
            continue
        if data_type == "VARCHAR" and name not in _UNMASKED:
            selected.append(f"regexp_replace({column}, '{ID_NUMBER}', '************', 'g') as {column}")
        else:
            selected.append(column)
    return ", ".join(selected)
