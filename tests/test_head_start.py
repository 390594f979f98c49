"""A one-off `staffq run` begins its night while its own Prefect server starts (flows.head_start): the run is on
record and the files are judged before any flow run exists, the flow then takes the night over under the same run
id, and what stops the night on the way fails the flow and reaches the operator as it would have inside it."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

from test_alerts import Webhook
from test_hostile_night import environment, reached_pause, rows

from conftest import FIXTURES, NIGHT_STAGES
from flows.cli.init import create_workspace

STAFFQ = str(Path(sys.executable).parent / "staffq")


def flow_runs(root: Path) -> list[tuple]:
    """(name, id, state) of every flow run in the workspace's own Prefect database."""
    with sqlite3.connect(f"file:{root / '.prefect' / 'prefect.db'}?mode=ro", uri=True) as database:
        return database.execute("select name, id, state_type from flow_run").fetchall()


def test_a_one_off_run_judges_its_files_before_its_flow_run_exists(tmp_path):
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    mark = tmp_path / "paused"
    command = subprocess.Popen(
        [STAFFQ, "run", "--workspace", str(root)],
        env=environment(uuid.uuid4().hex, STAFFQ_PAUSE_AT="mid_validation", STAFFQ_PAUSE_MARK=str(mark)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reached_pause(mark, command), "the run never finished judging"
        # The files are judged, the run is on record, and Prefect has no flow run yet.
        (run_id, flow_run_id, status), *others = rows(root, "select run_id, flow_run_id, status from dq.runs")
        assert (others, flow_run_id, status) == ([], None, "running")
        assert flow_runs(root) == []
        mark.unlink()
        _, err = command.communicate(timeout=300)
    finally:
        command.kill()
    assert command.returncode == 0, err
    # The flow took the night over: named by the run id, recorded in dq.runs, and its stages in the order run.
    [(name, flow_run, state)] = flow_runs(root)
    assert (name, state) == (run_id, "COMPLETED")
    assert rows(root, "select run_id, replace(flow_run_id, '-', ''), status from dq.runs") == [
        (run_id, flow_run.replace("-", ""), "completed")
    ]
    stages = rows(root, "select stage from dq.run_stages order by stage_started_at")
    assert tuple(stage for (stage,) in stages) == NIGHT_STAGES
    assert rows(root, "select agency_code, status, rows_loaded from dq.submissions") == [("UB-NV", "accepted", 3)]


def test_what_stops_a_night_begun_before_its_flow_fails_the_flow_and_tells_the_operator(tmp_path):
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    webhook = Webhook()
    try:
        night = subprocess.run(
            [STAFFQ, "run", "--workspace", str(root)],
            env=environment(
                uuid.uuid4().hex, STAFFQ_RAISE_AT="mid_validation", STAFFQ_ALERTS__OPERATOR=json.dumps([webhook.url])
            ),
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        webhook.stop()
    assert night.returncode == 2, night.stderr
    assert "InjectedFault" in night.stderr
    [(name, _, state)] = flow_runs(root)
    assert state == "FAILED"
    assert rows(root, "select run_id, status, error from dq.runs") == [
        (name, "failed", "InjectedFault: mid_validation")
    ]
    assert [message["title"] for message in webhook.received] == ["[staffq] Lần chạy đêm thất bại"]
    assert rows(root, "select count(*) from dq.submissions") == [(0,)]
