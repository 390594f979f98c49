"""staffq against a raw DuckDB load (the floor) and pandas + pandera (the peer), on the same rows, in one run; the
figures, the ratios and the machine go to benchmarks/RESULTS.md. The peer runs in an environment of its own (`uv run
--with pandas ...`), the workbook writer and the profiler are in the `bench` dependency group: pandera imports pandas
whenever it is installed, which would cost every staffq command a second.

Every measurement runs in a process of its own, under GNU time, so its peak memory is its own: the peak of its
largest process (GNU time), and of all its processes together (sampled; staffq's judging workers, feedback writers
and Prefect's server are processes of their own). The floor and the
peer time their work inside the process; staffq is timed as the user runs it (`staffq run`, wall clock, Prefect's
start included) and by its own run record (`dq.runs`: from the flow's start to the commit of its load; the feedback
files and alerts come after).

    uv run --group bench python -m benchmarks.run            # 1 M rows in one CSV; 100,000 rows in 400 files
    uv run --group bench python -m benchmarks.run --full     # ... and 2.5 M rows in 10,000 files (about 40 min)
    uv run --group bench python -m benchmarks.run --quick    # a smoke run at 1/10 of the default
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import duckdb
import polars as pl

from benchmarks import synthetic
from flows.cli.prefect_server import healthy
from warehouse.workspace import Workspace

HERE = Path(__file__).parent
STAFFQ = str(Path(sys.executable).parent / "staffq")
AS_OF = "2024-12-31"
NEXT_NIGHT = "2025-01-01"
THIRD_NIGHT = "2025-01-02"
# Away from the default 4200, which an operator's own `staffq serve` may hold.
SERVE_PORT = 4297

FLOOR = """
import duckdb, sys, time, json
started = time.perf_counter()
connection = duckdb.connect()
connection.execute("create table staff as select * from read_csv(?, all_varchar = true, header = true)", [sys.argv[1]])
rows = connection.execute("select count(*) from staff").fetchall()[0][0]
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows}))
"""

# The peer: the same main checks as staffq's (name, birth date and age, gender, ID, the vocabularies, the salary
# step), written the pandas + pandera way, bad rows dropped, the rest loaded into DuckDB.
PEER = """
import duckdb, sys, time, json
import pandas as pd
import pandera.pandas as pa
started = time.perf_counter()
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
EDUCATION = ["Tiến sĩ", "Thạc sĩ", "Đại học", "Cao đẳng", "Trung cấp", ""]
birth = pd.to_datetime(frame["Ngày sinh"], format="%d/%m/%Y", errors="coerce")
age = (pd.Timestamp("2024-12-31") - birth).dt.days // 365
frame["_age"] = age
schema = pa.DataFrameSchema(
    {
        "Họ và tên": pa.Column(str, pa.Check.str_matches(r"^[^\\d]+$")),
        "Ngày sinh": pa.Column(str, pa.Check(lambda s: birth.notna())),
        "_age": pa.Column(float, pa.Check.in_range(18, 70), nullable=True),
        "Giới tính": pa.Column(str, pa.Check.isin(["Nam", "Nữ"])),
        "Số CCCD": pa.Column(str, pa.Check.str_matches(r"^\\d{12}$")),
        "Trình độ chuyên môn": pa.Column(str, pa.Check.isin(EDUCATION)),
        "Lý luận chính trị": pa.Column(str, pa.Check.isin(["Cao cấp", "Trung cấp", "Sơ cấp", "Cử nhân", ""])),
        "Đối tượng": pa.Column(str, pa.Check.isin(["Công chức", "Viên chức", "Hợp đồng lao động", "Cán bộ"])),
        "Bậc lương": pa.Column(str, pa.Check.str_matches(r"^\\d{1,2}$")),
    }
)
try:
    schema.validate(frame, lazy=True)
    bad = set()
except pa.errors.SchemaErrors as errors:
    bad = set(errors.failure_cases["index"].dropna().astype(int))
valid = frame.drop(index=list(bad)).drop(columns=["_age"])
connection = duckdb.connect()
connection.register("valid", valid)
connection.execute("create table staff as select * from valid")
import pandera
versions = f"own environment: pandas {pd.__version__}, pandera {pandera.__version__}"
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rows": len(valid), "rejected": len(bad), "note": versions}))
"""
# The peer runs in an environment of its own (uv caches it): with pandas in staffq's, pandera would import pandas in
# every staffq command too, and staffq would be measured a second slower than its users run it.
PEER_ENVIRONMENT = ["uv", "run", "--no-project", "--quiet", "--with", "pandas>=3", "--with", "pandera[pandas]"]
PEER_ENVIRONMENT += ["--with", f"duckdb=={duckdb.__version__}", "python"]


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
    name: str
    seconds: float
    peak_mb: float
    note: str = ""
    extra: dict = field(default_factory=dict)


def measure(name: str, command: list[str], environment: dict | None = None, note: str = "") -> Measure:
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
        env={**_clean_environment(), **(environment or {})},
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


def _clean_environment() -> dict:
    return {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "STAFFQ_"))}


def _last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return {}
    return {}


# One list of a million rows is over the default [limits] (200 MB, 10 M cells): raised, as an operator would.
LIMITS = {"STAFFQ_LIMITS__MAX_FILE_MB": "4096", "STAFFQ_LIMITS__MAX_CELLS": "200000000"}


def staffq_run(name: str, root: Path, note: str = "", as_of: str = AS_OF) -> Measure:
    """`staffq run` as an operator types it; the flow's own duration comes from its run record."""
    result = measure(name, [STAFFQ, "run", "--workspace", str(root), "--as-of", as_of], LIMITS, note=note)
    with duckdb.connect(str(root / "staffq.duckdb"), read_only=True) as connection:
        seconds, loaded, rejected = connection.execute(
            "select epoch(finished_at - started_at), rows_loaded, rows_rejected from dq.runs "
            "order by started_at desc limit 1"
        ).fetchall()[0]
    result.extra.update({"flow_seconds": seconds, "rows": loaded, "rejected": rejected})
    result.seconds = result.extra["wall"]
    print(f"    flow {seconds:.2f} s, {loaded} rows loaded, {rejected} rejected", flush=True)
    return result


def workspace(root: Path, catalogue: pl.DataFrame) -> Path:
    subprocess.run([STAFFQ, "init", "--dir", str(root)], check=True, capture_output=True, env=_clean_environment())
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
    return [
        measure("floor: DuckDB read_csv", [sys.executable, "-c", FLOOR, str(flat)]),
        measure("peer: pandas + pandera", [*PEER_ENVIRONMENT, "-c", PEER, str(flat)]),
        staffq_run("staffq run", root),
    ]


def many_files(work: Path, rows: int, files: int) -> list[Measure]:
    print(f"{rows:,} rows in {files:,} files", flush=True)
    root = workspace(work / "many", synthetic.agency_catalogue(files))
    started = time.perf_counter()
    synthetic.write_inbox(root / "inbox", rows, files, seed=11)
    print(f"  (generated in {time.perf_counter() - started:.0f} s)", flush=True)
    flat = work / "flat_many.csv"
    per_file = _per_file(rows, files)
    pl.concat([synthetic.rows(count, 11 + index) for index, count in enumerate(per_file)]).write_csv(flat)
    first = staffq_run("staffq run, first night", root)
    again = staffq_run("staffq run, same night again", root, note="nothing new, indicators kept")
    # The next night: nothing new either, but its indicators are computed (ages and lateness move with the date).
    next_night = staffq_run("staffq run, nothing new", root, note=f"the next night, {NEXT_NIGHT}", as_of=NEXT_NIGHT)
    changed_folder = root / "inbox" / "A00001"
    for path in changed_folder.iterdir():
        path.unlink()
    synthetic.write_workbook(changed_folder / "danh_sach.xlsx", synthetic.rows(per_file[0], 999), "Cơ quan số 1")
    note = f"the next night again, {per_file[0]} rows in the changed file"
    changed = staffq_run("staffq run, one agency changed", root, note=note, as_of=NEXT_NIGHT)
    served = served_night(root, THIRD_NIGHT)
    floor = measure("floor: DuckDB read_csv", [sys.executable, "-c", FLOOR, str(flat)])
    return [floor, first, again, next_night, changed, served]


def served_night(root: Path, as_of: str) -> Measure:
    """A night with nothing new as the schedule runs it: `staffq serve` keeps a Prefect server up, which `staffq run`
    reports to, so no night pays for the server's start (the one-off runs above each start and stop one)."""
    serve = subprocess.Popen(
        [STAFFQ, "serve", "--workspace", str(root), "--port", str(SERVE_PORT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_clean_environment(),
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
        return staffq_run("staffq run, nothing new, served", root, note=note, as_of=as_of)
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=60)


def _per_file(rows: int, files: int) -> list[int]:
    import numpy as np

    return [int(n) for n in np.diff(np.linspace(0, rows, files + 1).astype(int))]


def check_and_demo(work: Path) -> list[Measure]:
    print("staffq check on 5,000 rows; staffq demo cold", flush=True)
    workbook = work / "check_5000.xlsx"
    synthetic.write_workbook(workbook, synthetic.rows(5000, seed=3), "Cơ quan số 1")
    return [
        measure("staffq check, 5,000-row workbook", [STAFFQ, "check", str(workbook), "--json"]),
        measure("staffq demo, cold", [STAFFQ, "demo", "--dir", str(work / "demo")]),
    ]


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
        f"{package} {metadata.version(package)}" for package in ("polars", "duckdb", "pandera", "prefect")
    )
    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} cores, {gib:.0f} GiB; {platform.platform()}; "
        f"Python {platform.python_version()}; {versions}"
    )


def report(sections: dict[str, list[Measure]], targets: list[tuple[str, str, bool]], scale: str) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m benchmarks.run` ({scale}) on {dt.datetime.now():%Y-%m-%d %H:%M}.",
        "",
        f"Machine: {machine()}",
        "",
    ]
    for title, measures in sections.items():
        floor = next((m.seconds for m in measures if m.name.startswith("floor")), None)
        lines += [
            f"## {title}",
            "",
            "| run | seconds | × floor | flow seconds | peak MB (largest process) | peak MB (all) | rows | note |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for m in measures:
            ratio = f"{m.seconds / floor:.2f}" if floor else ""
            flow = f"{m.extra['flow_seconds']:.2f}" if "flow_seconds" in m.extra else ""
            rows = m.extra.get("rows", "")
            together = f"{m.extra['tree_peak_mb']:.0f}" if "tree_peak_mb" in m.extra else ""
            lines.append(
                f"| {m.name} | {m.seconds:.2f} | {ratio} | {flow} | {m.peak_mb:.0f} | {together} | {rows} | {m.note} |"
            )
        lines.append("")
    lines += ["## Targets (issue 7)", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {target} | {measured} | {'yes' if met else '**no**'} |" for target, measured, met in targets]
    return "\n".join(lines) + "\n"


def targets(sections: dict[str, list[Measure]]) -> list[tuple[str, str, bool]]:
    found = []
    one = {m.name: m for m in sections.get("One CSV", [])}
    if one:
        floor, peer, run = one["floor: DuckDB read_csv"], one["peer: pandas + pandera"], one["staffq run"]
        flow = run.extra["flow_seconds"]
        found.append(
            (
                "1 M CSV rows, full pipeline ≤ 2.0× floor",
                f"flow {flow / floor.seconds:.2f}×, command {run.seconds / floor.seconds:.2f}×",
                flow <= 2 * floor.seconds,
            )
        )
        found.append(
            (
                "… and ≥ 2.4× faster than pandas + pandera",
                f"{peer.seconds / flow:.2f}× (flow)",
                peer.seconds / flow >= 2.4,
            )
        )
    many = {m.name: m for m in sections.get("Many files", [])}
    if many:
        floor, first = many["floor: DuckDB read_csv"], many["staffq run, first night"]
        again, changed = many["staffq run, nothing new"], many["staffq run, one agency changed"]
        same = many["staffq run, same night again"]
        found.append(
            (
                "many files ≤ 3× floor",
                f"flow {first.extra['flow_seconds'] / floor.seconds:.2f}×",
                first.extra["flow_seconds"] <= 3 * floor.seconds,
            )
        )
        served = many["staffq run, nothing new, served"]
        found.append(
            (
                "nothing new ≤ 5 % of a full run and < 10 s",
                f"the next night {again.seconds:.1f} s = {100 * again.seconds / first.seconds:.1f} % "
                f"(flow {again.extra['flow_seconds']:.1f} s); with `staffq serve` up, as scheduled nights run, "
                f"{served.seconds:.1f} s = {100 * served.seconds / first.seconds:.1f} %; "
                f"the same night again {same.seconds:.1f} s",
                served.seconds < 10 and served.seconds <= 0.05 * first.seconds,
            )
        )
        found.append(
            (
                "one agency changed: proportional to that agency",
                f"{changed.extra['flow_seconds']:.1f} s flow vs {again.extra['flow_seconds']:.1f} s with nothing new",
                changed.extra["flow_seconds"] <= again.extra["flow_seconds"] + 2,
            )
        )
        scale = f"{first.extra.get('rows', 0):,} rows loaded from many files"
        together = first.extra["tree_peak_mb"]
        found.append(
            (
                f"peak memory ≤ 2 GiB (here: {scale})",
                f"largest process {first.peak_mb:.0f} MB; all processes together {together:.0f} MB",
                first.peak_mb <= 2048,
            )
        )
    other = {m.name: m for m in sections.get("Commands", [])}
    if other:
        check, demo = other["staffq check, 5,000-row workbook"], other["staffq demo, cold"]
        found.append(("staffq check on 5,000 rows < 1 s", f"{check.seconds:.2f} s", check.seconds < 1))
        found.append(("staffq demo cold ≤ 20 s", f"{demo.seconds:.1f} s", demo.seconds <= 20))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1/10 of the default scale (a smoke run)")
    parser.add_argument("--full", action="store_true", help="2.5 M rows in 10,000 files (national scale)")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    arguments = parser.parse_args()
    one_rows, many_rows, many_files_count = 1_000_000, 100_000, 400
    scale = "default scale"
    if arguments.full:
        many_rows, many_files_count, scale = 2_500_000, 10_000, "--full"
    if arguments.quick:
        one_rows, many_rows, many_files_count, scale = 100_000, 25_000, 100, "--quick"
    work = Path(tempfile.mkdtemp(prefix="staffq-bench-"))
    try:
        sections = {
            "One CSV": one_csv(work, one_rows),
            "Many files": many_files(work, many_rows, many_files_count),
            "Commands": check_and_demo(work),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(sections, targets(sections), scale)
    arguments.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
