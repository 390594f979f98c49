"""The generated part of benchmarks/RESULTS.md: the tables written from one run's measures, and the splice that puts
them in the file between two markers, keeping every section written by hand around them."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.measure import Measure
from benchmarks.run_record import STAGES, RunRecord

TITLE = "# Benchmark results"
BEGIN = "<!-- benchmarks.run: begin -->"
END = "<!-- benchmarks.run: end -->"
# The last heading of the part the runner wrote before it kept to its markers: the first splice replaces the file
# from the top through that heading's table.
UNMARKED_LAST_HEADING = "## Targets (issue 7)"


@dataclass
class Target:
    target: str
    measured: str
    # None: not measured in this run (a scale not run, or a figure this staffq does not record).
    met: bool | None


def splice(existing: str, generated: str) -> str:
    """`existing` (the file's text, empty when there is none) with the runner's block replaced by `generated`, or
    put in place of the part the runner used to write whole; everything else is kept as it was."""
    block = f"{BEGIN}\n{generated.strip()}\n{END}"
    has_begin, has_end = BEGIN in existing, END in existing
    if has_begin != has_end or existing.find(BEGIN) > existing.find(END):
        raise ValueError(f"RESULTS.md has one of {BEGIN} and {END} without the other: mend it by hand")
    if has_begin:
        before, rest = existing.split(BEGIN, 1)
        return before + block + rest.split(END, 1)[1]
    if UNMARKED_LAST_HEADING in existing:
        old_end = existing.find("\n## ", existing.index(UNMARKED_LAST_HEADING) + 1)
        hand_written = existing[old_end + 1 :] if old_end >= 0 else ""
        return f"{TITLE}\n\n{block}\n\n{hand_written}".rstrip("\n") + "\n"
    if existing.startswith(TITLE):
        return f"{TITLE}\n\n{block}\n\n{existing[len(TITLE) :].lstrip()}".rstrip("\n") + "\n"
    return f"{TITLE}\n\n{block}\n\n{existing.lstrip()}".rstrip("\n") + "\n"


def render(
    header: list[str], sections: dict[str, list[Measure]], commands: list[Measure], targets: list[Target]
) -> str:
    """The block: the header lines, a table and a table of stages per section, the commands, the targets."""
    lines = [*header, ""]
    lines += [
        "Seconds are the wall time of the command as an operator types it (staffq) or the time the script "
        "reports for its own work, imports excluded (floors, peer). Flow: from the run's start to the commit of "
        "its load (`dq.runs`); a one-off `staffq run` starts its run before its own Prefect server answers (it "
        "judges the new files meanwhile), so the wait for that server is inside. Until published: from the run's "
        "start to the end of its publish stage, when analysts have the night (`dq.run_stages`).",
        "",
    ]
    for title, measures in sections.items():
        lines += [f"## {title}", "", *_section_table(measures), "", *_stage_table(measures), ""]
    if commands:
        lines += ["## Commands", "", *_command_table(commands), ""]
    lines += ["## Targets (issue 21)", "", "| target | measured | met |", "|---|---|---|"]
    for target in targets:
        met = {True: "yes", False: "**no**", None: "—"}[target.met]
        lines.append(f"| {target.target} | {target.measured} | {met} |")
    return "\n".join(lines) + "\n"


def _section_table(measures: list[Measure]) -> list[str]:
    floors = [m for m in measures if m.extra.get("floor_label")]
    ratio_headers = "".join(f" × {floor.extra['floor_label']} |" for floor in floors)
    lines = [
        f"| run | seconds |{ratio_headers} flow s | until published s | peak MB (largest process) | peak MB (all) "
        "| rows | note |",
        "|---|---:|" + "---:|" * len(floors) + "---:|---:|---:|---:|---:|---|",
    ]
    for m in measures:
        record: RunRecord | None = m.extra.get("record")
        ratios = "".join(f" {m.seconds / floor.seconds:.2f} |" for floor in floors)
        flow = _seconds(record.flow_seconds) if record else ""
        published = _seconds(record.until_published) if record else ""
        rows = record.rows_loaded if record else m.extra.get("rows", "")
        lines.append(
            f"| {m.name} | {m.seconds:.2f} |{ratios} {flow} | {published} | {m.peak_mb:.0f} | "
            f"{_sampled_mb(m)} | {rows} | {m.note} |"
        )
    return lines


def _stage_table(measures: list[Measure]) -> list[str]:
    runs = [m for m in measures if "record" in m.extra]
    if not runs:
        return []
    lines = []
    if not any(m.extra["record"].stages_recorded for m in runs):
        lines += ["Stages: blank, this staffq does not record them (no `dq.run_stages` in its warehouse).", ""]
    lines += [
        "| run (seconds per stage) | " + " | ".join(STAGES) + " | until published |",
        "|---|" + "---:|" * (len(STAGES) + 1),
    ]
    for m in runs:
        record: RunRecord = m.extra["record"]
        cells = [_seconds(record.stage_seconds.get(stage)) for stage in STAGES]
        lines.append(f"| {m.name} | " + " | ".join(cells) + f" | {_seconds(record.until_published)} |")
    return lines


def _command_table(commands: list[Measure]) -> list[str]:
    by_name = {m.name: m for m in commands}
    lines = [
        "| command | median s | range s | runs | × its floor | peak MB (largest process) | peak MB (all) | note |",
        "|---|---:|---|---:|---|---:|---:|---|",
    ]
    for m in commands:
        runs = m.extra["runs"]
        floor = by_name.get(m.extra.get("against", ""))
        ratio = f"{m.seconds / floor.seconds:.2f} × {floor.name}" if floor else ""
        lines.append(
            f"| {m.name} | {m.seconds:.3f} | {min(runs):.3f}–{max(runs):.3f} | {len(runs)} | {ratio} | "
            f"{m.peak_mb:.0f} | {_sampled_mb(m)} | {m.note} |"
        )
    return lines


def _sampled_mb(m: Measure) -> str:
    """All processes' peak, blank for a command too short to be sampled even once."""
    peak = m.extra.get("tree_peak_mb", 0)
    return f"{peak:.0f}" if peak else ""


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"
