"""Work spread over the machine's cores, for the steps of a night that are mostly Python (judging files, writing
feedback workbooks), which one process runs on one core."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager


@contextmanager
def mapper(workers: int) -> Iterator[Callable[..., Iterable]]:
    """A `map(function, *iterables, chunksize=1)` over `workers` processes, results in order; the built-in `map`
    in this process when fewer than two are worth it. The processes are started clean by a fork server, not forked
    from a process running Prefect's threads; `function` and its arguments must pickle."""
    if workers < 2:
        yield lambda function, *iterables, chunksize=1: map(function, *iterables)
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield pool.map
