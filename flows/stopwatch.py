"""Where a night's time goes: each stage of a run timed as it happens, for dq.run_stages."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from warehouse.load import Stage


class Stopwatch:
    """The stages timed so far, in the order they ran, after `earlier` (timed before, see flows.head_start). A stage
    that raises is not recorded: the run failed, and dq.runs says why."""

    def __init__(self, earlier: Iterable[Stage] = ()) -> None:
        self.stages: list[Stage] = list(earlier)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started_at, started = dt.datetime.now(), time.perf_counter()
        yield
        self.stages.append(Stage(name, started_at, time.perf_counter() - started))
