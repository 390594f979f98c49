"""One run per workspace at a time. DuckDB would refuse a second writer with a lock error in the middle of the
night's work; the run lock refuses it at the start, saying which run holds the workspace. The operating system
drops the lock when its process dies, so a crashed run never blocks the next one."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".staffq.lock"


class RunInProgress(Exception):
    """Another run holds the workspace."""


@contextmanager
def run_lock(root: Path) -> Iterator[None]:
    """Hold the workspace's run lock for the block, or raise RunInProgress at once."""
    path = root / LOCK_FILE
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RunInProgress(
                f"another staffq run is working on {root} ({holder}); runs of one workspace never overlap — "
                "wait for it to finish, then run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
