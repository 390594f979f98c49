"""Issue 21's targets, each judged on figures measured in the same run and shown as a ratio to the floor measured
beside it. The names here are the rows the runner gives its measures, so a target finds the figures it needs."""

from __future__ import annotations

from benchmarks.measure import Measure
from benchmarks.report import Target

ONE_CSV, MANY_FILES, NATIONAL = "One CSV", "Many files", "National scale (--full)"
CSV_FLOOR = "floor: DuckDB read_csv of the same rows as one CSV"
FAIR_FLOOR = "fair floor: the same files read by fastexcel/polars into one DuckDB table"
PEER = "peer: pandas + pandera"
RUN = "staffq run"
FIRST_NIGHT = "staffq run, first night"
SERVED_NIGHT = "staffq run, nothing new, served"
PYTHON = "`python -c pass` without uv"
UV_PYTHON = "`uv run python -c pass`"
HELP = "`uv run staffq --help`"
CHECK = "`uv run staffq check`, 5,000-row workbook"
DEMO = "`uv run staffq demo`, warm install"

GIB = 1024


def targets(sections: dict[str, list[Measure]], commands: list[Measure], scale: dict[str, str]) -> list[Target]:
    """Every target of issue 21; one whose scale did not run is listed as not measured. `scale` names what each
    section measured ("1,000,000 rows"), since a --quick run's ratios are not the targets' own."""
    found = _one_csv(_named(sections.get(ONE_CSV)), scale.get(ONE_CSV, ""))
    found += _many_files(_named(sections.get(MANY_FILES)), scale.get(MANY_FILES, ""))
    found += _national(_named(sections.get(NATIONAL)), scale.get(NATIONAL, ""))
    return found + _commands(_named(commands))


def _named(measures: list[Measure] | None) -> dict[str, Measure]:
    return {m.name: m for m in measures or []}


def _one_csv(measures: dict[str, Measure], scale: str) -> list[Target]:
    publish = "1 M-row CSV: time until the analysts' copy is published ≤ 4× floor"
    whole = "1 M-row CSV: whole `staffq run` (feedback included) ≤ 8× floor"
    peer_target = "1 M-row CSV: ≥ 2× faster than pandas + pandera (peer seconds / `staffq run` seconds)"
    if not measures:
        return [Target(name, "not run", None) for name in (publish, whole, peer_target)]
    floor, peer, run = measures[CSV_FLOOR], measures[PEER], measures[RUN]
    until = run.extra["record"].until_published
    return [
        _against(publish, f"{scale}: ", until, floor, 4),
        _against(whole, f"{scale}: ", run.seconds, floor, 8),
        Target(
            peer_target,
            f"{scale}: {peer.seconds / run.seconds:.2f}× ({peer.seconds:.1f} s / {run.seconds:.1f} s)",
            peer.seconds / run.seconds >= 2,
        ),
    ]


def _many_files(measures: dict[str, Measure], scale: str) -> list[Target]:
    publish = "400 files / 100 k rows: time to publish ≤ 3× the fair floor"
    whole = "400 files / 100 k rows: whole first night, feedback included, ≤ 6× the fair floor"
    if not measures:
        return [Target(name, "not run", None) for name in (publish, whole)]
    floor, first = measures[FAIR_FLOOR], measures[FIRST_NIGHT]
    csv_floor = measures[CSV_FLOOR]
    beside = f" (× CSV floor: {first.seconds / csv_floor.seconds:.1f})"
    return [
        _against(publish, f"{scale}: ", first.extra["record"].until_published, floor, 3),
        _against(whole, f"{scale}: ", first.seconds, floor, 6, beside),
    ]


def _national(measures: dict[str, Measure], scale: str) -> list[Target]:
    first_night = "10,000 files / 2.5 M rows: first night ≤ 10 min"
    served = "10,000 files: a served night with nothing new ≤ 5 s"
    peak = "10,000 files: peak ≤ 2 GiB for all processes"
    if not measures:
        return [Target(name, "not run (only with --full)", None) for name in (first_night, served, peak)]
    first, quiet = measures[FIRST_NIGHT], measures[SERVED_NIGHT]
    runs = [m for m in measures.values() if "record" in m.extra]
    highest = max(runs, key=lambda m: m.extra["tree_peak_mb"])
    fair = measures[FAIR_FLOOR]
    return [
        Target(
            first_night,
            f"{scale}: {first.seconds / 60:.1f} min = {first.seconds / fair.seconds:.1f}× the fair floor",
            first.seconds <= 600,
        ),
        Target(served, f"{quiet.seconds:.1f} s", quiet.seconds <= 5),
        Target(
            peak,
            f"{highest.extra['tree_peak_mb']:.0f} MB ({highest.name}); largest process {highest.peak_mb:.0f} MB",
            highest.extra["tree_peak_mb"] <= 2 * GIB,
        ),
    ]


def _commands(measures: dict[str, Measure]) -> list[Target]:
    rows = [
        ("`staffq check` of a 5,000-row workbook ≤ 1.0 s", CHECK, 1.0),
        ("`staffq demo` on a warm install ≤ 20 s", DEMO, 20.0),
        ("`uv run staffq --help` ≤ 0.5 s", HELP, 0.5),
    ]
    found = []
    for target, name, limit in rows:
        if name not in measures:
            found.append(Target(target, "not run", None))
            continue
        m = measures[name]
        floor = measures[m.extra["against"]]
        measured = f"{_median_and_range(m)} = {m.seconds / floor.seconds:.1f}× {floor.name}"
        found.append(Target(target, measured, m.seconds <= limit))
    compiles = "`uv run` adds no compilation once installed (uv prints no “Bytecode compiled” line)"
    costs = "`uv run python -c pass` ≤ 1.2× the same Python without uv"
    if UV_PYTHON in measures and PYTHON in measures:
        uv, bare = measures[UV_PYTHON], measures[PYTHON]
        compiled = uv.extra["compiled"]
        found.append(Target(compiles, f"“{compiled}”" if compiled else "nothing compiled", not compiled))
        ratio = uv.seconds / bare.seconds
        found.append(Target(costs, f"{_median_and_range(uv)} = {ratio:.2f}× ({bare.seconds:.3f} s)", ratio <= 1.2))
    else:
        found += [Target(compiles, "not run", None), Target(costs, "not run", None)]
    return found


def _against(target: str, prefix: str, seconds: float | None, floor: Measure, limit: float, beside: str = "") -> Target:
    if seconds is None:
        return Target(target, f"{prefix}not recorded (no `dq.run_stages` in this staffq's warehouse)", None)
    ratio = seconds / floor.seconds
    return Target(target, f"{prefix}{ratio:.1f}× ({seconds:.1f} s / {floor.seconds:.2f} s){beside}", ratio <= limit)


def _median_and_range(m: Measure) -> str:
    runs = m.extra["runs"]
    if len(runs) == 1:
        return f"{m.seconds:.2f} s (1 run)"
    return f"{m.seconds:.2f} s (median of {len(runs)}, {min(runs):.2f}–{max(runs):.2f})"
