"""What the clerks' portal reads from the analysts' copy: an agency's submissions, and the last night of each
agency's last list. Read-only, a connection per page: the copy is replaced by a rename each night."""

from __future__ import annotations

import duckdb


def agency_submissions(connection: duckdb.DuckDBPyConnection, agency_code: str) -> list[dict]:
    """Every file an agency sent, newest first, with its verdict and counts."""
    return _dicts(
        connection,
        "select submission_id, file_name, received_at, as_of_date, status, rows_read, rows_loaded, rows_rejected, "
        "errors, warnings from analytics.submission_summary where agency_code = ? "
        "order by received_at desc, submission_id",
        [agency_code],
    )


def last_nights(connection: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Per agency, its last file: when it came, its verdict and rows returned, and the night (its Prefect flow run)
    that judged it."""
    rows = _dicts(
        connection,
        """
        with
        submissions as (
            select * from dq.submissions
        ),

        runs as (
            select run_id, flow_run_id from dq.runs
        ),

        final as (
            select
                submissions.agency_code,
                submissions.received_at,
                submissions.status,
                submissions.rows_rejected,
                runs.flow_run_id,
            from submissions
            left join runs using (run_id)
            qualify row_number() over (
                partition by submissions.agency_code order by submissions.received_at desc, submissions.submission_id
            ) = 1
        )

        select * from final
        """,
        [],
    )
    return {row["agency_code"]: row for row in rows}


def _dicts(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list) -> list[dict]:
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
