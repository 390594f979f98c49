"""Work that must follow a load — publishing, feedback, alerts — kept as rows of `meta.pending_work`: recorded in the
load's own transaction, so that a load never commits without them, and marked done one by one when done. Whatever a
failed or killed run left undone, the next run finds here and does first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse.database import insert_frame, registered


@dataclass(frozen=True)
class PendingWork:
    """One piece of work not yet done; `submission_id` only for feedback."""

    run_id: str
    kind: str
    submission_id: str | None
    attempts: int


def record_pending(
    connection: duckdb.DuckDBPyConnection, run_id: str, kind: str, submission_ids: list[str | None]
) -> None:
    """Work to do after this transaction commits (call inside it)."""
    work = pl.DataFrame({"submission_id": submission_ids}, schema={"submission_id": pl.String}).select(
        pl.lit(run_id).alias("run_id"),
        pl.lit(kind).alias("kind"),
        "submission_id",
        pl.lit(dt.datetime.now()).alias("recorded_at"),
        pl.lit(0, pl.Int32).alias("attempts"),
    )
    insert_frame(connection, "meta.pending_work", work)


def feedback_due(connection: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """The run's submissions with issues in the warehouse (found on reading, or by the load against other
    agencies' lists): each gets a feedback file."""
    rows = connection.execute(
        "select submission_id from dq.submissions s where run_id = ? "
        "and exists (select 1 from dq.issues i where i.submission_id = s.submission_id) order by submission_id",
        [run_id],
    ).fetchall()
    return [row[0] for row in rows]


def pending_work(connection: duckdb.DuckDBPyConnection, kind: str, run_id: str | None = None) -> list[PendingWork]:
    """Work of one kind not done yet (of one run, if given), oldest first."""
    rows = connection.execute(
        "select run_id, kind, submission_id, attempts from meta.pending_work "
        "where kind = $kind and done_at is null and ($run_id is null or run_id = $run_id) "
        "order by recorded_at, run_id, submission_id",
        {"kind": kind, "run_id": run_id},
    ).fetchall()
    return [PendingWork(*row) for row in rows]


def mark_done(connection: duckdb.DuckDBPyConnection, work: list[PendingWork], results: list[str | None]) -> None:
    """Done, with what it made (a feedback file's path)."""
    _tried(connection, work, results, "done_at = w.tried_at, result = w.outcome, last_error = null")


def mark_failed(connection: duckdb.DuckDBPyConnection, work: list[PendingWork], errors: list[str]) -> None:
    """Tried and not done: left for the next run, with the reason."""
    _tried(connection, work, errors, "last_error = w.outcome")


def _tried(
    connection: duckdb.DuckDBPyConnection, work: list[PendingWork], outcomes: list[str | None], setting: str
) -> None:
    """Each piece of `work` tried once more, and set as `setting` says from `w`: its outcome and when it was tried."""
    if not work:
        return
    frame = pl.DataFrame(
        {
            "run_id": [w.run_id for w in work],
            "kind": [w.kind for w in work],
            "submission_id": [w.submission_id for w in work],
            "outcome": outcomes,
        },
        schema={"run_id": pl.String, "kind": pl.String, "submission_id": pl.String, "outcome": pl.String},
    ).with_columns(tried_at=pl.lit(dt.datetime.now()))
    with registered(connection, "work_tried", frame) as tried:
        connection.execute(
            f"update meta.pending_work p set attempts = p.attempts + 1, {setting} from {tried} w "
            "where p.run_id = w.run_id and p.kind = w.kind and p.submission_id is not distinct from w.submission_id"
        )
