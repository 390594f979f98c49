"""Writing one run into the warehouse: agencies, submissions with their issues and rows, the run record."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from warehouse.database import insert_frame, registered, rows_in_any_order
from warehouse.sql import quote_identifier, quote_literal

if TYPE_CHECKING:
    from schemas.judging.issues import Problem


@dataclass(frozen=True)
class Submission:
    """One received file and what became of it, in counts: its loaded rows, rejected rows and issues wait in the
    run's staging folder until the load (a night of millions of rows and issues would not fit in memory)."""

    submission_id: str
    run_id: str
    agency_code: str
    file_name: str
    file_sha256: str
    archive_path: str | None
    received_at: dt.datetime
    as_of_date: dt.date
    status: str
    rows_loaded: int
    rows_rejected: int
    problems: tuple[Problem, ...] = ()
    text_encoding: str | None = None
    text_delimiter: str | None = None

    @property
    def rows_read(self) -> int:
        return self.rows_loaded + self.rows_rejected

    @property
    def errors(self) -> int:
        return sum(p.count for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(p.count for p in self.problems if p.severity != "error")

    @property
    def issue_count(self) -> int:
        return sum(p.count for p in self.problems)


def replace_agencies(connection: duckdb.DuckDBPyConnection, agencies: pl.DataFrame) -> None:
    """The catalogue file is the truth: reload it whole, so edits and new versions show at once."""
    connection.execute("delete from core.agencies")
    insert_frame(connection, "core.agencies", agencies)


def seen_files(connection: duckdb.DuckDBPyConnection, known_agencies: list[str]) -> set[tuple[str, str, str]]:
    """(agency, file name, sha256) of every file already received: the inbox is re-scanned every night.
    A file refused only because its agency was not in the catalogue is read again once the agency is; a file
    staffq failed to judge (`internal-error`) is judged again by every run until it is judged."""
    rows = connection.execute(
        """
        select
            agency_code,
            file_name,
            file_sha256,
            s.status = 'rejected' and exists (
                select 1 from dq.issues i
                where i.submission_id = s.submission_id and i.check_code = 'file-agency-unknown'
            ) as agency_was_unknown,
            s.status = 'rejected' and exists (
                select 1 from dq.issues i
                where i.submission_id = s.submission_id and i.check_code = 'internal-error'
            ) as failed_in_staffq,
        from dq.submissions s
        """
    ).fetchall()
    # Matched here rather than as a list parameter: binding a list parameter grows with the catalogue, every night.
    known = set(known_agencies)
    return {
        (agency, name, sha)
        for agency, name, sha, unknown, failed in rows
        if not failed and not (unknown and agency in known)
    }


def current_list_dates(connection: duckdb.DuckDBPyConnection) -> dict[str, dt.date]:
    """The as-of date of each agency's current list (its latest accepted submission)."""
    rows = connection.execute(
        "select agency_code, max(as_of_date) from dq.submissions "
        "where status in ('accepted', 'accepted_with_errors') group by agency_code"
    ).fetchall()
    return dict(rows)


def loaded_hashes(connection: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(agency, content hash) of every list loaded: the same bytes under another name from the same agency are a
    duplicate; from another agency's folder they are that agency's list, and judged."""
    rows = connection.execute(
        "select distinct agency_code, file_sha256 from dq.submissions "
        "where status in ('accepted', 'accepted_with_errors')"
    ).fetchall()
    return set(rows)


def stage_batch(
    staging: Path, batch: str, files: list[tuple[Submission, pl.DataFrame, pl.DataFrame, pl.DataFrame]]
) -> None:
    """What a batch of judged files gives the warehouse, (submission, loaded rows, rejected rows, issues) each,
    written with its lineage to the run's staging folder as Parquet, one file per part: the run holds in memory the
    batch it is judging, not the night, and DuckDB reads them back inside the load's one transaction, streaming.
    Issues are numbered within their file."""
    staging.mkdir(parents=True, exist_ok=True)
    for part, position in (("rows", 1), ("rejected", 2), ("issues", 3)):
        members = [(file[0], file[position]) for file in files if not file[position].is_empty()]
        if not members:
            continue
        lineage = pl.DataFrame(
            {
                "submission_id": [submission.submission_id for submission, _ in members],
                "agency_code": [submission.agency_code for submission, _ in members],
                "file_name": [submission.file_name for submission, _ in members],
                "height": [frame.height for _, frame in members],
            }
        )
        names = ["submission_id", "agency_code", "file_name"]
        repeated = lineage.select(pl.col(names).repeat_by("height")).explode(names)
        whole = pl.concat([frame for _, frame in members], how="vertical_relaxed").with_columns(
            repeated["submission_id"], repeated["agency_code"]
        )
        if part == "issues":
            whole = whole.with_columns(
                repeated["file_name"],
                issue_number=pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("submission_id"),
            )
        whole.write_parquet(staging / f"{part}-{batch}.parquet", compression="lz4")


def unstage_batch(staging: Path, batch: str) -> None:
    """What a batch stopped midway may have staged, whole or in part: its files are judged again."""
    for path in staging.glob(f"*-{batch}.parquet"):
        path.unlink()


def clear_staging(staging: Path) -> None:
    """Staged rows are the run's own: gone once loaded, and whatever a crashed run left is removed before the next
    run stages its own."""
    shutil.rmtree(staging, ignore_errors=True)


def store_submissions(connection: duckdb.DuckDBPyConnection, submissions: list[Submission], staging: Path) -> None:
    """The submissions of a run in one insert (an insert costs milliseconds whatever its rows, which a night of
    thousands of files would pay per file), then their issues, rejected rows and loaded rows as staged, but for
    files found to be duplicates after they were staged."""
    if not submissions:
        return
    insert_frame(
        connection, "dq.submissions", pl.DataFrame([_submission_row(s) for s in submissions], schema=_SUBMISSION_SCHEMA)
    )
    kept = [s.submission_id for s in submissions if s.status != "duplicate"]
    with rows_in_any_order(connection):
        for table, part in (("dq.issues", "issues"), ("dq.rejected_rows", "rejected"), ("core.staff", "rows")):
            staged = sorted(staging.glob(f"{part}-*.parquet"))
            if staged:
                files = ", ".join(quote_literal(str(path)) for path in staged)
                columns = ", ".join(quote_identifier(name) for name in pl.read_parquet_schema(staged[0]))
                connection.execute(
                    f"insert into {table} ({columns}) select {columns} "
                    f"from read_parquet([{files}], union_by_name = true) "
                    "where submission_id in (select unnest(?::varchar[]))",
                    [kept],
                )


_SUBMISSION_SCHEMA = {
    "submission_id": pl.String,
    "run_id": pl.String,
    "agency_code": pl.String,
    "file_name": pl.String,
    "file_sha256": pl.String,
    "archive_path": pl.String,
    "received_at": pl.Datetime("us"),
    "as_of_date": pl.Date,
    "status": pl.String,
    "rows_read": pl.Int64,
    "rows_loaded": pl.Int64,
    "rows_rejected": pl.Int64,
    "errors": pl.Int64,
    "warnings": pl.Int64,
    "text_encoding": pl.String,
    "text_delimiter": pl.String,
}


def _submission_row(submission: Submission) -> dict:
    """The dq.submissions row; counts always add up."""
    return {
        "submission_id": submission.submission_id,
        "run_id": submission.run_id,
        "agency_code": submission.agency_code,
        "file_name": submission.file_name,
        "file_sha256": submission.file_sha256,
        "archive_path": submission.archive_path,
        "received_at": submission.received_at,
        "as_of_date": submission.as_of_date,
        "status": submission.status,
        "rows_read": submission.rows_read,
        "rows_loaded": submission.rows_loaded,
        "rows_rejected": submission.rows_rejected,
        "errors": submission.errors,
        "warnings": submission.warnings,
        "text_encoding": submission.text_encoding,
        "text_delimiter": submission.text_delimiter,
    }


def append_issues(connection: duckdb.DuckDBPyConnection, issues: pl.DataFrame) -> None:
    """Issues found after their submissions were stored (another agency's list arrived later), `submission_id`
    saying whose: numbered after each submission's own, and counted in its warnings or errors. One insert and one
    update for all of them: a statement costs milliseconds, which a night of thousands of lists would pay per list."""
    if issues.is_empty():
        return
    ids = issues["submission_id"].unique().to_list()
    stored = pl.DataFrame(
        connection.execute(
            "select s.submission_id, s.agency_code, s.file_name, "
            "(select coalesce(max(i.issue_number), 0) from dq.issues i where i.submission_id = s.submission_id) "
            "from dq.submissions s where s.submission_id in (select unnest(?::varchar[]))",
            [ids],
        ).fetchall(),
        schema={"submission_id": pl.String, "agency_code": pl.String, "file_name": pl.String, "last": pl.Int32},
        orient="row",
    )
    numbered = issues.join(stored, on="submission_id", how="left", maintain_order="left").with_columns(
        issue_number=(pl.col("last") + pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("submission_id"))
    )
    insert_frame(connection, "dq.issues", numbered.drop("last"))
    counts = issues.group_by("submission_id").agg(
        errors=(pl.col("severity") == "error").sum(), warnings=(pl.col("severity") != "error").sum()
    )
    with registered(connection, "late_issue_counts", counts) as late:
        connection.execute(
            "update dq.submissions s set errors = s.errors + c.errors, warnings = s.warnings + c.warnings "
            f"from {late} c where s.submission_id = c.submission_id"
        )


def start_run(
    connection: duckdb.DuckDBPyConnection,
    run_id: str,
    flow_run_id: str | None,
    started_at: dt.datetime,
    as_of: dt.date,
) -> None:
    """Open the run record first, so a run that fails is still seen as started."""
    connection.execute(
        "insert into dq.runs (run_id, flow_run_id, started_at, as_of_date, status) values (?, ?, ?, ?, 'running')",
        [run_id, flow_run_id, started_at, as_of],
    )


def record_flow_run(connection: duckdb.DuckDBPyConnection, run_id: str, flow_run_id: str) -> None:
    """The Prefect flow run that took over a run put on record before it (see flows.head_start)."""
    connection.execute("update dq.runs set flow_run_id = ? where run_id = ?", [flow_run_id, run_id])


def mark_crashed(connection: duckdb.DuckDBPyConnection) -> None:
    """Runs still recorded as running when a new run starts died without closing their record (killed, a power
    cut): their loads never committed."""
    connection.execute(
        "update dq.runs set status = 'crashed', error = 'the process stopped before the run finished' "
        "where status = 'running'"
    )


def fail_run(connection: duckdb.DuckDBPyConnection, run_id: str, error: str) -> None:
    """Close the record of a run that failed before its load committed, with the error (a run whose load committed
    is complete: what it left to do is pending work, not a failure of the run)."""
    connection.execute(
        "update dq.runs set status = 'failed', finished_at = ?, error = ? where run_id = ? and status = 'running'",
        [dt.datetime.now(), error, run_id],
    )


def finish_run(connection: duckdb.DuckDBPyConnection, run_id: str, status: str, files_seen: int) -> None:
    """Close the run record with totals taken from what was actually stored. The time is the clock's, read here
    (the clock `started_at` was read from): DuckDB's now() is the start of the transaction, before the load."""
    connection.execute(
        """
        update dq.runs set
            finished_at = ?,
            status = ?,
            files_seen = ?,
            files_new = (select count(*) from dq.submissions where run_id = ?),
            rows_read = (select coalesce(sum(rows_read), 0) from dq.submissions where run_id = ?),
            rows_loaded = (select coalesce(sum(rows_loaded), 0) from dq.submissions where run_id = ?),
            rows_rejected = (select coalesce(sum(rows_rejected), 0) from dq.submissions where run_id = ?)
        where run_id = ?
        """,
        [dt.datetime.now(), status, files_seen, run_id, run_id, run_id, run_id, run_id],
    )


# dq.alert_deliveries' columns, so that a night with no attempt still makes a frame of the right types.
_DELIVERY_SCHEMA = {
    "run_id": pl.String,
    "recipient": pl.String,
    "kind": pl.String,
    "channel": pl.String,
    "attempt": pl.Int32,
    "attempted_at": pl.Datetime("us"),
    "delivered": pl.Boolean,
    "error": pl.String,
}


@dataclass(frozen=True)
class Stage:
    """One stage of a run and how long it took (see dq.run_stages)."""

    name: str
    started_at: dt.datetime
    seconds: float


def record_stages(connection: duckdb.DuckDBPyConnection, run_id: str, stages: list[Stage]) -> None:
    """The run's stages; a stage done again (a run's work retried within it) keeps its latest time. Deleted and
    inserted rather than upserted: a lake has no keys to upsert on."""
    latest = {stage.name: stage for stage in stages}
    connection.executemany(
        "delete from dq.run_stages where run_id = ? and stage = ?", [[run_id, name] for name in latest]
    )
    connection.executemany(
        "insert into dq.run_stages values (?, ?, ?, ?)",
        [[run_id, stage.name, stage.started_at, stage.seconds] for stage in latest.values()],
    )


def record_deliveries(connection: duckdb.DuckDBPyConnection, run_id: str, deliveries: list[dict]) -> None:
    """Every delivery attempt of a run's alerts, and on the run: alerts delivered and alerts that never were (an
    alert counts once per channel, whatever the attempts). A later run's attempts to deliver what was not are
    numbered after the earlier ones."""
    columns = [name for name in _DELIVERY_SCHEMA if name != "run_id"]
    earlier = dict(
        (tuple(key), attempts)
        for *key, attempts in connection.execute(
            "select recipient, kind, channel, max(attempt) from dq.alert_deliveries where run_id = ? group by all",
            [run_id],
        ).fetchall()
    )
    attempts = [
        {
            "run_id": run_id,
            **{column: delivery[column] for column in columns},
            "attempt": delivery["attempt"]
            + earlier.get((delivery["recipient"], delivery["kind"], delivery["channel"]), 0),
        }
        for delivery in deliveries
    ]
    insert_frame(connection, "dq.alert_deliveries", pl.DataFrame(attempts, schema=_DELIVERY_SCHEMA))
    connection.execute(
        """
        update dq.runs set
            alerts_sent = (select count(*) from (
                select 1 from dq.alert_deliveries where run_id = $run_id
                group by recipient, kind, channel having bool_or(delivered)
            )),
            alerts_failed = (select count(*) from (
                select 1 from dq.alert_deliveries where run_id = $run_id
                group by recipient, kind, channel having not bool_or(delivered)
            ))
        where run_id = $run_id
        """,
        {"run_id": run_id},
    )
