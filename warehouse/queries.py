"""Read-only questions the CLI, the flow's feedback and the clerks' portal ask of a database."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from warehouse.load import Submission


def top_scope(connection: duckdb.DuckDBPyConnection) -> str:
    """The scope a report is about: "province" in a province's warehouse, whose figures are its cities' together
    (see warehouse.province), else "city"."""
    found = connection.execute("select 1 from analytics.indicators where scope = 'province' limit 1").fetchall()
    return "province" if found else "city"


def city_indicators(connection: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, float]:
    """Indicator values of the whole city (or province) as of one date, by code."""
    rows = connection.execute(
        "select indicator_code, value from analytics.indicators where scope = ? and as_of_date = ?",
        [top_scope(connection), as_of],
    ).fetchall()
    return dict(rows)


OFFICIAL_FORMS = ("form_bm01", "form_9b_leaders", "form_contract_staff")
# What form BM01/BNV itself counts: cán bộ and công chức (viên chức get the same layout on a sheet of their own).
BM01_CATEGORIES = ["cadre", "civil_servant"]


def official_form(
    connection: duckdb.DuckDBPyConnection, form: str, as_of: dt.date, staff_categories: list[str] | None = None
) -> tuple[list[str], list[tuple]]:
    """The rows of one official form macro (see OFFICIAL_FORMS) as of a date, with column names; `form_bm01` over
    the staff categories given, by default those the form itself counts (cán bộ and công chức)."""
    if form not in OFFICIAL_FORMS:
        raise ValueError(f"unknown form {form!r}: one of {', '.join(OFFICIAL_FORMS)}")
    if form == "form_bm01":
        cursor = connection.execute(
            f"select * from analytics.{form}(?::date, ?::varchar[])", [as_of, staff_categories or BM01_CATEGORIES]
        )
    else:
        cursor = connection.execute(f"select * from analytics.{form}(?::date)", [as_of])
    return [column[0] for column in cursor.description], cursor.fetchall()


def city_government_name(connection: duckdb.DuckDBPyConnection, as_of: dt.date) -> str | None:
    """The name of the government group's top agency at a date ("HĐND và UBND thành phố Tân Uyên"): the only place
    the agency catalogue says which city it describes."""
    rows = connection.execute(
        "select name from analytics.agencies_at(?::date) where agency_group = 'government' and parent_code is null "
        "order by agency_code limit 1",
        [as_of],
    ).fetchall()
    return rows[0][0] if rows else None


def latest_as_of(connection: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The most recent as-of date with indicators."""
    return connection.execute("select max(as_of_date) from analytics.indicators").fetchall()[0][0]


def problem_submissions(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """Submissions that were rejected or lost rows, with their main error: a file-level one, else the most frequent."""
    rows = connection.execute(
        """
        with
        errors as (
            select
                submission_id,
                check_code,
                any_value(message_vi) as message_vi,
                -- A problem with the whole file explains more than any count of row problems.
                bool_or(row_number is null)::int * 1000000 + count(*) as weight,
            from dq.issues
            where severity = 'error'
            group by submission_id, check_code
        ),

        top_issue as (
            select submission_id, check_code as top_check, message_vi as message,
            from errors
            qualify row_number() over (partition by submission_id order by weight desc, check_code) = 1
        )

        select s.agency_code, s.file_name, s.status, s.rows_read, s.rows_rejected, t.top_check, t.message,
        from dq.submissions s
        left join top_issue t using (submission_id)
        where s.status = 'rejected' or s.rows_rejected > 0
        order by s.agency_code, s.file_name
        """
    ).fetchall()
    keys = ("agency_code", "file_name", "status", "rows_read", "rows_rejected", "top_check", "message")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list) -> list[dict]:
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def city_history(connection: duckdb.DuckDBPyConnection, codes: list[str], until: dt.date) -> list[dict]:
    """City (or province) values of some indicators at every as-of date up to `until`: the trend behind a claim."""
    return _rows(
        connection,
        "select as_of_date, indicator_code, value from analytics.indicators "
        "where scope = ? and indicator_code in (select unnest(?::varchar[])) and as_of_date <= ? "
        "order by as_of_date, indicator_code",
        [top_scope(connection), codes, until],
    )


def city_targets(connection: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict]:
    """The city's (or province's) indicators that have a target, with the target and whether it is met."""
    return _rows(
        connection,
        "select indicator_code, value, target_min, target_max, is_met from analytics.indicator_targets "
        "where scope = ? and as_of_date = ? order by indicator_code",
        [top_scope(connection), as_of],
    )


def age_pyramid(connection: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict]:
    """The city's headcount by five-year band and sex."""
    return _rows(connection, "select * from analytics.age_pyramid(?::date)", [as_of])


def agency_data_quality(connection: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict]:
    """Per expected agency, then per other folder that sent files: current list, lateness, rows read, loaded,
    returned and warned, files returned (see the macro)."""
    return _rows(connection, "select * from analytics.agency_data_quality(?::date)", [as_of])


def submission_issues(connection: duckdb.DuckDBPyConnection, submission_ids: list[str]) -> dict[str, pl.DataFrame]:
    """The issues of some submissions, in their order, by submission id; a submission without any is absent."""
    issues = connection.execute(
        "select submission_id, sheet, row_number, list_number, person_name, column_header, column_number, field, "
        "check_code, severity, value, message_vi, message_en from dq.issues "
        "where submission_id in (select unnest(?::varchar[])) "
        "order by submission_id, issue_number",
        [submission_ids],
    ).pl()
    return {
        key[0]: frame for key, frame in issues.partition_by("submission_id", as_dict=True, include_key=False).items()
    }


def run_submissions(connection: duckdb.DuckDBPyConnection, run_id: str) -> list[Submission]:
    """The submissions of one run as stored, problems included (see `_stored_submissions`)."""
    return _stored_submissions(connection, "s.run_id = ?", [run_id])


def submissions_by_id(connection: duckdb.DuckDBPyConnection, submission_ids: list[str]) -> list[Submission]:
    """Some submissions as stored, problems included (see `_stored_submissions`)."""
    return _stored_submissions(connection, "s.submission_id in (select unnest(?::varchar[]))", [submission_ids])


def _stored_submissions(connection: duckdb.DuckDBPyConnection, where: str, parameters: list) -> list[Submission]:
    """Submissions as stored, with their problems summed up check by check (how often, the first message, whether
    about the whole file): what feedback and alerts need of a run, whichever run does that work. `where` is one of
    the conditions above, on `s`, dq.submissions."""
    cursor = connection.execute(
        f"""
        with
        chosen as (select * from dq.submissions s where {where}),

        problems as (
            select
                submission_id,
                check_code,
                severity,
                count(*) as count,
                arg_min(message_vi, issue_number) as message_vi,
                bool_or(row_number is null) as whole_file,
                min(issue_number) as first_issue,
            from dq.issues
            where submission_id in (select submission_id from chosen)
            group by all
        ),

        final as (
            select
                c.*,
                coalesce(
                    list(
                        struct_pack(check_code, severity, count, message_vi, whole_file) order by p.first_issue
                    ) filter (where p.check_code is not null),
                    []
                ) as problems,
            from chosen c
            left join problems p using (submission_id)
            group by all
        )

        select * from final order by received_at, agency_code, file_name
        """,
        parameters,
    )
    names = [column[0] for column in cursor.description]
    return [_submission(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def _submission(row: dict) -> Submission:
    from schemas.judging.issues import Problem

    return Submission(
        submission_id=row["submission_id"],
        run_id=row["run_id"],
        agency_code=row["agency_code"],
        file_name=row["file_name"],
        file_sha256=row["file_sha256"],
        archive_path=row["archive_path"],
        received_at=row["received_at"],
        as_of_date=row["as_of_date"],
        status=row["status"],
        rows_loaded=row["rows_loaded"],
        rows_rejected=row["rows_rejected"],
        problems=tuple(Problem(**problem) for problem in row["problems"]),
        text_encoding=row["text_encoding"],
        text_delimiter=row["text_delimiter"],
    )


def agency_submissions(connection: duckdb.DuckDBPyConnection, agency_code: str) -> list[dict]:
    """Every file an agency sent, newest first, with its verdict and counts."""
    return _rows(
        connection,
        "select submission_id, file_name, received_at, as_of_date, status, rows_read, rows_loaded, rows_rejected, "
        "errors, warnings from analytics.submission_summary where agency_code = ? "
        "order by received_at desc, submission_id",
        [agency_code],
    )


def last_nights(connection: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Per agency, its last file: when it came, its verdict and rows returned, and the night (its Prefect flow run)
    that judged it."""
    rows = _rows(
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
