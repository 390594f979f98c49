"""A one-off night begun while its Prefect server starts. A command that starts a Prefect server of its own
(`staffq run`, `staffq demo`) would otherwise wait for it with nothing to do, and finding and judging the new files
need no Prefect. So the command takes the workspace's run lock, puts the run on record, finds and judges the new
files in its worker processes, and only then waits for the server and calls the flow, which takes the night over:
the same run id and start, the stages as they were timed, the log lines they wrote. What went wrong on the way is
raised inside the flow, where it fails the run and alerts the operator as it would have there.

A night judged on a Dask cluster is not begun ahead: its judging runs as Prefect tasks, which need the server."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flows import pipeline
from flows.cli.prefect_server import OWN_LOGGERS
from flows.inbox import discover
from flows.preflight import require_valid_workspace
from flows.settings import Configuration
from flows.stopwatch import Stopwatch
from warehouse.load import Stage, Submission
from warehouse.locks import run_lock


@dataclass
class NightBegun:
    """What a command did of its night before the flow. `failure` stopped it on the way: raised again by the flow;
    `on_record` says whether dq.runs has the run already."""

    root: Path
    run_id: str
    started_at: dt.datetime
    as_of: dt.date
    config: Configuration | None = None
    on_record: bool = False
    files_seen: int = 0
    submissions: list[Submission] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    log: list[logging.LogRecord] = field(default_factory=list)
    failure: Exception | None = None
    taken: bool = False


_waiting: NightBegun | None = None


@contextmanager
def begin_night(root: Path, as_of: dt.date | None) -> Iterator[None]:
    """The night of workspace `root` begun now, for the flow called inside the block to take over (see `take`).
    The run lock is held for the whole block. A run left on record without a flow to take it over (the server never
    answered) is closed as failed, with the error that stopped it."""
    global _waiting
    started_at = dt.datetime.now()
    night = NightBegun(root, pipeline.new_run_id(), started_at, as_of or started_at.date())
    with ExitStack() as lock:
        lock.enter_context(run_lock(root))
        with _kept_log(night.log):
            begun = _judge(night)
        if not begun:
            lock.close()  # the flow takes the lock, and the night, itself
            yield
            return
        _waiting = night
        try:
            yield
        except BaseException as error:
            if night.on_record and not night.taken:
                pipeline.close_failed_run(night.config.workspace, night.run_id, error)
            raise
        finally:
            _waiting = None


def run_name() -> str:
    """The flow run's name: the id of the night begun in this process, else a new run id."""
    return _waiting.run_id if _waiting else pipeline.new_run_id()


def take(root: Path, run_id: str) -> NightBegun | None:
    """The night begun for this flow run, once; None when nothing was begun (a scheduled night)."""
    night = _waiting
    if night is None or night.taken or night.root != root or night.run_id != run_id:
        return None
    night.taken = True
    return night


def _judge(night: NightBegun) -> bool:
    """The flow's first steps, in the order the flow takes them: the configuration checked and read, the run on
    record, then the new files found and judged; False, with nothing done, for a night judged on a Dask cluster.
    Ctrl+C closes the run on record as failed and is raised here."""
    try:
        require_valid_workspace(night.root)
        night.config = config = Configuration.load(night.root)
        if config.settings.execution.dask_address:
            return False
        pipeline.open_run(config.workspace, night.run_id, None, night.started_at, night.as_of)
    except Exception as error:
        night.failure = error
        return True
    night.on_record = True
    stopwatch = Stopwatch()
    try:
        with stopwatch.stage("discover"):
            incoming, night.files_seen = discover(config.workspace, config.catalogue)
        with stopwatch.stage("judge"):
            received = pipeline.received_at(night.started_at, night.as_of)
            night.submissions = pipeline.judge(config, incoming, night.run_id, received)
    except Exception as error:
        night.failure = error
    except BaseException as error:
        pipeline.close_failed_run(config.workspace, night.run_id, error)
        raise
    night.stages = stopwatch.stages
    return True


class _Keeper(logging.Handler):
    """Keeps the records it is given, in order."""

    def __init__(self, records: list[logging.LogRecord]):
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _kept_log(records: list[logging.LogRecord]) -> Iterator[None]:
    """staffq's log lines written before Prefect runs, kept in `records` instead of printed: the flow sends them to
    the run log, where the same lines go when the flow judges."""
    keeper = _Keeper(records)
    loggers = [logging.getLogger(name) for name in OWN_LOGGERS]
    propagated = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(keeper)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, propagate in zip(loggers, propagated, strict=True):
            logger.removeHandler(keeper)
            logger.propagate = propagate
