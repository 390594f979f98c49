"""What the operator sees of a night in the Prefect UI and the run record, through a real flow run: the run is named
by its staffq run id, its log holds one INFO line per file — agency, file, verdict, counts — and nothing a clerk
wrote, and dq.run_stages holds how long each of its stages took."""

from __future__ import annotations

import logging
import re
import shutil
from uuid import UUID

from conftest import AS_OF, FIXTURES, NIGHT_STAGES
from flows.cli.init import create_workspace
from flows.nightly import run_nightly
from warehouse.database import connect


def test_a_night_is_named_by_its_run_id_and_logs_one_line_per_file(tmp_path, prefect_engine):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogWorker

    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    shutil.copy(FIXTURES / "birth_date_impossible.csv", root / "inbox" / "UB-TP" / "danh sách.csv")

    outcome = run_nightly(root, AS_OF)

    with connect(root / "staffq.duckdb", read_only=True) as connection:
        [(flow_run_id,)] = connection.execute("select flow_run_id from dq.runs").fetchall()
    # The operators' record, kept in the warehouse: the analysts' copy has no use for it.
    with connect(root / "warehouse.duckdb", read_only=True) as connection:
        stages = connection.execute(
            "select run_id, stage, seconds >= 0 from dq.run_stages order by stage_started_at, stage"
        ).fetchall()
    APILogWorker.drain_all(timeout=10)
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(UUID(flow_run_id))
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run.id])))
    assert flow_run.name == outcome.run_id
    # Where the night's time went, stage by stage, in the order the stages ran.
    assert stages == [(outcome.run_id, stage, True) for stage in NIGHT_STAGES]
    per_file = sorted((log.level, log.message) for log in logs if "rows read" in log.message)
    assert per_file == [
        (
            logging.INFO,
            "UB-NV 'ds.csv': accepted; 3 rows read, 3 loaded, 0 returned; issues: 0 error(s), 1 warning(s)",
        ),
        (
            logging.INFO,
            "UB-TP 'danh sách.csv': accepted_with_errors; 3 rows read, 2 loaded, 1 returned; "
            "issues: 1 error(s), 1 warning(s)",
        ),
    ]
    # No ID number or birth date from the files anywhere in the run log.
    everything = "\n".join(log.message for log in logs)
    written = (FIXTURES / "birth_date_impossible.csv").read_text(encoding="utf-8")
    values = re.findall(r"\d{12}|\d{2}/\d{2}/\d{4}", written)
    assert values and [value for value in values if value in everything] == []
