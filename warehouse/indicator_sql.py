"""The indicator files, one query each, put together into the queries that compute them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb

from warehouse.database import INDICATOR_DIR
from warehouse.sql import quote_identifier

STAFF_IN_SCOPE = "analytics.staff_in_scope($as_of)"


def indicator_files() -> list[Path]:
    """One query per file, in name order."""
    return sorted(INDICATOR_DIR.glob("*.sql"))


def counts_people(path: Path) -> bool:
    """Whether the file counts people (reads `analytics.staff_in_scope`); the others count agencies, files, issues."""
    return STAFF_IN_SCOPE in path.read_text(encoding="utf-8")


def indicator_sql(files: list[Path], scoped_staff: str = STAFF_IN_SCOPE) -> str:
    """`files` as one query: each yields scope, scope_code, indicator_code, numerator, denominator, value for the
    parameter $as_of. Each file reads `analytics.staff_in_scope($as_of)`, so it stands alone for an analyst;
    `scoped_staff` names a table holding that macro's result to read instead."""
    parts = [
        f"select * from ({path.read_text(encoding='utf-8').strip().replace(STAFF_IN_SCOPE, scoped_staff)})"
        for path in files
    ]
    return "\nunion all by name\n".join(parts)


def typed(query: str) -> str:
    """An indicator query's rows cast as `analytics.indicators` stores them, whatever type each file's arithmetic
    gives (a sum is a hugeint, a bare null has no type)."""
    return (
        "select scope, scope_code, indicator_code, numerator::bigint as numerator, "
        f"denominator::bigint as denominator, value::double as value from ({query})"
    )


def scoped_staff_columns(connection: duckdb.DuckDBPyConnection, as_of: dt.date) -> str:
    """The columns of `analytics.staff_in_scope` that some indicator file names, as a select list: three copies of
    every person's 80-odd columns cost more than all the indicators together. A file naming a column left out would
    fail to bind, never count wrong."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in indicator_files())
    described = connection.execute(f"describe select * from {STAFF_IN_SCOPE}", {"as_of": as_of}).fetchall()
    named = [row[0] for row in described if re.search(rf"\b{re.escape(row[0])}\b", text)]
    return ", ".join(quote_identifier(name) for name in named)
