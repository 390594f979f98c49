"""What must follow a load, done from `meta.pending_work`: publish the analysts' copy, write each submission's
feedback file, send each run's alerts. The load records this work in its own transaction; every run — one with
nothing new included — does whatever is pending, oldest first, before and after its own load. Each piece is marked
done when done; one that fails is recorded with its error and left for the next run, and never stops the others."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from flows.delivery.alerts import (
    AgencyContact,
    Alert,
    RunSummary,
    channel_name,
    deliver,
    digest,
    failed_channels,
    invalid_data_alerts,
    late_alerts,
)
from flows.processes import Failed, Run
from flows.settings import Configuration, Settings
from flows.stopwatch import Stopwatch
from schemas.rules.agencies import alert_urls
from warehouse.database import connect
from warehouse.load import Stage, record_deliveries, record_stages
from warehouse.pending import PendingWork, mark_done, mark_failed, pending_work, record_pending
from warehouse.publish import is_as_published, publish
from warehouse.queries import agency_data_quality, run_submissions, submissions_by_id
from warehouse.workspace import Workspace

logger = logging.getLogger(__name__)
# A run's alerts are tried again by this many later runs while a channel refuses them; then given up, the failure
# kept in dq.alert_deliveries and meta.pending_work.
ALERT_RUNS = 7


@dataclass
class Finished:
    """What one pass over the pending work did: alert deliveries, by run; and what failed, one line each for the
    operator."""

    deliveries: dict[str, list[dict]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def finish_pending(config: Configuration, run_id: str | None = None, elsewhere: Run | None = None) -> Finished:
    """Publish, then feedback, then alerts (which quote the feedback files), then publish again if the alerts
    recorded anything. With `run_id`, only that run's feedback and alerts: a run does what earlier runs left before
    its load, and its own after it, so that nothing is tried twice in one night; and the time each took is
    recorded as that run's stages. No piece of work, however it fails, stops the others or the run. Feedback is
    written `elsewhere` when given (a Dask cluster, see flows.cluster)."""
    finished = Finished()
    memory_limit = config.settings.warehouse.memory_limit
    stopwatch = Stopwatch()
    with stopwatch.stage("publish"):
        _publish(config.workspace, memory_limit, finished)
    for name, step in (("feedback", partial(_write_feedback, elsewhere=elsewhere)), ("alerts", _send_alerts)):
        with stopwatch.stage(name):
            try:
                step(config, run_id, finished)
            except Exception as error:  # the warehouse cannot be read, a bug: the run goes on, the work stays pending
                logger.exception("%s failed", name)
                finished.failures.append(f"{name}: {error}")
            if name == "alerts":  # the deliveries the alerts recorded, published
                _publish(config.workspace, memory_limit, finished)
    if run_id:
        _record_stages(config.workspace, memory_limit, run_id, stopwatch.stages)
    return finished


def _record_stages(workspace: Workspace, memory_limit: str, run_id: str, stages: list[Stage]) -> None:
    """How long the run's own publishing, feedback and alerts took. Only a record of time: a warehouse that refuses
    it (a full disk) is logged, and costs the run nothing."""
    try:
        with connect(workspace.database, memory_limit=memory_limit) as connection:
            record_stages(connection, run_id, stages)
    except duckdb.Error:
        logger.exception("could not record how long run %s's stages took", run_id)


def _publish(workspace: Workspace, memory_limit: str, finished: Finished) -> None:
    """The analysts' copy, once for every load or record since the last one that was published; and again when
    someone else wrote to it, so that it always holds what was published."""
    with connect(workspace.database, memory_limit=memory_limit) as connection:
        work = pending_work(connection, "publish")
        if not work and is_as_published(connection, workspace.published):
            return
        try:
            publish(connection, workspace.published)
        except Exception as error:
            _failed(connection, work, f"publishing {workspace.published.name}: {error}", finished)
            return
        mark_done(connection, work, [None] * len(work))


def _write_feedback(
    config: Configuration, run_id: str | None, finished: Finished, elsewhere: Run | None = None
) -> None:
    """Every feedback file pending, each on its own: one that cannot be written waits for the next run. Of two
    pending for the same file name of an agency (a file sent again while the first's feedback waited), the later
    one is written: they would share the feedback file, and the earlier is out of date."""
    workspace, settings = config.workspace, config.settings
    with connect(workspace.database, read_only=True) as connection:
        work = pending_work(connection, "feedback", run_id)
        if not work:
            return
        submissions = submissions_by_id(connection, [w.submission_id for w in work])
    latest = {(s.agency_code, s.file_name): s for s in sorted(submissions, key=lambda s: s.received_at)}
    submissions = list(latest.values())
    # Imported here: a night with no feedback to write need not import the workbook libraries.
    from flows.delivery.feedback import write_all_feedback

    try:
        limits = settings.limits.worker_limits()
        written = write_all_feedback(workspace, config.catalogue, submissions, limits, elsewhere)
    except OSError as error:  # the warehouse or the outbox cannot be read or written at all
        written = {w.submission_id: Failed("error", str(error)) for w in work}
    done, paths, failed, errors = [], [], [], []
    for piece in work:
        outcome = written.get(piece.submission_id)  # none for one out of date, or with nothing to say
        if isinstance(outcome, Failed):
            failed.append(piece)
            errors.append(f"{outcome.reason}: {outcome.detail}")
            continue
        done.append(piece)
        paths.append(outcome.relative_to(workspace.root).as_posix() if outcome else None)
    with connect(workspace.database, memory_limit=settings.warehouse.memory_limit) as connection:
        mark_done(connection, done, paths)
        for piece, error in zip(failed, errors, strict=True):
            _failed(connection, [piece], f"feedback for submission {piece.submission_id}: {error}", finished)


def _send_alerts(config: Configuration, run_id: str | None, finished: Finished) -> None:
    """Each run's alerts not yet delivered: agencies whose data came back, late agencies, then the operator's
    digest. A channel that refused them is tried again by the next runs (ALERT_RUNS); one that took them is not
    sent them again, unless the run was killed between sending and recording (delivery is at least once)."""
    workspace, settings = config.workspace, config.settings
    with connect(workspace.database, read_only=True) as connection:
        work = pending_work(connection, "alerts", run_id)
    if not work:
        return
    contacts = agency_contacts(workspace, config.catalogue)
    for piece in work:
        try:
            records = _alerts_of_run(workspace, settings, piece.run_id, contacts)
        except Exception as error:
            logger.exception("the alerts of run %s could not be made", piece.run_id)
            with connect(workspace.database, memory_limit=settings.warehouse.memory_limit) as connection:
                _failed(connection, [piece], f"alerts of run {piece.run_id}: {error}", finished)
            continue
        finished.deliveries[piece.run_id] = records
        failed = failed_channels(records)
        with connect(workspace.database, memory_limit=settings.warehouse.memory_limit) as connection:
            connection.execute("begin transaction")
            if records:
                record_deliveries(connection, piece.run_id, records)
                record_pending(connection, piece.run_id, "publish", [None])
            if not failed or piece.attempts + 1 >= ALERT_RUNS:
                mark_done(connection, [piece], [f"{len(failed)} channels failed" if failed else None])
            else:
                mark_failed(connection, [piece], [f"{len(failed)} channels failed"])
            connection.execute("commit")
        for record in failed:
            finished.failures.append(f"alert {record['kind']} for {record['recipient']} via {record['channel']}")


def _alerts_of_run(workspace: Workspace, settings: Settings, run_id: str, contacts: dict[str, AgencyContact]):
    """The delivery records of one run's alerts, sent now to the channels that have not taken them yet."""
    with connect(workspace.database, read_only=True) as connection:
        as_of, files_seen = connection.execute(
            "select as_of_date, files_seen from dq.runs where run_id = ?", [run_id]
        ).fetchall()[0]
        submissions = run_submissions(connection, run_id)
        feedback = {
            submission_id: Path(result)
            for submission_id, result in connection.execute(
                "select submission_id, result from meta.pending_work "
                "where run_id = ? and kind = 'feedback' and result is not null",
                [run_id],
            ).fetchall()
        }
        delivered = set(
            connection.execute(
                "select distinct recipient, kind, channel from dq.alert_deliveries where run_id = ? and delivered",
                [run_id],
            ).fetchall()
        )
        late = [agency for agency in agency_data_quality(connection, as_of) if agency["is_late"]]
    operator = tuple(settings.alerts.operator)
    attempts, backoff = settings.alerts.attempts, settings.alerts.backoff_seconds
    alerts = invalid_data_alerts(submissions, contacts, operator, feedback) + late_alerts(late, contacts)
    records = deliver(_undelivered(alerts, delivered), attempts, backoff)
    if operator:
        run = RunSummary(run_id, as_of, files_seen or 0, submissions)
        summary = digest(run, late, failed_channels(records), operator)
        records += deliver(_undelivered([summary], delivered), attempts, backoff)
    return records


def agency_contacts(workspace: Workspace, catalogue: pl.DataFrame) -> dict[str, AgencyContact]:
    """Each agency's latest name and its own alert channels."""
    urls = alert_urls(workspace.agencies)
    latest = catalogue.sort("valid_from").unique("agency_code", keep="last")
    return {
        code: AgencyContact(name, urls.get(code, ())) for code, name in latest.select("agency_code", "name").iter_rows()
    }


def _undelivered(alerts: list[Alert], delivered: set[tuple[str, str, str]]) -> list[Alert]:
    """The alerts with only the channels that have not taken them yet; alerts left with none are dropped."""
    kept = []
    for alert in alerts:
        urls = tuple(url for url in alert.urls if (alert.recipient, alert.kind, channel_name(url)) not in delivered)
        if urls:
            kept.append(Alert(alert.recipient, alert.kind, alert.title, alert.body, urls))
    return kept


def _failed(connection: duckdb.DuckDBPyConnection, work: list[PendingWork], error: str, finished: Finished) -> None:
    """Left for the next run, recorded when the warehouse can still be written (a full disk may refuse that too:
    the work is pending either way)."""
    logger.error("not done, left for the next run: %s", error)
    finished.failures.append(error)
    try:
        mark_failed(connection, work, [error] * len(work))
    except duckdb.Error:
        logger.exception("could not record that the work failed")
