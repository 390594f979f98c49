"""The nightly Prefect flow: thin tasks over flows.pipeline, coarse enough that Prefect's bookkeeping is
a few calls per run however many files arrive."""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import nullcontext
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows import head_start, pipeline
from flows.cluster import FEEDBACK_FILES_PER_TASK, dask_work
from flows.delivery.alerts import deliver, failed_channels, flow_failed_alert
from flows.head_start import NightBegun
from flows.inbox import IncomingFile, discover
from flows.pending import Finished, finish_pending
from flows.preflight import require_valid_workspace
from flows.settings import Configuration, Settings, load_settings
from flows.stopwatch import Stopwatch
from warehouse.load import Stage, Submission
from warehouse.locks import run_lock


@task(cache_policy=NO_CACHE)
def find_new_files(config: Configuration) -> tuple[list[IncomingFile], int]:
    return discover(config.workspace, config.catalogue)


@task(cache_policy=NO_CACHE)
def judge_files(
    config: Configuration, incoming: list[IncomingFile], run_id: str, received_at: dt.datetime
) -> list[Submission]:
    submissions = pipeline.judge(config, incoming, run_id, received_at, dask_work(config.settings))
    logger = get_run_logger()
    for submission in submissions:
        logger.info(file_verdict(submission))
    return submissions


def file_verdict(submission: Submission) -> str:
    """One file's line in the run log: agency, file, status and counts. Never a value from the file: a value may be
    a birth date or an ID, and the run log is read by whoever watches the UI."""
    s = submission
    return (
        f"{s.agency_code} {s.file_name!r}: {s.status}; {s.rows_read} rows read, {s.rows_loaded} loaded, "
        f"{s.rows_rejected} returned; issues: {s.errors} error(s), {s.warnings} warning(s)"
    )


@task(cache_policy=NO_CACHE)
def open_run(root: Path, run_id: str, started_at: dt.datetime, as_of: dt.date) -> Configuration:
    """The workspace's configuration checked and read, once for the whole run, then the run on record, before any
    file is touched."""
    require_valid_workspace(root)
    config = Configuration.load(root)
    pipeline.open_run(config.workspace, run_id, flow_run.get_id(), started_at, as_of)
    return config


@task(cache_policy=NO_CACHE)
def take_over_run(night: NightBegun) -> Configuration:
    """The run the command put on record before the flow started (flows.head_start), now named by this flow run;
    what stopped the command before the run was on record stops the flow here, as it would have in `open_run`."""
    if not night.on_record:
        raise night.failure
    pipeline.name_flow_run(night.config.workspace, night.run_id, flow_run.get_id())
    return night.config


@task(cache_policy=NO_CACHE)
def take_over_judging(night: NightBegun) -> tuple[int, list[Submission]]:
    """The new files the command found and judged while its Prefect server started, with the log lines it wrote on
    the way, now in the run log."""
    logger = get_run_logger()
    for record in night.log:
        logger.log(record.levelno, record.getMessage(), exc_info=record.exc_info)
    if night.failure:
        raise night.failure
    for submission in night.submissions:
        logger.info(file_verdict(submission))
    return night.files_seen, night.submissions


@task(cache_policy=NO_CACHE)
def load(
    config: Configuration,
    submissions: list[Submission],
    run_id: str,
    as_of: dt.date,
    files_seen: int,
    stages_before: list[Stage],
) -> None:
    pipeline.load(config, submissions, run_id, as_of, files_seen, stages_before)


@task(cache_policy=NO_CACHE)
def finish_pending_work(config: Configuration, run_id: str | None = None) -> Finished:
    """Publishing, feedback and alerts that earlier runs left to do, or this one's (see flows.pending)."""
    finished = finish_pending(config, run_id, dask_work(config.settings, FEEDBACK_FILES_PER_TASK))
    logger = get_run_logger()
    for run_id, records in finished.deliveries.items():
        logger.info(
            "alerts of run %s: %d channel deliveries, %d failed",
            run_id,
            len({(r["recipient"], r["kind"], r["channel"]) for r in records}),
            len(failed_channels(records)),
        )
    for failure in finished.failures:
        logger.warning("not done, left for the next run: %s", failure)
    return finished


def alert_operator_of_failure(flow, flow_run, state) -> None:
    """State hook: the flow crashed or failed (a bug, a full disk), which bad data never does. It must never fail
    itself: when the workspace's settings are what broke, the environment's alert settings are used."""
    log = logging.getLogger(__name__)
    try:
        try:
            settings = load_settings(Path(flow_run.parameters["workspace"]).resolve())
        except Exception:
            log.exception("the workspace's settings could not be read; alerting with the environment's")
            settings = Settings()
        operator = tuple(settings.alerts.operator)
        if operator:
            alert = flow_failed_alert(flow_run.name, state.message or state.name, operator)
            deliver([alert], settings.alerts.attempts, settings.alerts.backoff_seconds)
    except Exception:
        log.exception("the operator could not be alerted that the run failed")


@task(cache_policy=NO_CACHE)
def record_artifacts(outcome: pipeline.RunOutcome) -> None:
    """The run as Prefect artifacts under stable keys, so their history shows in the UI. Counts and check codes
    only: values may hold personal data."""
    create_markdown_artifact(key="staffq-run-summary", markdown=run_summary_markdown(outcome))
    create_table_artifact(key="staffq-issues-by-agency", table=issue_counts(outcome) or [{"agency": "-"}])


def run_summary_markdown(outcome: pipeline.RunOutcome) -> str:
    """One line per new file: agency, file, status and its rows."""
    lines = [
        f"# staffq nightly run {outcome.run_id}",
        "",
        f"Indicators as of {outcome.as_of:%d/%m/%Y}; {len(outcome.submissions)} new of {outcome.files_seen} files.",
        "",
        "| agency | file | status | rows read | loaded | rejected | issues |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for s in outcome.submissions:
        lines.append(
            f"| {s.agency_code} | {s.file_name} | {s.status} | {s.rows_read} | {s.rows_loaded} | {s.rows_rejected} "
            f"| {s.issue_count} |"
        )
    return "\n".join(lines) + "\n"


def issue_counts(outcome: pipeline.RunOutcome) -> list[dict]:
    """Problems found in this run, per agency and check code."""
    counts: dict[tuple[str, str, str], int] = {}
    for s in outcome.submissions:
        for problem in s.problems:
            key = (s.agency_code, problem.check_code, problem.severity)
            counts[key] = counts.get(key, 0) + problem.count
    return [
        {"agency": agency, "check_code": code, "severity": severity, "count": count}
        for (agency, code, severity), count in sorted(counts.items())
    ]


@flow(
    name="nightly",
    # Each run is named by a new staffq run id (or the id of the night a command began, see flows.head_start), which
    # the flow takes as its own: the UI, the alerts and dq.runs then name a run alike.
    flow_run_name=head_start.run_name,
    validate_parameters=False,
    on_failure=[alert_operator_of_failure],
    on_crashed=[alert_operator_of_failure],
)
def nightly(workspace: Path, as_of: dt.date | None = None) -> pipeline.RunOutcome:
    """Ingest every new inbox file, validate, load, recompute the indicators as of `as_of` (today by
    default), publish the analysts' copy and write each agency's feedback."""
    root = Path(workspace).resolve()
    run_id = flow_run.get_name()
    night = head_start.take(root, run_id)
    # Local time, like the dates clerks write and the as-of date of the indicators.
    started_at = night.started_at if night else dt.datetime.now()
    if isinstance(as_of, str):  # from the UI or `prefect deployment run --param as_of=2024-12-31`
        as_of = dt.date.fromisoformat(as_of)
    as_of = night.as_of if night else as_of or started_at.date()
    with nullcontext() if night else run_lock(root):
        config = take_over_run(night) if night else open_run(root, run_id, started_at, as_of)
        stopwatch = Stopwatch(night.stages if night else ())
        try:
            if night:
                files_seen, submissions = take_over_judging(night)
            else:
                with stopwatch.stage("discover"):
                    incoming, files_seen = find_new_files(config)
                with stopwatch.stage("judge"):
                    submissions = judge_files(config, incoming, run_id, pipeline.received_at(started_at, as_of))
            with stopwatch.stage("earlier_work"):
                earlier = finish_pending_work(config)
            load(config, submissions, run_id, as_of, files_seen, stopwatch.stages)
            finished = finish_pending_work(config, run_id)
        except BaseException as error:
            pipeline.close_failed_run(config.workspace, run_id, error)
            raise
    outcome = pipeline.RunOutcome(
        run_id,
        as_of,
        files_seen,
        submissions,
        tuple(finished.deliveries.get(run_id, ())),
        tuple(dict.fromkeys(earlier.failures + finished.failures)),
    )
    record_artifacts(outcome)
    return outcome


def run_nightly(root: Path, as_of: dt.date | None = None) -> pipeline.RunOutcome:
    """Run the flow once, now. The flow's heartbeat is off: it adds to every run's time and tells a local run
    nothing."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return nightly(root, as_of)
