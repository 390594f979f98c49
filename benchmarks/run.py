"""staffq against the least a loader must do with the same rows (the floors) and against pandas + pandera (the
peer), in one run; the figures, their ratios, each run's stages, the start-up of the commands and issue 21's targets
go to benchmarks/RESULTS.md, between the runner's markers: the sections written by hand around them are kept. The
peer runs in an environment of its own (`uv run --with pandas ...`): pandera imports pandas whenever it is installed,
which would cost every staffq command a second. The memory sampler (psutil) is in the `bench` dependency group.

Every measurement runs in a process of its own, under GNU time, so its peak memory is its own: the peak of its
largest process (GNU time), and of all its processes together (sampled; staffq's judging workers, feedback writers
and Prefect's server are processes of their own). The floors and the peer time their work inside the process;
staffq is timed as the user runs it (`staffq run`, wall clock, Prefect's start included) and by its own run record
(`dq.runs` and `dq.run_stages`).

    uv run --group bench python -m benchmarks.run            # 1 M rows in one CSV; 100,000 rows in 400 files,
                                                             # in local processes and on a 2-worker Dask cluster
    uv run --group bench python -m benchmarks.run --full     # ... and 2.5 M rows in 10,000 files
    uv run --group bench python -m benchmarks.run --quick    # a smoke run: smaller lists, fewer repeats
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import polars as pl

from benchmarks import synthetic
from benchmarks.baselines import CSV_FLOOR, FAIR_FLOOR, PEER, PEER_ENVIRONMENT
from benchmarks.dask_cluster import local_dask_cluster
from benchmarks.measure import Measure, clean_environment, measure, repeated
from benchmarks.report import render, splice
from benchmarks.run_record import STAGES, last_run
from benchmarks.targets import (
    CHECK,
    DEMO,
    FIRST_NIGHT,
    HELP,
    MANY_FILES,
    NATIONAL,
    ONE_CSV,
    PYTHON,
    RUN,
    SERVED_NIGHT,
    UV_PYTHON,
    targets,
)
from benchmarks.targets import CSV_FLOOR as CSV_FLOOR_NAME
from benchmarks.targets import FAIR_FLOOR as FAIR_FLOOR_NAME
from benchmarks.targets import PEER as PEER_NAME
from flows.cli.prefect_server import healthy
from warehouse.workspace import Workspace

HERE = Path(__file__).parent
PROJECT = HERE.parent
STAFFQ = str(Path(sys.executable).parent / "staffq")
AS_OF = "2024-12-31"
NEXT_NIGHT = "2025-01-01"
THIRD_NIGHT = "2025-01-02"
# Away from the default 4200, which an operator's own `staffq serve` may hold.
SERVE_PORT = 4297
# One list of a million rows is over the default [limits] (file size, cells, the judging worker's memory): raised,
# as an operator would.
LIMITS = {
    "STAFFQ_LIMITS__MAX_FILE_MB": "4096",
    "STAFFQ_LIMITS__MAX_CELLS": "200000000",
    "STAFFQ_LIMITS__MAX_MEMORY_MB_PER_FILE": "16384",
}
ON_DASK = "Many files on a Dask cluster"
DASK_WORKERS = 2
# As the operations guide advises: each worker's memory as [limits] max_memory_mb_per_file gives a process locally.
DASK_MEMORY_LIMIT = "3GiB"


@dataclass(frozen=True)
class Scale:
    label: str
    one_csv_rows: int
    many_rows: int
    many_files: int
    national: tuple[int, int] | None  # (rows, files), only with --full
    command_runs: int
    demo_runs: int


DEFAULT = Scale("default scale", 1_000_000, 100_000, 400, None, 5, 3)
FULL = Scale("--full", 1_000_000, 100_000, 400, (2_500_000, 10_000), 5, 3)
QUICK = Scale("--quick", 100_000, 25_000, 100, None, 3, 1)


def staffq_run(
    name: str, root: Path, note: str = "", as_of: str = AS_OF, environment: dict[str, str] | None = None
) -> Measure:
    """`staffq run` as an operator types it, with what the run recorded about itself."""
    command = [STAFFQ, "run", "--workspace", str(root), "--as-of", as_of]
    result = measure(name, command, {**LIMITS, **(environment or {})}, note=note)
    record = last_run(Workspace.at(root).warehouse)
    result.seconds = result.extra["wall"]
    result.extra["record"] = record
    timed = [f"{stage} {record.stage_seconds[stage]:.2f}" for stage in STAGES if stage in record.stage_seconds]
    stages = ", ".join(timed) or "not recorded"
    print(f"    flow {record.flow_seconds:.2f} s, {record.rows_loaded} rows loaded; stages: {stages}", flush=True)
    return result


def floor(name: str, label: str, script: str, *arguments: str) -> Measure:
    result = measure(name, [sys.executable, "-c", script, *arguments])
    result.extra["floor_label"] = label
    return result


def workspace(root: Path, catalogue: pl.DataFrame) -> Path:
    subprocess.run([STAFFQ, "init", "--dir", str(root)], check=True, capture_output=True, env=clean_environment())
    catalogue.write_csv(root / "agencies.csv")
    shutil.rmtree(root / "inbox")
    (root / "inbox").mkdir()
    return root


def one_csv(work: Path, rows: int) -> list[Measure]:
    print(f"{rows:,} rows in one CSV", flush=True)
    frame = synthetic.rows(rows, seed=7)
    flat = work / "flat_one.csv"
    synthetic.write_flat_csv(flat, frame)
    root = workspace(work / "one", synthetic.agency_catalogue(1))
    (root / "inbox" / "A00001").mkdir()
    synthetic.write_csv(root / "inbox" / "A00001" / "danh_sach.csv", frame, "Cơ quan số 1")
    del frame
    measures = [
        floor(CSV_FLOOR_NAME, "floor", CSV_FLOOR, str(flat)),
        measure(PEER_NAME, [*PEER_ENVIRONMENT, "-c", PEER, str(flat)]),
        staffq_run(RUN, root),
    ]
    if not measures[-1].extra["record"].rows_loaded:
        raise SystemExit(f"the list of {rows:,} rows was returned whole (see dq.submissions in {root}): not a measure")
    return measures


def many_files(work: Path, rows: int, files: int, folder: str, copy_to: Sequence[Path] = ()) -> list[Measure]:
    """A first night of `files` agencies' lists (most of them workbooks), then the nights after it: the same night
    again, a night with nothing new, one agency's new list, and a night with nothing new as `staffq serve` runs it.
    Each folder of `copy_to` gets a copy of the workspace as it was before its first night."""
    print(f"{rows:,} rows in {files:,} files", flush=True)
    root = workspace(work / folder, synthetic.agency_catalogue(files))
    started = time.perf_counter()
    synthetic.write_inbox(root / "inbox", rows, files, seed=11)
    print(f"  (generated in {time.perf_counter() - started:.0f} s)", flush=True)
    for copy in copy_to:
        shutil.copytree(root, copy)
    flat = work / f"{folder}_flat.csv"
    synthetic.write_flat_csv(flat, synthetic.inbox_rows(rows, files, seed=11))
    # The floors read the inbox before staffq moves anything out of it.
    columns = json.dumps(synthetic.HEADERS)
    fair = floor(FAIR_FLOOR_NAME, "fair floor", FAIR_FLOOR, str(root / "inbox"), columns)
    csv = floor(CSV_FLOOR_NAME, "CSV floor", CSV_FLOOR, str(flat))
    first = staffq_run(FIRST_NIGHT, root)
    again = staffq_run("staffq run, same night again", root, note="nothing new, indicators kept")
    # The next night: nothing new either, but its indicators are computed (ages and lateness move with the date).
    next_night = staffq_run("staffq run, nothing new", root, note=f"the next night, {NEXT_NIGHT}", as_of=NEXT_NIGHT)
    changed_folder = root / "inbox" / "A00001"
    for path in changed_folder.iterdir():
        path.unlink()
    first_file_rows = synthetic.per_file_counts(rows, files)[0]
    synthetic.write_workbook(changed_folder / "danh_sach.xlsx", synthetic.rows(first_file_rows, 999), "Cơ quan số 1")
    note = f"the next night again, {first_file_rows} rows in the changed file"
    changed = staffq_run("staffq run, one agency changed", root, note=note, as_of=NEXT_NIGHT)
    served = served_night(root, THIRD_NIGHT)
    return [fair, csv, first, again, next_night, changed, served]


def on_dask(copies: list[Path], many: list[Measure]) -> list[Measure]:
    """The many-files first night again, on copies of its workspace, with its judging and feedback on a Dask
    cluster of DASK_WORKERS local worker processes: once on workers just started, then on the same workers again, as
    a cluster up for many nights runs it (a worker's first Prefect task sets up its client); beside the same night in
    local processes, measured just before (the table's ratio). The workers are not the command's processes: its
    peaks leave them out."""
    print(f"the first night on a Dask cluster of {DASK_WORKERS} local workers", flush=True)
    local = next(m for m in many if m.name == FIRST_NIGHT)
    beside = dataclasses.replace(
        local, name=f"{FIRST_NIGHT}, local processes", extra={**local.extra, "floor_label": "local processes"}
    )
    measures = [beside]
    with local_dask_cluster(copies[0].parent, DASK_WORKERS, DASK_MEMORY_LIMIT) as address:
        workers = f"`dask worker --nworkers {DASK_WORKERS} --nthreads 1 --memory-limit {DASK_MEMORY_LIMIT}`"
        for root, when in zip(copies, ("workers just started", "the same workers' second night"), strict=True):
            name = f"{FIRST_NIGHT}, Dask cluster, {when}"
            environment = {"STAFFQ_EXECUTION__DASK_ADDRESS": address}
            measures.append(staffq_run(name, root, note=workers, environment=environment))
    return measures


def served_night(root: Path, as_of: str) -> Measure:
    """A night with nothing new as the schedule runs it: `staffq serve` keeps a Prefect server up, which `staffq run`
    reports to, so no night pays for the server's start (the one-off runs above each start and stop one)."""
    serve = subprocess.Popen(
        [STAFFQ, "serve", "--workspace", str(root), "--port", str(SERVE_PORT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=clean_environment(),
        start_new_session=True,
    )
    try:
        url = Workspace.at(root).prefect_home / "server.url"
        deadline = time.monotonic() + 180
        while not (url.is_file() and healthy(url.read_text(encoding="utf-8").strip())):
            if serve.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"staffq serve did not come up (exit code {serve.poll()})")
            time.sleep(0.5)
        note = f"the night after, {as_of}, with `staffq serve` up (no server start)"
        return staffq_run(SERVED_NIGHT, root, note=note, as_of=as_of)
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=60)


def commands(work: Path, runs: int, demo_runs: int) -> list[Measure]:
    """Each command as a user types it (`uv run ...` in the project), repeated, each beside what it cannot be
    faster than: a bare Python for `uv run`, `uv run python` for staffq's commands."""
    print("commands: start-up, staffq check on 5,000 rows, staffq demo on a warm install", flush=True)
    workbook = work / "check_5000.xlsx"
    synthetic.write_workbook(workbook, synthetic.rows(5000, seed=3), "Cơ quan số 1")
    uv = ["uv", "run", "--quiet"]
    # The environment's own Python, so the only difference is what `uv run` does before starting it.
    python = repeated(PYTHON, [[sys.executable, "-c", "pass"]] * runs, note=sys.executable)
    uv_python = repeated(UV_PYTHON, [[*uv, "python", "-c", "pass"]] * runs, cwd=PROJECT)
    help_ = repeated(HELP, [[*uv, "staffq", "--help"]] * runs, cwd=PROJECT)
    check = repeated(CHECK, [[*uv, "staffq", "check", str(workbook), "--json"]] * runs, cwd=PROJECT)
    # A fresh folder every run: a demo in a folder it has filled already is not what a new user sees.
    demos = [[*uv, "staffq", "demo", "--dir", str(work / f"demo-{index}")] for index in range(demo_runs)]
    demo = repeated(DEMO, demos, note="a fresh --dir each run", cwd=PROJECT, warm_up=False)
    uv_python.extra["against"] = PYTHON
    uv_python.extra["compiled"] = compiled_by_uv_run()
    for command in (help_, check, demo):
        command.extra["against"] = UV_PYTHON
    return [python, uv_python, help_, check, demo]


def compiled_by_uv_run() -> str:
    """What `uv run` says it compiled before starting Python (its "Bytecode compiled ..." line), empty when it
    compiled nothing: the cost the start-up target forbids, told apart from uv's own check of the environment."""
    said = subprocess.run(
        ["uv", "run", "python", "-c", "pass"], capture_output=True, text=True, cwd=PROJECT, env=clean_environment()
    ).stderr
    return next((line.strip() for line in said.splitlines() if "Bytecode compiled" in line), "")


def header(scale: Scale, took: float, load_at_start: str) -> list[str]:
    return [
        f"Written by `python -m benchmarks.run` ({scale.label}) on {dt.datetime.now():%Y-%m-%d %H:%M}, "
        f"in {took / 60:.1f} min, at commit {commit()}.",
        "",
        f"Machine: {machine()}; load average when the run began {load_at_start} (the machine may be shared).",
    ]


def commit() -> str:
    def git(*arguments: str) -> str:
        return subprocess.run(["git", *arguments], capture_output=True, text=True, cwd=PROJECT).stdout.strip()

    short = git("rev-parse", "--short", "HEAD")
    return f"{short} + uncommitted changes" if git("status", "--porcelain") else short


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    gib = int(memory.split()[1]) / 1024 / 1024
    versions = ", ".join(
        f"{package} {metadata.version(package)}" for package in ("polars", "duckdb", "pandera", "prefect", "fastexcel")
    )
    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} cores, {gib:.0f} GiB; {platform.platform()}; "
        f"Python {platform.python_version()}; {versions}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run: smaller lists, fewer repeats")
    parser.add_argument("--full", action="store_true", help="also 2.5 M rows in 10,000 files (national scale)")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    arguments = parser.parse_args()
    scale = QUICK if arguments.quick else FULL if arguments.full else DEFAULT
    started, load_at_start = time.perf_counter(), ", ".join(f"{load:.2f}" for load in os.getloadavg())
    work = Path(tempfile.mkdtemp(prefix="staffq-bench-"))
    sizes = {
        ONE_CSV: f"{scale.one_csv_rows:,} rows",
        MANY_FILES: f"{scale.many_rows:,} rows in {scale.many_files:,} files",
        ON_DASK: f"{scale.many_rows:,} rows in {scale.many_files:,} files, {DASK_WORKERS} local workers",
    }
    on_dask_copies = [work / "dask" / "many", work / "dask" / "many-again"]
    try:
        sections = {
            ONE_CSV: one_csv(work, scale.one_csv_rows),
            MANY_FILES: many_files(work, scale.many_rows, scale.many_files, "many", copy_to=on_dask_copies),
        }
        sections[ON_DASK] = on_dask(on_dask_copies, sections[MANY_FILES])
        if scale.national:
            rows, files = scale.national
            sizes[NATIONAL] = f"{rows:,} rows in {files:,} files"
            sections[NATIONAL] = many_files(work, rows, files, "national")
        measured_commands = commands(work, scale.command_runs, scale.demo_runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    titled = {f"{title}: {sizes[title]}": measures for title, measures in sections.items()}
    block = render(
        header(scale, time.perf_counter() - started, load_at_start),
        titled,
        measured_commands,
        targets(sections, measured_commands, sizes),
    )
    existing = arguments.out.read_text(encoding="utf-8") if arguments.out.is_file() else ""
    arguments.out.write_text(splice(existing, block), encoding="utf-8")
    print(block)


if __name__ == "__main__":
    main()
