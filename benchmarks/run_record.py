"""What a `staffq run` recorded about itself in its warehouse: the run (`dq.runs`) and the time of each of its stages
(`dq.run_stages`), read after the command ends. A warehouse made by a staffq that did not record stages yet gives
none, so the benchmark can measure an older commit beside a newer one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

# In the order a night does them; the tables show them so.
STAGES = ("discover", "judge", "earlier_work", "load", "indicators", "publish", "feedback", "alerts")


@dataclass
class RunRecord:
    flow_seconds: float | None
    rows_loaded: int
    rows_rejected: int
    stages_recorded: bool
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # From the run's start (dq.runs.started_at) to the end of its publish stage: when analysts have the night's data.
    until_published: float | None = None


def last_run(database: Path) -> RunRecord:
    """The record of the latest run in `database`."""
    with duckdb.connect(str(database), read_only=True) as connection:
        run_id, flow_seconds, loaded, rejected = connection.execute(
            "select run_id, epoch(finished_at - started_at), rows_loaded, rows_rejected from dq.runs "
            "order by started_at desc limit 1"
        ).fetchall()[0]
        record = RunRecord(flow_seconds, loaded or 0, rejected or 0, _has_stages(connection))
        if not record.stages_recorded:
            return record
        stages = connection.execute(
            "select stage.stage, stage.seconds, epoch(stage.stage_started_at - run.started_at) + stage.seconds "
            "from dq.run_stages as stage join dq.runs as run using (run_id) where run_id = ?",
            [run_id],
        ).fetchall()
    record.stage_seconds = {stage: seconds for stage, seconds, _ in stages}
    record.until_published = next((until for stage, _, until in stages if stage == "publish"), None)
    return record


def _has_stages(connection: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        connection.execute(
            "select count(*) from information_schema.tables where table_schema = 'dq' and table_name = 'run_stages'"
        ).fetchall()[0][0]
    )
