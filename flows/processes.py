"""Work done in worker processes with hard limits. Judging files and writing feedback workbooks are mostly Python on
one core, so they are spread over the machine's cores; and each piece of work runs where a hostile file can cost
only that piece — the memory it may take, the time it may run — never the process that runs the night."""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import resource
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pebble

logger = logging.getLogger(__name__)
MEGABYTE = 1 << 20
# prctl(2): the signal a process gets when its parent ends.
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)
# Somewhere pieces of work run: `function(*arguments)` for each tuple of `calls`, the outcomes in order, a `Failed`
# where a call gave none. `WorkerPool.run` and `run_here` are two; flows.cluster's `DaskWork` is a third.
Run = Callable[[Callable[..., Any], Sequence[tuple]], list[Any]]


@dataclass(frozen=True)
class WorkerLimits:
    """What one piece of work may take: the address space of the process that does it, and its wall time."""

    memory_mb: int
    seconds: float


@dataclass(frozen=True)
class Failed:
    """A piece of work that gave no result. `reason` is "time" (stopped at its time limit), "memory" (its process
    ran out of memory or died: a reader that cannot allocate aborts the process) or "error" (an exception raised in
    staffq); `detail` says more, for the operator's log."""

    reason: str
    detail: str


class WorkerPool:
    """Worker processes started once and reused for every piece of work of a step: isolation costs per night,
    not per file. A worker that dies or overruns is replaced; the other pieces go on."""

    def __init__(self, pool: pebble.ProcessPool, limits: WorkerLimits):
        self._pool = pool
        self.limits = limits

    def run(self, function: Callable[..., Any], calls: Sequence[tuple]) -> list[Any | Failed]:
        """`function(*arguments)` for each tuple of `calls`, each within the limits; results in order, a
        `Failed` where a call gave none."""
        futures = [self._pool.schedule(function, args=arguments, timeout=self.limits.seconds) for arguments in calls]
        return [self._outcome(future) for future in futures]

    def _outcome(self, future) -> Any | Failed:
        try:
            return future.result()
        except FutureTimeout:
            return Failed("time", f"stopped after {self.limits.seconds:g} s")
        except pebble.ProcessExpired as error:
            return Failed("memory", f"the worker process died (exit code {error.exitcode})")
        except MemoryError:
            return Failed("memory", f"over {self.limits.memory_mb} MB")
        except Exception as error:
            logger.error("a worker's task failed: %s\n%s", error, getattr(error, "traceback", ""))
            return Failed("error", f"{type(error).__name__}: {error}")


@contextmanager
def worker_pool(workers: int, limits: WorkerLimits) -> Iterator[WorkerPool]:
    """`workers` processes (at least one), started clean by a fork server rather than forked from a process running
    Prefect's threads; the functions they run and their arguments must pickle. The pool is stopped on the way out,
    whatever happened, so no worker outlives the step."""
    context = multiprocessing.get_context("forkserver")
    pool = pebble.ProcessPool(
        max_workers=max(1, workers),
        initializer=_limit_worker,
        initargs=(limits.memory_mb, os.getpid()),
        context=context,
    )
    try:
        yield WorkerPool(pool, limits)
    except BaseException:
        pool.stop()
        raise
    else:
        pool.close()
    finally:
        pool.join()


def _limit_worker(memory_mb: int, command: int) -> None:
    """The worker's address space is capped, so a file that would take the machine's memory makes its own reader
    fail instead. A reader that cannot allocate aborts the process: no core dump of it, and no backtrace on the
    night's log to bury the one line that says so. The worker is killed by the kernel the moment the fork server
    that started it ends, which it does when the command ends, however it ends (SIGKILL, the OOM killer): a worker
    busy in a reader would otherwise outlive the command. For that, the worker lets go of its copy of the fork
    server's "alive" pipe, which would keep the fork server waiting for it."""
    cap = memory_mb * MEGABYTE
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.environ["RUST_BACKTRACE"] = "0"
    set_parent_death_signal(signal.SIGKILL)
    fork_server = getattr(multiprocessing.forkserver, "_forkserver", None)
    alive = getattr(fork_server, "_forkserver_alive_fd", None)
    if alive is not None:
        os.close(alive)
        fork_server._forkserver_alive_fd = None
    try:
        os.kill(command, 0)
    except ProcessLookupError:  # the command ended before the signal was set
        os._exit(1)


def set_parent_death_signal(signum: int) -> None:
    """Have the kernel send this process `signum` when its parent ends (prctl PR_SET_PDEATHSIG). Safe between fork
    and exec: libc is loaded when this module is imported, not here."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signum)


def run_here(function: Callable[..., Any], calls: Sequence[tuple]) -> list[Any | Failed]:
    """`WorkerPool.run` in this process, for work too small to pay for starting a worker: an exception is still
    that call's `Failed`, never the others'."""
    outcomes = []
    for arguments in calls:
        try:
            outcomes.append(function(*arguments))
        except MemoryError:
            outcomes.append(Failed("memory", "out of memory"))
        except Exception as error:
            logger.exception("a task failed")
            outcomes.append(Failed("error", f"{type(error).__name__}: {error}"))
    return outcomes


def cores() -> int:
    """Processes worth running at once on this machine."""
    return os.cpu_count() or 1
