"""The nightly job as plain functions: judge each new file (flows.inbox finds them), load everything in one
transaction, leave publishing and feedback pending (flows.pending). The Prefect flow calls these; tests call them
directly."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from flows.delivery.alerts import failed_channels
from flows.inbox import IncomingFile, Unsettled, archive, left_for_next_run, looks_like_a_copy
from flows.judging_rules import JudgingRules
from flows.processes import Failed, Run, WorkerLimits, cores, worker_pool
from flows.settings import Configuration, workspace_policy
from flows.stopwatch import Stopwatch
from schemas.checks import check_definition
from schemas.judging.issues import ISSUE_SCHEMA
from schemas.judging.results import FileResult, duplicate_result, internal_error, stopped
from schemas.judging.validate import validate_files
from schemas.staff import field_titles
from warehouse.cross_agency import people_in_other_agencies
from warehouse.database import connect, migrate, rollback
from warehouse.faults import fault_point
from warehouse.indicators import compute_indicators, refresh_catalog, refresh_terms
from warehouse.load import (
    Stage,
    Submission,
    append_issues,
    clear_staging,
    fail_run,
    finish_run,
    mark_crashed,
    record_flow_run,
    record_stages,
    replace_agencies,
    stage_batch,
    start_run,
    store_submissions,
    unstage_batch,
)
from warehouse.pending import feedback_due, record_pending
from warehouse.workspace import Workspace

logger = logging.getLogger(__name__)
# Files validated together: the row checks' fixed cost is paid once per batch, memory grows with it. A batch also
# holds at most VALIDATION_BATCH_BYTES of files, so that it is cheap beside the time limit it runs under, and a
# larger file is judged alone, under the limits of one file.
VALIDATION_BATCH_FILES = 200
VALIDATION_BATCH_BYTES = 8 << 20


@dataclass(frozen=True)
class RunOutcome:
    """What one run did, for the CLI, the Prefect artifact and the tests."""

    run_id: str
    as_of: dt.date
    files_seen: int
    submissions: list[Submission]
    deliveries: tuple[dict, ...] = ()
    not_done: tuple[str, ...] = ()

    @property
    def has_rejections(self) -> bool:
        return any(s.status == "rejected" or s.rows_rejected for s in self.submissions)

    @property
    def failed_alerts(self) -> list[dict]:
        return failed_channels(list(self.deliveries))


@dataclass(frozen=True)
class _Judging:
    """What judging a batch needs, the same for every batch of a run: sent once per batch to a worker process."""

    workspace: Workspace
    rules: JudgingRules
    worker_limits: WorkerLimits
    run_id: str
    received_at: dt.datetime


def judge(
    config: Configuration,
    incoming: list[IncomingFile],
    run_id: str,
    received_at: dt.datetime,
    elsewhere: Run | None = None,
) -> list[Submission]:
    """Archive, read and check new files in batches, staging what each batch gives the warehouse. Batches are
    judged in worker processes, one per core, each under the memory and time limits of `[limits]`: judging is
    mostly Python and polars calls per file, on one core, and a hostile file must cost only its own verdict. A batch
    stopped at a limit, or whose worker died, is judged again a file at a time, so that the one file is returned
    with the reason and the others are judged as if nothing had happened. A file already loaded by its agency is a
    duplicate, not read again; so is a second copy of a file loaded earlier in this same run, told here, in file
    order, once the batches are judged: the load skips what it staged. With `elsewhere` (a Dask cluster, see
    flows.cluster), batches are judged there instead of in this machine's processes, and retried the same way."""
    workspace, settings = config.workspace, config.settings
    clear_staging(workspace.staging)
    # A night with nothing new reads no tables and folds no names: that work grows with the catalogue, not the files.
    if not incoming:
        return []
    rules = JudgingRules.of(settings, config.catalogue, workspace_policy(workspace, settings))
    judging = _Judging(workspace, rules, settings.limits.worker_limits(), run_id, received_at)
    batches = _batches(incoming)
    judged: dict[str, list[Submission]] = {}
    with _workers(elsewhere, len(batches), judging.worker_limits) as run:
        while batches:
            retry = []
            for (key, batch), outcome in zip(batches, run(_judge_batch, [(judging, *b) for b in batches]), strict=True):
                if not isinstance(outcome, Failed):
                    judged[key] = outcome
                    continue
                unstage_batch(workspace.run_staging(run_id), key)
                if len(batch) == 1:
                    judged[key] = _stopped(judging, key, batch[0], outcome)
                    continue
                logger.warning("a batch of %d files was stopped (%s); judging them one by one", len(batch), outcome)
                retry += [(f"{key}-{k:04d}", [item]) for k, item in enumerate(batch)]
            batches = retry
    fault_point("after_archive")
    in_file_order = [submission for key in sorted(judged) for submission in judged[key]]
    originals = _originals(in_file_order, incoming)
    submissions = []
    for submission in in_file_order:
        fault_point("mid_validation")
        if _is_loaded(submission) and (submission.agency_code, submission.file_name) not in originals:
            submission = _duplicate(submission)
        submissions.append(submission)
    return submissions


@contextmanager
def _workers(elsewhere: Run | None, batches: int, limits: WorkerLimits) -> Iterator[Run]:
    """Where the batches are judged: `elsewhere` when given, else worker processes of this machine, one per core."""
    if elsewhere:
        yield elsewhere
        return
    with worker_pool(min(cores(), batches), limits) as pool:
        yield pool.run


def _is_loaded(submission: Submission) -> bool:
    return submission.status in ("accepted", "accepted_with_errors")


def _originals(submissions: list[Submission], incoming: list[IncomingFile]) -> set[tuple[str, str]]:
    """(agency, file name) of the one file kept among the same bytes sent twice by one agency this night. The
    duplicate reported back is the copy, as the clerk would name it: a name that looks like a copy's ("X (1).xlsx",
    "Copy of X.xlsx", "X - Copy.xlsx", "X - Bản sao.xlsx") before one that does not, then the later modified."""
    modified = {(item.agency_code, item.file_name): item.modified_ns for item in incoming}
    kept: dict[tuple[str, str], Submission] = {}
    for submission in submissions:
        if not _is_loaded(submission):
            continue
        key, rank = (submission.agency_code, submission.file_sha256), _copy_rank(submission, modified)
        if key not in kept or rank < _copy_rank(kept[key], modified):
            kept[key] = submission
    return {(submission.agency_code, submission.file_name) for submission in kept.values()}


def _copy_rank(submission: Submission, modified: dict[tuple[str, str], int]) -> tuple[bool, int]:
    name = submission.file_name
    return looks_like_a_copy(name), modified.get((submission.agency_code, name), 0)


def _batches(incoming: list[IncomingFile]) -> list[tuple[str, list[IncomingFile]]]:
    """The files in order, in batches of at most VALIDATION_BATCH_FILES files and VALIDATION_BATCH_BYTES, each
    keyed by its number: keys sort in file order, and name the batch's staged parts."""
    batches: list[list[IncomingFile]] = [[]]
    size = 0
    for item in incoming:
        if batches[-1] and (len(batches[-1]) >= VALIDATION_BATCH_FILES or size + item.size > VALIDATION_BATCH_BYTES):
            batches.append([])
            size = 0
        batches[-1].append(item)
        size += item.size
    return [(f"{number:06d}", batch) for number, batch in enumerate(batches)]


def _stopped(judging: _Judging, key: str, item: IncomingFile, failure: Failed) -> list[Submission]:
    """The verdict on a file whose judging was stopped at a limit, or failed in staffq: archived as received,
    returned with the reason, staged like any other verdict, and told to the operator (none for a file that changed
    meanwhile: it is left for the next run)."""
    logger.error("judging %s/%s was stopped: %s", item.agency_code, item.file_name, failure.detail)
    received = judging.received_at.date()
    limits = judging.worker_limits
    if failure.reason == "error":
        result = internal_error(received, failure.detail.split(":")[0])
    else:
        result = stopped(received, failure.reason, limits.seconds, limits.memory_mb)
    try:
        archived = archive(judging.workspace, item)
    except (Unsettled, OSError):
        left_for_next_run(item)
        return []
    submission = _submission(judging, item, result, archived)
    stage_batch(judging.workspace.run_staging(judging.run_id), key, [(submission, *_rows_of(result))])
    return [submission]


def _rows_of(result: FileResult) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return result.staff, result.rejected, result.issues


def _judge_batch(judging: _Judging, key: str, batch: list[IncomingFile]) -> list[Submission]:
    """One batch of files archived, read, checked and staged, in a worker process. A file that changes while it is
    archived or read is left out, for the next run."""
    workspace, received = judging.workspace, judging.received_at.date()
    archived = {}
    for item in batch:
        fault_point(f"judging {item.file_name}")
        try:
            archived[item.agency_code, item.file_name] = archive(workspace, item)
        except Unsettled:
            left_for_next_run(item)
    batch = [item for item in batch if (item.agency_code, item.file_name) in archived]
    to_read = [item for item in batch if not item.duplicate]
    contexts = [judging.rules.context(item.agency_code, received, item.current_list_as_of) for item in to_read]
    results = iter(validate_files([(item.path, context) for item, context in zip(to_read, contexts, strict=True)]))
    judged = []
    for item in batch:
        result = duplicate_result(received) if item.duplicate else next(results)
        if item.changed():
            left_for_next_run(item)
            continue
        submission = _submission(judging, item, result, archived[item.agency_code, item.file_name])
        judged.append((submission, *_rows_of(result)))
    stage_batch(workspace.run_staging(judging.run_id), key, judged)
    return [submission for submission, *_ in judged]


def _duplicate(submission: Submission) -> Submission:
    """A second copy of a file loaded earlier in the run: recorded as a duplicate, its staged rows left out."""
    result = duplicate_result(submission.received_at.date())
    return dataclasses.replace(
        submission,
        status=result.status,
        as_of_date=result.as_of_date,
        rows_loaded=0,
        rows_rejected=0,
        problems=(),
        text_encoding=None,
        text_delimiter=None,
    )


def _submission(judging: _Judging, incoming: IncomingFile, result: FileResult, archived: Path) -> Submission:
    run_id = judging.run_id
    submission_id = hashlib.sha256(
        f"{run_id}\x00{incoming.agency_code}\x00{incoming.file_name}\x00{incoming.sha256}".encode()
    ).hexdigest()[:16]
    return Submission(
        submission_id=submission_id,
        run_id=run_id,
        agency_code=incoming.agency_code,
        file_name=incoming.file_name,
        file_sha256=incoming.sha256,
        archive_path=archived.relative_to(judging.workspace.root).as_posix(),
        received_at=judging.received_at,
        as_of_date=result.as_of_date,
        status=result.status,
        rows_loaded=result.staff.height,
        rows_rejected=result.rejected.height,
        problems=result.problems,
        text_encoding=result.text_format.encoding if result.text_format else None,
        text_delimiter=result.text_format.delimiter if result.text_format else None,
    )


def open_run(
    workspace: Workspace, run_id: str, flow_run_id: str | None, started_at: dt.datetime, as_of: dt.date
) -> None:
    """Record the run as running, in a transaction of its own, before it touches any file: a run that fails or is
    killed later is still on record. Runs left running by a process that died are recorded as crashed (the caller
    holds the workspace's run lock: no other run is alive)."""
    with connect(workspace.database) as connection:
        migrate(connection)
        connection.execute("begin transaction")
        mark_crashed(connection)
        start_run(connection, run_id, flow_run_id, started_at, as_of)
        connection.execute("commit")


def name_flow_run(workspace: Workspace, run_id: str, flow_run_id: str) -> None:
    """Name the Prefect flow run of a run that a command put on record before its flow started."""
    with connect(workspace.database) as connection:
        record_flow_run(connection, run_id, flow_run_id)


def close_failed_run(workspace: Workspace, run_id: str, error: BaseException) -> None:
    """Record why the run failed, in a transaction of its own (the load's, if any, was rolled back). Never raises:
    it runs while another error is on its way to the operator."""
    try:
        with connect(workspace.database) as connection:
            fail_run(connection, run_id, f"{type(error).__name__}: {error}")
    except Exception:
        logger.exception("could not record the failure of run %s", run_id)


def load(
    config: Configuration,
    submissions: list[Submission],
    run_id: str,
    as_of: dt.date,
    files_seen: int,
    stages_before: Sequence[Stage] = (),
) -> None:
    """Everything of one run in one transaction: a crash leaves the warehouse as it was before the run. What must
    follow the load — publishing, each feedback file, the alerts — is recorded as pending in the same transaction,
    so it cannot be lost once the load commits (see `flows.pending`). The run's stages before it, and its own split
    into the load and the indicators, are recorded after the commit, whose time the load's includes."""
    workspace, settings = config.workspace, config.settings
    load_timer = Stopwatch()
    memory_limit = settings.warehouse.memory_limit
    with load_timer.stage("load"), connect(workspace.database, memory_limit=memory_limit) as connection:
        try:
            migrate(connection)
            connection.execute("begin transaction")
            try:
                replace_agencies(connection, config.catalogue)
                store_submissions(connection, submissions, workspace.run_staging(run_id))
                fault_point("mid_load")
                accepted = [s.submission_id for s in submissions if s.status in ("accepted", "accepted_with_errors")]
                append_issues(connection, cross_agency_issues(people_in_other_agencies(connection, accepted)))
                refresh_catalog(connection)
                refresh_terms(connection, settings.policy().terms())
                with load_timer.stage("indicators"):
                    compute_indicators(connection, as_of)
                finish_run(connection, run_id, "completed", files_seen)
                record_pending(connection, run_id, "publish", [None])
                record_pending(connection, run_id, "feedback", feedback_due(connection, run_id))
                record_pending(connection, run_id, "alerts", [None])
                connection.execute("commit")
            except BaseException:
                rollback(connection)
                raise
        finally:
            clear_staging(workspace.run_staging(run_id))
    with connect(workspace.database, memory_limit=memory_limit) as connection:
        record_stages(connection, run_id, [*stages_before, *_without_indicators(load_timer.stages)])


def _without_indicators(stages: list[Stage]) -> list[Stage]:
    """The load's stage less the indicators' time, which ran inside it, and the indicators' own."""
    indicators = next(stage for stage in stages if stage.name == "indicators")
    return [
        Stage(stage.name, stage.started_at, stage.seconds - indicators.seconds) if stage.name == "load" else stage
        for stage in stages
    ]


def cross_agency_issues(pairs: list[dict]) -> pl.DataFrame:
    """`person-in-other-agency` warnings for both lists of each pair, `submission_id` saying whose; a pair whose
    two sides are both new in this run comes twice, once from each side, so each side is warned once."""
    new = {pair["submission_id"] for pair in pairs}
    definition = check_definition("person-in-other-agency")
    rows = []
    for pair in pairs:
        sides = [(pair, "")]
        if pair["other_submission_id"] not in new:
            sides.append((pair, "other_"))
        for side, prefix in sides:
            other = "" if prefix else "other_"
            message_vi, message_en = definition.render(
                {"other_agency": f"{side[other + 'agency_name']} ({side[other + 'agency_code']})"}
            )
            rows.append(
                {
                    "submission_id": side[prefix + "submission_id"],
                    "sheet": side[prefix + "sheet"],
                    "row_number": side[prefix + "row_number"],
                    "list_number": side[prefix + "stt"],
                    "person_name": side[prefix + "full_name"],
                    "column_header": field_titles()["national_id"],
                    "field": "national_id",
                    "check_code": definition.code,
                    "severity": definition.severity,
                    "value": side["national_id"],
                    "message_vi": message_vi,
                    "message_en": message_en,
                }
            )
    return pl.DataFrame(rows, schema={"submission_id": pl.String, **ISSUE_SCHEMA})


def received_at(started_at: dt.datetime, as_of: dt.date) -> dt.datetime:
    """Files ingested by a run for a past night count as received that night: staleness and future dates are
    judged against the night being run, not against the day someone caught up with it."""
    return dt.datetime.combine(as_of, started_at.time()) if as_of < started_at.date() else started_at


def new_run_id() -> str:
    """Run ids sort by start time and never collide."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
