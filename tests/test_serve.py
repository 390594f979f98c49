"""`staffq serve` for real: it starts a Prefect server on a free port, a scheduled run completes and leaves its
artifacts, and stopping serve stops everything it started."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from pathlib import Path

import duckdb
from test_alerts import free_port

from conftest import FIXTURES
from flows.cli.init import create_workspace


def api(url: str, path: str, body: dict | None = None):
    request = urllib.request.Request(
        f"{url}/api{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"waited {seconds} s for {what}")


def workspace_with_a_list(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A workspace with one valid list, and an environment without the test session's Prefect settings."""
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("PREFECT_") and key != "STAFFQ_ALERTS"
    }
    return root, environment


def staffq_run(root: Path, environment: dict[str, str], refused_while_busy: bool = False) -> bool:
    """Run once; False when another run held the workspace and that was allowed."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "staffq"), "run", "--workspace", str(root)],
        env=environment,
        capture_output=True,
        timeout=180,
    )
    if refused_while_busy and result.returncode == 2 and b"Not started: another staffq run" in result.stderr:
        return False
    assert result.returncode == 0, result.stderr.decode()
    return True


def test_serve_runs_the_flow_on_schedule_and_stops_what_it_started(tmp_path):
    root, environment = workspace_with_a_list(tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment["STAFFQ_SCHEDULE__INTERVAL_SECONDS"] = "5"
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [str(Path(sys.executable).parent / "staffq"), "serve", "--workspace", str(root), "--port", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server_pid = None
    try:
        pid_file = root / ".prefect" / "server.pid"
        server_pid = int(wait_for(lambda: pid_file.is_file() and pid_file.read_text(), 60, "the server's pid"))

        def completed_runs():
            try:
                runs = api(url, "/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}})
            except OSError:  # not up yet
                return None
            return [run for run in runs if run.get("deployment_id")]

        runs = wait_for(completed_runs, 240, "a scheduled run to complete")
        deployment = api(url, f"/deployments/{runs[0]['deployment_id']}")
        assert deployment["name"] == "staffq-nightly"
        assert deployment["schedules"][0]["schedule"]["interval"] == 5.0
        artifacts = api(url, "/artifacts/filter", {"artifacts": {"key": {"any_": ["staffq-run-summary"]}}})
        assert any(artifact["flow_run_id"] == runs[0]["id"] for artifact in artifacts)
        with urllib.request.urlopen(url, timeout=10) as response:  # the UI
            assert b"<!DOCTYPE html>" in response.read(200)
        # The UI served on this port asks the API on this port (Prefect's default, 4200, would leave it blank).
        with urllib.request.urlopen(f"{url}/ui-settings", timeout=10) as response:
            assert json.loads(response.read())["api_url"] == f"{url}/api"
        assert (root / "staffq.duckdb").is_file()

        # A run by hand meanwhile reports to this server (it shows in the UI) instead of starting one of its own;
        # a scheduled run (every 5 s here) may hold the workspace, and the operator is told to wait and run again.
        wait_for(lambda: staffq_run(root, environment, refused_while_busy=True), 120, "a turn for a run by hand")
        runs = api(url, "/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}})
        assert any(run["deployment_id"] is None for run in runs)
        assert not (root / ".prefect" / "run-server.log").exists()

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=90) is not None
        wait_for(lambda: not alive(server_pid), 30, "the server to stop")
        assert not pid_file.exists()
    finally:
        for pid in (serve.pid, server_pid):
            if pid and alive(pid):
                os.killpg(pid, signal.SIGKILL)
        serve.wait(timeout=30)
        log.close()


def prefect_processes_of(root: Path) -> list[int]:
    """Processes whose environment points Prefect at this workspace."""
    marker = f"PREFECT_HOME={root / '.prefect'}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_run_starts_its_own_server_and_leaves_nothing_running(tmp_path):
    root, environment = workspace_with_a_list(tmp_path)
    staffq_run(root, environment)
    with duckdb.connect(str(root / "staffq.duckdb"), read_only=True) as connection:
        assert connection.execute("select rows_loaded from dq.runs").fetchall() == [(3,)]
    # The run is recorded by a server of its own, in the workspace's Prefect database, and that server is gone.
    assert (root / ".prefect" / "run-server.log").is_file()
    with closing(sqlite3.connect(root / ".prefect" / "prefect.db")) as prefect_db:
        assert prefect_db.execute("select state_type from flow_run").fetchall() == [("COMPLETED",)]
    assert prefect_processes_of(root) == []
