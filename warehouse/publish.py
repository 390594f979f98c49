"""Publish the analysts' copy: every table and view, national IDs removed, in a file old clients can open."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from warehouse.database import create_views
from warehouse.sql import quote_identifier, quote_literal

# Storage version that DuckDB 1.2+ clients (CLI, DBeaver drivers, older Python) can open.
STORAGE_VERSION = "v1.2.0"
# Every run of 8 or more digits, separators allowed ("074 086 000 456", "74.086.000"), loses all its digits:
# IDs leave only the writer's database.
_MASK_IDS = r"regexp_replace({column}, '\d(?:[ .\-]?\d){{7,}}', '************', 'g')"
PUBLISHED_TABLES = {
    "core.agencies": "*",
    "core.staff": "* exclude (national_id)",
    "dq.runs": "*",
    "dq.submissions": "*",
    "dq.issues": "* replace ({v} as value, {mvi} as message_vi, {men} as message_en)".format(
        v=_MASK_IDS.format(column="value"),
        mvi=_MASK_IDS.format(column="message_vi"),
        men=_MASK_IDS.format(column="message_en"),
    ),
    "dq.rejected_rows": "* replace ({raw} as raw)".format(raw=_MASK_IDS.format(column="raw")),
    "analytics.indicators": "*",
    "analytics.indicator_catalog": "*",
}


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
        for table, columns in PUBLISHED_TABLES.items():
            connection.execute(
                f"create table published.{table} as select {columns} from {quote_identifier(writer)}.{table}"
            )
        connection.execute("use published")
        create_views(connection)
    finally:
        connection.execute(f"use {quote_identifier(writer)}")
        connection.execute("detach published")
    os.replace(staging, target)
