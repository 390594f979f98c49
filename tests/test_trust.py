"""The warehouse under stress: analysts reading while runs publish, runs killed at every stage, two runs at once,
a full disk. Runs happen in real subprocesses, killed for real."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from conftest import AS_OF, FIXTURES, run_once
from flows.cli.app import app
from flows.cli.init import create_workspace
from flows.nightly import run_nightly
from warehouse.faults import STAGES
from warehouse.workspace import Workspace

# Its module fixtures are costly: its tests run on one worker, which builds them once.
pytestmark = pytest.mark.xdist_group("trust")

TESTS = Path(__file__).parent
# Three agencies' lists: one clean, one with a rejected row, one refused whole.
INPUTS = {
    "UB-NV": "valid_three_people.csv",
    "UB-TP": "name_with_digits.csv",
    "UB-KT": "missing_birth_date_column.csv",
}
RUN_ONCE = "import sys; sys.path.insert(0, sys.argv[1]); from conftest import run_once; from pathlib import Path; "
RUN_ONCE += "run_once(Path(sys.argv[2]))"
LOCKED_RUN = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from conftest import run_once
    from warehouse.locks import run_lock
    with run_lock(Path(sys.argv[2])):
        run_once(Path(sys.argv[2]))
    """
)
# Columns that name a run or an instant rather than data.
_VOLATILE = {"submission_id", "run_id", "flow_run_id", "computed_at", "started_at", "finished_at"}
_COMPARED = ("core.agencies", "core.staff", "dq.submissions", "dq.issues", "dq.rejected_rows", "analytics.indicators")


def workspace(tmp_path: Path, name: str = "ws") -> Path:
    root = tmp_path / name
    create_workspace(root)
    for agency, fixture in INPUTS.items():
        shutil.copy(FIXTURES / fixture, root / "inbox" / agency / "ds.csv")
    return root


def run_in_subprocess(root: Path, environment: dict | None = None, limit_bytes: int | None = None):
    """The nightly steps (tests/conftest.py run_once) in a process of their own, which may be killed."""

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, like ENOSPC
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [sys.executable, "-c", RUN_ONCE, str(TESTS), str(root)],
        # One key for every workspace of these tests, so their person keys can be compared.
        env={**os.environ, "STAFFQ_PRIVACY__PERSON_KEY_SECRET": "test-secret", **(environment or {})},
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit_file_size if limit_bytes else None,
    )


def fingerprint(path: Path) -> dict[str, list]:
    """Every row of the data tables, without run identifiers and timestamps, sorted."""
    with duckdb.connect(str(path), read_only=True) as connection:
        found = {}
        for table in _COMPARED:
            columns = [row[0] for row in connection.execute(f"describe {table}").fetchall()]
            kept = ", ".join(f'"{c}"' for c in columns if c not in _VOLATILE)
            found[table] = sorted(map(repr, connection.execute(f"select {kept} from {table}").fetchall()))
        # A killed run stays on record as crashed; no run is left running or failed.
        unfinished = "select count(*) from dq.runs where status not in ('completed', 'crashed')"
        found["unfinished runs"] = connection.execute(unfinished).fetchall()
        # What the database says of itself: a run killed anywhere leaves it described as a clean run does.
        described = """
            select schema_name, table_name, null, comment from duckdb_tables() where database_name = current_database()
            union all
            select schema_name, view_name, null, comment from duckdb_views() where database_name = current_database()
            union all
            select schema_name, table_name, column_name, comment from duckdb_columns()
            where database_name = current_database()
        """
        found["comments"] = sorted(map(repr, connection.execute(described).fetchall()))
        return found


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    """What one uninterrupted run makes of the inputs."""
    root = workspace(tmp_path_factory.mktemp("clean"))
    result = run_in_subprocess(root)
    assert result.returncode == 0, result.stderr
    return fingerprint(root / "warehouse.duckdb"), fingerprint(root / "staffq.duckdb")


@pytest.mark.parametrize("stage", STAGES)
def test_a_run_killed_at_any_stage_then_run_again_equals_a_run_that_never_crashed(tmp_path, clean_run, stage):
    root = workspace(tmp_path)
    killed = run_in_subprocess(root, {"STAFFQ_FAULT_AT": stage})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    again = run_in_subprocess(root)
    assert again.returncode == 0, again.stderr
    assert (fingerprint(root / "warehouse.duckdb"), fingerprint(root / "staffq.duckdb")) == clean_run
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as connection:
        runs = connection.execute("select status, error is not null from dq.runs order by started_at").fetchall()
    # Killed after its load committed, a run is complete: the next run published what it had not.
    killed_status = ("completed", False) if stage == "mid_publish" else ("crashed", True)
    assert runs == [killed_status, ("completed", False)]
    assert clean_run[0]["core.staff"] and clean_run[0]["dq.rejected_rows"]
    assert not Workspace.at(root).staging.exists() or not any(Workspace.at(root).staging.iterdir())


def test_a_load_over_its_memory_limit_fails_whole(tmp_path):
    """The memory limit reaches DuckDB: far too small, the load fails inside its transaction, nothing of it
    stays, and the rows it had staged are gone too (the next run is as after any failed run, tested above)."""
    root = workspace(tmp_path)
    starved = run_in_subprocess(root, {"STAFFQ_WAREHOUSE__MEMORY_LIMIT": "1MB"})
    assert starved.returncode != 0 and "Out of Memory" in starved.stderr
    assert not any(Workspace.at(root).staging.iterdir())
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from dq.submissions").fetchall() == [(0,)]


def test_a_night_that_fails_is_on_record_as_failed_with_its_error(tmp_path, prefect_engine, monkeypatch):
    """The flow's load runs out of memory and rolls back; the run's record, kept in a transaction of its own, says
    the night failed and why."""
    root = workspace(tmp_path)
    monkeypatch.setenv("STAFFQ_WAREHOUSE__MEMORY_LIMIT", "1MB")
    with pytest.raises(duckdb.OutOfMemoryException):
        run_nightly(root, AS_OF)
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as connection:
        runs = connection.execute("select status, error, finished_at is not null from dq.runs").fetchall()
        assert connection.execute("select count(*) from dq.submissions").fetchall() == [(0,)]
    assert [(status, error.split(":")[0], finished) for status, error, finished in runs] == [
        ("failed", "OutOfMemoryException", True)
    ]


def test_a_runs_record_ends_when_its_load_commits(tmp_path):
    """finished_at is the commit (not the start of the load's transaction), so `finished_at - started_at` is the
    run's time up to it, load included."""
    root, mark = workspace(tmp_path), tmp_path / "paused"
    paused = subprocess.Popen(
        [sys.executable, "-c", RUN_ONCE, str(TESTS), str(root)],
        env={**os.environ, "STAFFQ_PAUSE_AT": "mid_load", "STAFFQ_PAUSE_MARK": str(mark)},
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not mark.exists():
        assert paused.poll() is None, paused.stderr.read()
        assert time.monotonic() < deadline, "the run never reached its load"
        time.sleep(0.1)
    released = dt.datetime.now()  # the clock the run reads, in the same process tree
    mark.unlink()
    assert paused.wait(timeout=120) == 0, paused.stderr.read()
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as connection:
        (finished_at,) = connection.execute("select finished_at from dq.runs").fetchall()[0]
    assert released <= finished_at <= dt.datetime.now()


READER = textwrap.dedent(
    """
    import json, sys, time
    import duckdb
    path, stop, out = sys.argv[1:4]
    answers, errors = [], []
    from pathlib import Path
    while not Path(stop).exists():
        try:
            with duckdb.connect(path, read_only=True) as connection:
                answers.append(connection.execute(
                    "select (select coalesce(sum(rows_loaded), 0) from dq.submissions), "
                    "(select count(*) from core.staff), (select count(*) from dq.submissions)"
                ).fetchall()[0])
        except Exception as error:
            errors.append(repr(error))
    Path(out).write_text(json.dumps({"answers": answers, "errors": errors}))
    """
)


def test_analysts_reading_while_runs_publish_never_get_an_error_or_half_a_state(tmp_path):
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    run_once(root)
    stop, out = tmp_path / "stop", tmp_path / "answers.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(root / "staffq.duckdb"), str(stop), str(out)])
    try:
        for agency, fixture in (("UB-TP", "name_with_digits.csv"), ("UB-KT", "names_in_nfd.csv")):
            shutil.copy(FIXTURES / fixture, root / "inbox" / agency / "ds.csv")
            run_once(root)
        for fixture in ("windows_1258.csv", "semicolon_with_bom.csv"):
            shutil.copy(FIXTURES / fixture, root / "inbox" / "UB-VHTT" / fixture)
            run_once(root)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    seen = json.loads(out.read_text())
    print(f"reader: {len(seen['answers'])} answers over 4 publishes, {len(seen['errors'])} errors")
    assert seen["errors"] == []
    assert len(seen["answers"]) > 10
    assert all(loaded == staff for loaded, staff, _ in seen["answers"])  # never half a publish
    assert {files for _, _, files in seen["answers"]} > {1}  # the reader saw publishes happen


def test_a_long_query_finishes_on_the_version_it_started_with(tmp_path):
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    run_once(root)
    with duckdb.connect(str(root / "staffq.duckdb"), read_only=True) as analyst:
        before = analyst.execute("select count(*) from core.staff").fetchall()
        shutil.copy(FIXTURES / "names_in_nfd.csv", root / "inbox" / "UB-TP" / "ds.csv")
        run_once(root)  # publishes a new version while the analyst's connection is open
        assert analyst.execute("select count(*) from core.staff").fetchall() == before == [(3,)]
    with duckdb.connect(str(root / "staffq.duckdb"), read_only=True) as later:
        assert later.execute("select count(*) from core.staff").fetchall() == [(6,)]


def test_a_second_run_while_one_is_loading_is_refused_and_harms_nothing(tmp_path, prefect_engine):
    root = workspace(tmp_path)
    mark = tmp_path / "paused"
    # The first run: the flow's body (run lock, then the nightly steps), paused in the middle of its load.
    first = subprocess.Popen(
        [sys.executable, "-c", LOCKED_RUN, str(TESTS), str(root)],
        env={**os.environ, "STAFFQ_PAUSE_AT": "mid_load", "STAFFQ_PAUSE_MARK": str(mark)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not mark.exists():
            assert first.poll() is None, first.stderr.read()
            assert time.monotonic() < deadline, "the first run never reached its load"
            time.sleep(0.2)
        second = CliRunner().invoke(app, ["run", "--workspace", str(root), "--as-of", "2024-12-31"])
        assert second.exit_code == 2, second.output
        assert "Not started: another staffq run is working on" in " ".join(second.output.split())
    finally:
        mark.unlink(missing_ok=True)
    assert first.wait(timeout=120) == 0, first.stderr.read()
    with duckdb.connect(str(root / "staffq.duckdb"), read_only=True) as connection:
        files = connection.execute("select agency_code, status from dq.submissions order by 1").fetchall()
    assert files == [("UB-KT", "rejected"), ("UB-NV", "accepted"), ("UB-TP", "accepted_with_errors")]


def test_a_full_disk_fails_the_run_and_keeps_the_last_published_state(tmp_path):
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    run_once(root)
    published = root / "staffq.duckdb"
    digest = hashlib.sha256(published.read_bytes()).hexdigest()
    shutil.copy(FIXTURES / "names_in_nfd.csv", root / "inbox" / "UB-TP" / "ds.csv")
    # No file may grow past 16 KiB: the warehouse's next write fails as it would on a full disk.
    full = run_in_subprocess(root, limit_bytes=16 * 1024)
    assert full.returncode != 0
    assert "File too large" in full.stderr or "No space" in full.stderr, full.stderr[-2000:]
    assert "no transaction is active" not in full.stderr  # why the commit failed is not hidden
    assert hashlib.sha256(published.read_bytes()).hexdigest() == digest
    # Space again: the same run completes and publishes the new list.
    assert run_in_subprocess(root).returncode == 0
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select count(*) from core.staff").fetchall() == [(6,)]


def test_a_read_only_workspace_is_refused_with_a_clear_error_and_nothing_changes(tmp_path):
    source, mounted = tmp_path / "source", tmp_path / "read-only"
    source.mkdir()
    mounted.mkdir()
    root = source / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    run_once(root)
    shutil.copy(FIXTURES / "names_in_nfd.csv", root / "inbox" / "UB-TP" / "ds.csv")
    digest = hashlib.sha256((root / "staffq.duckdb").read_bytes()).hexdigest()
    # A read-only bind mount of the workspace: root ignores file permissions, not a read-only file system.
    mounting = subprocess.run(["mount", "--bind", str(source), str(mounted)], capture_output=True)
    if mounting.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {mounting.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mounted)], check=True, capture_output=True)
        result = CliRunner().invoke(app, ["run", "--workspace", str(mounted / "ws"), "--as-of", "2024-12-31"])
    finally:
        subprocess.run(["umount", str(mounted)], check=True)
    assert result.exit_code == 2, result.output
    assert "Cannot write in the workspace" in result.output and "Read-only file system" in result.output
    assert hashlib.sha256((root / "staffq.duckdb").read_bytes()).hexdigest() == digest
