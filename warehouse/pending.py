"""Work that must follow a load — publishing, feedback, alerts — kept as rows of `meta.pending_work`: recorded in the
load's own transaction, so that a load never commits without them, and marked done one by one when done. Whatever a
failed or killed run left undone, the next run finds here and does first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb


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
    if not submission_ids:
        return
    connection.executemany(
        "insert into meta.pending_work (run_id, kind, submission_id, recorded_at, attempts) values (?, ?, ?, ?, 0)",
        [[run_id, kind, submission_id, dt.datetime.now()] for submission_id in submission_ids],
    )


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
    if not work:
        return
    connection.executemany(
        "update meta.pending_work set done_at = ?, result = ?, attempts = attempts + 1, last_error = null "
        "where run_id = ? and kind = ? and submission_id is not distinct from ?",
        [
            [dt.datetime.now(), result, w.run_id, w.kind, w.submission_id]
            for w, result in zip(work, results, strict=True)
        ],
    )


def mark_failed(connection: duckdb.DuckDBPyConnection, work: list[PendingWork], errors: list[str]) -> None:
    """Tried and not done: left for the next run, with the reason."""
    if not work:
        return
    connection.executemany(
        "update meta.pending_work set attempts = attempts + 1, last_error = ? "
        "where run_id = ? and kind = ? and submission_id is not distinct from ?",
        [[error, w.run_id, w.kind, w.submission_id] for w, error in zip(work, errors, strict=True)],
    )
