"""Read-only questions the CLI asks of a published database."""

from __future__ import annotations

import datetime as dt

import duckdb


def latest_as_of(connection: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The as-of date of the most recent indicators."""
    return connection.execute("select max(as_of_date) from analytics.indicators").fetchall()[0][0]


def city_indicators(connection: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, float]:
    """City-scope indicator values as of one date, by code."""
    rows = connection.execute(
        "select indicator_code, value from analytics.indicators where scope = 'city' and as_of_date = ?",
        [as_of],
    ).fetchall()
    return dict(rows)


def problem_submissions(connection: duckdb.DuckDBPyConnection, run_id: str | None = None) -> list[dict]:
    """Submissions of a run (or all) that were rejected or lost rows, with their most frequent problem."""
    rows = connection.execute(
        """
        with
        issues as (
            select submission_id, check_code, count(*) as times,
            from dq.issues
            where severity = 'error'
            group by submission_id, check_code
        ),

        top_issue as (
            select submission_id, arg_max(check_code, times) as top_check, arg_max(message_vi, 1) as message,
            from issues
            left join (select submission_id, check_code, any_value(message_vi) as message_vi
                       from dq.issues group by all) using (submission_id, check_code)
            group by submission_id
        )

        select s.agency_code, s.file_name, s.status, s.rows_read, s.rows_rejected, t.top_check, t.message,
        from dq.submissions s
        left join top_issue t using (submission_id)
        where (s.status = 'rejected' or s.rows_rejected > 0)
            and (? is null or s.run_id = ?)
        order by s.agency_code, s.file_name
        """,
        [run_id, run_id],
    ).fetchall()
    keys = ("agency_code", "file_name", "status", "rows_read", "rows_rejected", "top_check", "message")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def run_summary(connection: duckdb.DuckDBPyConnection, run_id: str) -> dict:
    """The run record."""
    cursor = connection.execute("select * from dq.runs where run_id = ?", [run_id])
    names = [column[0] for column in cursor.description]
    row = cursor.fetchall()
    return dict(zip(names, row[0], strict=True)) if row else {}
