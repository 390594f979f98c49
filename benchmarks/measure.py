"""Timing one command as a process of its own: its wall time (or the time it reports about its own work), the peak
memory of its largest process and of all its processes together; and repeating a short command to report the
median with the range, since one start-up on a shared machine says little."""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


class _TreeMemory(threading.Thread):
    """The largest sum of the RSS of a process and all its descendants, sampled until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak_mb, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        import psutil

        root = psutil.Process(self.root)
        while not self.done.wait(0.2):
            try:
                processes = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for process in processes:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    total += process.memory_info().rss
            self.peak_mb = max(self.peak_mb, total / 2**20)

    def stop(self) -> None:
        self.done.set()
        self.join()


@dataclass
class Measure:
    """One measured command. `seconds` is what the tables show: the wall time, the time the command reports about
    its own work (the floors and the peer), or the median of `runs` when it was repeated."""

    name: str
    seconds: float
    peak_mb: float
    note: str = ""
    extra: dict = field(default_factory=dict)


def clean_environment() -> dict:
    """This process's environment without staffq's and Prefect's settings, so every command runs on its defaults."""
    return {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "STAFFQ_"))}


def measure(
    name: str, command: list[str], environment: dict | None = None, note: str = "", cwd: Path | None = None
) -> Measure:
    """Run `command`, return its wall time (or the time it reports on its last line as JSON), the peak RSS of its
    largest process and the peak of all its processes together (sampled every 0.2 s: the run's workers, the
    feedback writers and Prefect's server are processes of their own)."""
    started = time.perf_counter()
    # Through GNU time, a small process: Linux carries the peak memory of the process that forks into its child's
    # record, so forking from this (large) process would report our own peak for every measure.
    process = subprocess.Popen(
        ["/usr/bin/time", "-f", "PEAK_KB %M", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**clean_environment(), **(environment or {})},
        cwd=cwd,
    )
    together = _TreeMemory(process.pid)
    together.start()
    stdout, stderr = process.communicate()
    together.stop()
    wall = time.perf_counter() - started
    output = stdout.decode(errors="replace")
    errors = stderr.decode(errors="replace")
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{name} failed ({process.returncode}):\n{(output + errors)[-3000:]}")
    reported = _last_json(output)
    peak = int(errors.rsplit("PEAK_KB ", 1)[1].split()[0]) / 1024
    print(
        f"  {name}: {reported.get('seconds', wall):.2f} s, peak {peak:.0f} MB "
        f"(all processes {together.peak_mb:.0f} MB)",
        flush=True,
    )
    note = note or reported.get("note", "")
    reported["tree_peak_mb"] = together.peak_mb
    return Measure(name, reported.get("seconds", wall), peak, note, {"wall": wall, **reported})


def repeated(
    name: str, commands: list[list[str]], note: str = "", cwd: Path | None = None, warm_up: bool = True
) -> Measure:
    """Run each command of `commands` in turn (one per run, so a run can have a fresh folder) after one warm-up run
    of the first, and keep the median wall time, with every run's time for the range and the largest peaks."""
    if warm_up:
        subprocess.run(commands[0], capture_output=True, env=clean_environment(), cwd=cwd, check=False)
    runs = [measure(f"{name} ({index + 1})", command, cwd=cwd) for index, command in enumerate(commands)]
    walls = [run.extra["wall"] for run in runs]
    extra = {"wall": statistics.median(walls), "runs": walls}
    extra["tree_peak_mb"] = max(run.extra["tree_peak_mb"] for run in runs)
    return Measure(name, statistics.median(walls), max(run.peak_mb for run in runs), note, extra)


def _last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return {}
    return {}
