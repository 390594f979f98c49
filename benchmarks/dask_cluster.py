"""A Dask cluster started as the operations guide starts one — `dask scheduler`, then `dask worker` with processes of
one thread — on this machine, for the benchmark's night on a cluster; stopped, all its processes, when done."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.measure import clean_environment

DASK = str(Path(sys.executable).parent / "dask")
START_SECONDS = 120
# What the guide has workers import when they start, so that a night's first task does not wait for the imports.
PRELOAD = ("--preload", "flows.pipeline", "--preload", "flows.delivery.feedback")


@contextmanager
def local_dask_cluster(folder: Path, workers: int, memory_limit: str) -> Iterator[str]:
    """A scheduler on 127.0.0.1 and `workers` worker processes; yields the scheduler's address."""
    scheduler_file = folder / "scheduler.json"
    common = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": clean_environment()}
    scheduler_command = [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    scheduler = subprocess.Popen(
        [*scheduler_command, "--scheduler-file", str(scheduler_file)], start_new_session=True, **common
    )
    started = [scheduler]
    try:
        address = _wait_for_address(scheduler_file, scheduler)
        worker = [DASK, "worker", address, "--nworkers", str(workers), "--nthreads", "1", *PRELOAD]
        started.append(
            subprocess.Popen(
                [*worker, "--memory-limit", memory_limit, "--no-dashboard"], start_new_session=True, **common
            )
        )
        _wait_for_workers(address, workers)
        yield address
    finally:
        for process in reversed(started):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


def _wait_for_address(scheduler_file: Path, scheduler: subprocess.Popen) -> str:
    deadline = time.monotonic() + START_SECONDS
    while not scheduler_file.is_file():
        if scheduler.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"dask scheduler did not start (exit code {scheduler.poll()})")
        time.sleep(0.2)
    return json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]


def _wait_for_workers(address: str, workers: int) -> None:
    from distributed import Client

    with Client(address, timeout=START_SECONDS) as client:
        client.wait_for_workers(workers, timeout=START_SECONDS)
