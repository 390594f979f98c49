"""Fault injection for the crash and concurrency tests, driven by environment variables that are never set outside
them: `STAFFQ_FAULT_AT=<stage>` kills the process with SIGKILL at that point of a run, as a power cut or the OOM
killer would; `STAFFQ_PAUSE_AT=<stage>` creates the file named by `STAFFQ_PAUSE_MARK` there and waits until it is
removed, so a test can act while a run is in the middle of that stage; `STAFFQ_RAISE_AT=<stage>` raises there, as
a bug in staffq would. Besides the stages of a run, each file is a point of its own while a worker judges it,
`judging <file name>`: there a pause is a file that never ends."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

STAGES = ("after_archive", "mid_validation", "mid_load", "mid_publish")


class InjectedFault(Exception):
    """A bug, as a test asked for one."""


def fault_point(stage: str) -> None:
    """Die, fail or wait here if a test asked for it."""
    if os.environ.get("STAFFQ_FAULT_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("STAFFQ_RAISE_AT") == stage:
        raise InjectedFault(stage)
    if os.environ.get("STAFFQ_PAUSE_AT") == stage:
        del os.environ["STAFFQ_PAUSE_AT"]  # once per process
        mark = Path(os.environ["STAFFQ_PAUSE_MARK"])
        mark.touch()
        while mark.exists():
            time.sleep(0.1)
