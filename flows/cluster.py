"""Judging and feedback on a Dask cluster, when `[execution] dask_address` names its scheduler: the pieces of work
the local worker pool would run are Prefect tasks sent through Prefect's `DaskTaskRunner`, and Dask spreads them over
its workers. A worker runs the same code on the same paths (the same staffq installation, the workspace on a shared
filesystem), so a batch judged there stages its rows where the load reads them, and the night is the one local
processes would give.

The runner is opened by the step that has work for the cluster, from the run's own settings, rather than given to
the whole flow: a night with nothing new never connects, and a changed address applies from the next night, as every
other setting does, without restarting `staffq serve`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.processes import Failed, WorkerLimits, run_here
from flows.settings import Settings

# Feedback files written by one task: a short list's workbook costs less than Prefect's bookkeeping of a task run, so
# a task per file would spend the night on bookkeeping; tasks of a few still keep every worker busy.
FEEDBACK_FILES_PER_TASK = 20


class _ThreadTimeoutCaveat(logging.Filter):
    """Prefect warns, on every task with a time limit that runs in a thread (as on a Dask worker), that the limit
    cannot interrupt a blocking call: true of every task here, so the operations guide says it once instead of the
    run log once per batch."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "running in a worker thread" not in record.getMessage()


# On the workers too: they import this module to run its task.
logging.getLogger("prefect.task_runs").addFilter(_ThreadTimeoutCaveat())


@task(cache_policy=NO_CACHE, task_run_name="{function.__name__}")
def calls_on_a_worker(function: Callable[..., Any], calls: list[tuple]) -> list[Any]:
    """The calls run one after the other on a Dask worker, each giving its own outcome, as in this process."""
    return run_here(function, calls)


@dataclass(frozen=True)
class DaskWork:
    """A `flows.processes.Run` on the Dask cluster at `address`: the calls in tasks of `calls_per_task`, each task
    stopped after `limits.seconds` per call. The memory limit is the Dask worker's own (`dask worker
    --memory-limit`): its nanny restarts a worker that goes over, and the task is then this call's `Failed`."""

    address: str
    limits: WorkerLimits
    calls_per_task: int = 1

    def __call__(self, function: Callable[..., Any], calls: Sequence[tuple]) -> list[Any]:
        # Imported for a cluster only: distributed is a large import that a night in local processes does not need.
        from prefect_dask import DaskTaskRunner

        size = self.calls_per_task
        groups = [list(calls[start : start + size]) for start in range(0, len(calls), size)]
        with DaskTaskRunner(address=self.address) as runner:
            outcomes = self._run(runner, function, groups)
            # A task of several calls that gave nothing (its worker died, its time ran out) runs again a call per
            # task, so that one call's failure costs only its own outcome.
            again = [
                [call]
                for group, outcome in zip(groups, outcomes, strict=True)
                if _task_failed(outcome, group)
                for call in group
            ]
            retried = iter(self._run(runner, function, again))
        results: list[Any] = []
        for group, outcome in zip(groups, outcomes, strict=True):
            if _task_failed(outcome, group):
                results += [_only(next(retried)) for _ in group]
            else:
                results += [outcome] if isinstance(outcome, Failed) else outcome
        return results

    def _run(self, runner, function: Callable[..., Any], groups: list[list[tuple]]) -> list[list[Any] | Failed]:
        """Each group's outcomes, one per call, or a `Failed` when its task gave none."""
        futures = [
            runner.submit(
                calls_on_a_worker.with_options(timeout_seconds=self.limits.seconds * len(group)),
                {"function": function, "calls": group},
            )
            for group in groups
        ]
        return [self._outcome(future) for future in futures]

    def _outcome(self, future) -> list[Any] | Failed:
        try:
            state = future.wrapped_future.result()
        except Exception as error:  # distributed's KilledWorker: the workers running it died, as over their memory
            return Failed("memory", f"its Dask worker died ({type(error).__name__}); the worker's log says why")
        if state.is_completed():
            return state.result()
        if state.name == "TimedOut":
            return Failed("time", f"stopped after {self.limits.seconds:g} s")
        return Failed("error", state.message or state.name)


def _task_failed(outcome: list[Any] | Failed, group: list[tuple]) -> bool:
    return isinstance(outcome, Failed) and len(group) > 1


def _only(outcome: list[Any] | Failed) -> Any:
    """The outcome of a task of one call."""
    return outcome if isinstance(outcome, Failed) else outcome[0]


def dask_work(settings: Settings, calls_per_task: int = 1) -> DaskWork | None:
    """The cluster these settings name, or None to work in local processes."""
    address = settings.execution.dask_address
    return DaskWork(address, settings.limits.worker_limits(), calls_per_task) if address else None
