"""Compute the indicators of one as-of date from the SQL files — from everyone, or worked out from the last night's —
keeping history and unchanged rows."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import logging
from pathlib import Path

import duckdb

from warehouse.database import INDICATOR_DIR, MACRO_DIR
from warehouse.indicator_delta import remember_base, work_out_from_base
from warehouse.indicator_sql import STAFF_IN_SCOPE, indicator_files, indicator_sql, scoped_staff_columns, typed

_CATALOG_TEXT = ("indicator_code", "name_vi", "name_en", "unit", "definition", "basis")
_KEY = (
    "i.as_of_date = f.as_of_date and i.scope = f.scope and i.scope_code = f.scope_code "
    "and i.indicator_code = f.indicator_code"
)
_SCOPED_STAFF = "scoped_staff"
logger = logging.getLogger(__name__)


class IndicatorsNotUnique(Exception):
    """The indicator files yield one indicator twice for a scope: two files (or one, twice) write the same code."""


def refresh_catalog(connection: duckdb.DuckDBPyConnection) -> None:
    """The catalogue ships with the code; reloaded whole so it always matches the SQL that computes it."""
    with (INDICATOR_DIR / "catalog.csv").open(encoding="utf-8") as handle:
        rows = [
            (*(row[key] for key in _CATALOG_TEXT), _number(row["target_min"]), _number(row["target_max"]))
            for row in csv.DictReader(handle)
        ]
    connection.execute("delete from analytics.indicator_catalog")
    columns = ", ".join((*_CATALOG_TEXT, "target_min", "target_max"))
    connection.executemany(f"insert into analytics.indicator_catalog ({columns}) values (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def refresh_terms(connection: duckdb.DuckDBPyConnection, terms: list[tuple[dt.date, dt.date]]) -> None:
    """The Party terms from the settings, for the history views; rewritten whole as the settings may change."""
    connection.execute("delete from analytics.terms")
    rows = [(f"{start.year}–{end.year}", start, end) for start, end in terms]
    connection.executemany("insert into analytics.terms values (?, ?, ?)", rows)


def _number(text: str) -> float | None:
    return float(text) if text else None


def compute_indicators(connection: duckdb.DuckDBPyConnection, as_of: dt.date) -> int:
    """Write the indicators as of `as_of`, worked out from the last computed night's when they can be (see
    `indicator_delta`); a row whose figures did not change is kept as it was, so re-running a night changes
    nothing, and when nothing they are computed from changed they are not computed at all. Returns the number of
    rows inserted or replaced."""
    fingerprint, frame = _inputs_fingerprint(connection)
    unchanged = connection.execute(
        "select 1 from meta.indicator_inputs where as_of_date = ? and fingerprint = ? "
        "and exists (select 1 from analytics.indicators where as_of_date = ?)",
        [as_of, fingerprint, as_of],
    ).fetchall()
    if unchanged:
        return 0
    if why := work_out_from_base(connection, as_of, frame):
        logger.info("Indicators as of %s computed from everyone in the current lists: %s", as_of, why)
        _compute_whole(connection, as_of)
    # The key of analytics.indicators, kept here rather than by an index (see 015_indicators_without_index.sql).
    twice = connection.execute(
        "select indicator_code, scope, scope_code from fresh_indicators group by all having count(*) > 1 limit 5"
    ).fetchall()
    if twice:
        connection.execute("drop table fresh_indicators; drop table fresh_scopes")
        raise IndicatorsNotUnique(f"the indicator files yield these twice as of {as_of}: {twice}")
    connection.execute(
        f"""
        delete from analytics.indicators i
        where i.as_of_date = $as_of
            and not exists (
                select 1 from fresh_indicators f
                where {_KEY}
                    and f.numerator is not distinct from i.numerator
                    and f.denominator is not distinct from i.denominator
                    and f.value is not distinct from i.value
            )
        """,
        {"as_of": as_of},
    )
    changed = connection.execute(
        f"""
        insert into analytics.indicators
        select f.*, now() as computed_at from fresh_indicators f
        where not exists (select 1 from analytics.indicators i where i.as_of_date = $as_of and {_KEY})
        """,
        {"as_of": as_of},
    ).fetchall()
    remember_base(connection, as_of, frame)
    connection.execute("drop table fresh_indicators; drop table fresh_scopes")
    # Deleted and inserted rather than upserted: a lake has no keys to upsert on.
    connection.execute("delete from meta.indicator_inputs where as_of_date = ?", [as_of])
    connection.execute("insert into meta.indicator_inputs values (?, ?, now())", [as_of, fingerprint])
    return changed[0][0] if changed else 0


def _compute_whole(connection: duckdb.DuckDBPyConnection, as_of: dt.date) -> None:
    """Every indicator from every person: `fresh_indicators`, and the people counted per scope in `fresh_scopes`."""
    # The people in each scope, computed once rather than once per indicator file (the query then takes a fifth
    # of the time), and only the columns the indicator files name.
    columns = scoped_staff_columns(connection, as_of)
    connection.execute(
        f"create or replace temp table {_SCOPED_STAFF} as select {columns} from {STAFF_IN_SCOPE}", {"as_of": as_of}
    )
    connection.execute(
        "create or replace temp table fresh_indicators as "
        f"select $as_of::date as as_of_date, * from ({typed(indicator_sql(indicator_files(), _SCOPED_STAFF))})",
        {"as_of": as_of},
    )
    connection.execute(
        f"create or replace temp table fresh_scopes as "
        f"select scope, scope_code, count(*) as headcount from {_SCOPED_STAFF} group by all"
    )
    connection.execute(f"drop table {_SCOPED_STAFF}")


def _inputs_fingerprint(connection: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """What the indicators of any as-of date are computed from: the indicator and macro SQL, every submission
    (a loaded list's rows never change once stored) and the agency catalogue; and the same without the
    submissions: the frame a night can be worked out from another in, which also holds the code that works it
    out and the migrations applied (one could rewrite stored rows). Sums of row hashes: order does not matter,
    a row twice does."""
    code = hashlib.sha256()
    worked_out_by = [Path(__file__).with_name(name) for name in ("indicator_delta.py", "indicator_sql.py")]
    for path in [*indicator_files(), *sorted(MACRO_DIR.glob("*.sql")), *worked_out_by]:
        code.update(path.read_bytes())
    submissions, agencies, migrations = connection.execute(
        """
        select
            (select coalesce(sum(hash(s)::hugeint), 0) || ':' || count(*) from dq.submissions s),
            (select coalesce(sum(hash(a)::hugeint), 0) || ':' || count(*) from core.agencies a),
            (select string_agg(name, ',' order by name) from meta.migrations),
        """
    ).fetchall()[0]
    code.update(migrations.encode())
    frame = f"{code.hexdigest()}:{agencies}"
    return f"{frame}:{submissions}", frame
