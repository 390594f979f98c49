"""The benchmark runner rewrites only its own block of benchmarks/RESULTS.md (the sections written by hand stay), and
reads each run's stages from the warehouse, or none from a warehouse that does not record them."""

import datetime as dt
from pathlib import Path

import pytest

from benchmarks.measure import Measure
from benchmarks.report import BEGIN, END, render, splice
from benchmarks.run_record import RunRecord, last_run
from warehouse.database import connect, migrate
from warehouse.load import Stage, finish_run, record_stages, start_run

RESULTS = Path(__file__).parent.parent / "benchmarks" / "RESULTS.md"

UNMARKED = """# Benchmark results

Written by `python -m benchmarks.run` (--full) on 2026-11-27 22:53.

## One CSV

| run | seconds |
|---|---:|
| floor | 1.47 |

## Targets (issue 7)

| target | measured | met |
|---|---|---|
| old target | 1× | yes |

## Isolation (issue 18): by hand

Measured by hand.

## Start-up (issue 21, first steps)

Also by hand.
"""

HAND_WRITTEN = """## Isolation (issue 18): by hand

Measured by hand.

## Start-up (issue 21, first steps)

Also by hand.
"""


def test_the_first_splice_replaces_the_old_generated_part_and_keeps_the_hand_written_sections():
    assert splice(UNMARKED, "New figures.") == f"# Benchmark results\n\n{BEGIN}\nNew figures.\n{END}\n\n{HAND_WRITTEN}"


def test_a_later_splice_replaces_only_what_is_between_the_markers():
    first = splice(UNMARKED, "New figures.")
    annotated = first.replace(BEGIN, f"A note written above the block.\n\n{BEGIN}")
    assert splice(annotated, "Newer figures.") == annotated.replace("New figures.", "Newer figures.")


def test_splicing_the_same_block_twice_changes_nothing():
    once = splice(UNMARKED, "New figures.")
    assert splice(once, "New figures.") == once


def test_a_missing_file_gets_the_title_and_the_block():
    assert splice("", "Figures.") == f"# Benchmark results\n\n{BEGIN}\nFigures.\n{END}\n"


@pytest.mark.parametrize("marker", [BEGIN, END])
def test_a_lone_marker_is_refused_rather_than_guessed_around(marker):
    with pytest.raises(ValueError, match="mend it by hand"):
        splice(f"# Benchmark results\n\n{marker}\nFigures.\n\n## By hand\n", "New figures.")


def test_the_real_results_keep_every_hand_written_section():
    existing = RESULTS.read_text(encoding="utf-8")
    hand_written = existing[existing.index("## Isolation (issue 18)") :]
    assert splice(existing, "New figures.").endswith(hand_written)


def test_stages_a_warehouse_did_not_record_are_blank():
    record = RunRecord(flow_seconds=2.0, rows_loaded=10, rows_rejected=0, stages_recorded=False)
    run = Measure("staffq run", 3.0, 100.0, extra={"record": record, "tree_peak_mb": 120.0})
    text = render(["Header."], {"Tiny": [run]}, [], [])
    assert "no `dq.run_stages` in its warehouse" in text
    assert "| staffq run | " + " | ".join([""] * 8) + " |  |" in text


def _warehouse_with_one_run(path: Path, stages: list[tuple[str, int, float]] | None) -> None:
    """A real warehouse holding one finished run that started at midnight; `stages` as (stage, second it started
    at, seconds), recorded in dq.run_stages; None: a warehouse of a staffq that did not record stages yet."""
    midnight = dt.datetime(2025, 1, 1)
    with connect(path) as connection:
        migrate(connection)
        start_run(connection, "run-1", None, midnight, midnight.date())
        finish_run(connection, "run-1", "succeeded", files_seen=0)
        connection.execute(
            "update dq.runs set finished_at = ? where run_id = 'run-1'", [midnight + dt.timedelta(seconds=9)]
        )
        if stages is None:
            connection.execute("drop table dq.run_stages")
        else:
            recorded = [Stage(stage, midnight + dt.timedelta(seconds=at), seconds) for stage, at, seconds in stages]
            record_stages(connection, "run-1", recorded)


def test_the_run_record_gives_each_stage_and_the_time_until_published(tmp_path):
    stages = [("discover", 0, 0.5), ("judge", 1, 4.0), ("publish", 6, 1.5), ("feedback", 8, 3.0)]
    _warehouse_with_one_run(tmp_path / "staffq.duckdb", stages)
    record = last_run(tmp_path / "staffq.duckdb")
    assert (record.flow_seconds, record.stages_recorded, record.until_published) == (9.0, True, 7.5)
    assert record.stage_seconds == {"discover": 0.5, "judge": 4.0, "publish": 1.5, "feedback": 3.0}


def test_a_warehouse_without_stages_gives_a_record_without_them(tmp_path):
    _warehouse_with_one_run(tmp_path / "staffq.duckdb", stages=None)
    record = last_run(tmp_path / "staffq.duckdb")
    assert (record.flow_seconds, record.stages_recorded, record.stage_seconds, record.until_published) == (
        9.0,
        False,
        {},
        None,
    )
