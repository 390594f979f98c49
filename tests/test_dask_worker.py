"""Judging and feedback on a Dask cluster (`[execution] dask_address`): a real night through the Prefect flow on a
local `distributed` cluster of two worker processes gives the warehouse and the feedback that local processes give
the same inbox."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import AS_OF, FIXTURES, person, write_template_workbook
from flows import pipeline
from flows.cli.init import create_workspace
from flows.nightly import run_nightly
from warehouse.database import connect

# Its module fixtures are costly: its tests run on one worker, which builds them once.
pytestmark = pytest.mark.xdist_group("dask_worker")

# What a night stores, each row named by its file rather than by ids and times that differ from run to run.
STORED = {
    "dq.submissions": "select * exclude (submission_id, run_id, received_at) from dq.submissions",
    **{
        table: f"select s.agency_code, s.file_name, t.* exclude (submission_id) from {table} as t "
        "join dq.submissions as s using (submission_id)"
        for table in ("core.staff", "dq.issues", "dq.rejected_rows")
    },
}


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes of one thread each, as `dask worker --nworkers 2 --nthreads 1` starts them."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture
def inbox_twice(tmp_path):
    """One workspace with a small inbox — good lists, lists with bad rows, a workbook, the same bytes twice in one
    agency's folder — and an exact copy of it (the same person-key secret)."""
    root = tmp_path / "local"
    create_workspace(root)
    inbox = root / "inbox"
    shutil.copy(FIXTURES / "valid_three_people.csv", inbox / "UB-NV" / "ds.csv")
    shutil.copy(FIXTURES / "valid_three_people.csv", inbox / "UB-NV" / "ds (1).csv")
    shutil.copy(FIXTURES / "name_with_digits.csv", inbox / "UB-GDDT" / "ds.csv")
    shutil.copy(FIXTURES / "gender_invalid.csv", inbox / "UB-TNMT" / "ds.csv")
    shutil.copy(FIXTURES / "national_id_too_short.csv", inbox / "UB-YT" / "ds.csv")
    rows = [
        person("Phạm Văn Dũng", "01/05/1980", national_id="074080000999", stt=1),
        person("Đỗ Thị Hoa", "02/06/1981", female=True, national_id="074181000998", stt=2),
    ]
    write_template_workbook(inbox / "UB-VHTT" / "ds.xlsx", rows)
    copy = tmp_path / "dask"
    shutil.copytree(root, copy)
    return root, copy


def on_cluster(root: Path, address: str) -> None:
    """The workspace's staffq.toml set to judge on the cluster at `address`, as an operator writes it."""
    config = root / "staffq.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[execution]\n", f'[execution]\ndask_address = "{address}"\n'), encoding="utf-8")


def stored(root: Path) -> dict[str, list[tuple]]:
    with connect(root / "warehouse.duckdb", read_only=True) as connection:
        return {table: sorted(connection.execute(query).fetchall(), key=repr) for table, query in STORED.items()}


def feedback(root: Path) -> dict[str, list[list[tuple]]]:
    """Every feedback file by its path in the outbox: each sheet's values for a workbook, the text for the rest."""
    files = {}
    for path in sorted((root / "outbox").rglob("*.*")):
        name = path.relative_to(root / "outbox").as_posix()
        if path.suffix == ".xlsx":
            workbook = openpyxl.load_workbook(path, read_only=True)
            files[name] = [list(sheet.values) for sheet in workbook.worksheets]
        else:
            files[name] = path.read_text(encoding="utf-8")
    return files


def tasks_run_by(cluster) -> int:
    """The Prefect tasks the cluster's workers ran: each a batch of files judged, or a group of feedback files."""
    return sum(
        prefix.state_counts["memory"] + prefix.state_counts["released"] + prefix.state_counts["forgotten"]
        for name, prefix in cluster.scheduler.task_prefixes.items()
        if name == "calls_on_a_worker"
    )


def test_a_night_judged_on_two_dask_workers_stores_what_local_processes_store(
    prefect_engine, cluster, inbox_twice, monkeypatch
):
    local, on_dask = inbox_twice
    # Batches of two files, so the night's six files are three tasks for the two workers.
    monkeypatch.setattr(pipeline, "VALIDATION_BATCH_FILES", 2)
    on_cluster(on_dask, cluster.scheduler_address)
    before = tasks_run_by(cluster)

    here = run_nightly(local, AS_OF)
    there = run_nightly(on_dask, AS_OF)

    assert tasks_run_by(cluster) - before >= 3
    assert [(s.agency_code, s.file_name, s.status, s.rows_loaded, s.rows_rejected) for s in there.submissions] == [
        (s.agency_code, s.file_name, s.status, s.rows_loaded, s.rows_rejected) for s in here.submissions
    ]
    assert stored(on_dask) == stored(local)
    assert len(stored(local)["core.staff"]) == sum(s.rows_loaded for s in here.submissions) > 0
    assert feedback(on_dask) == feedback(local)
    assert len(feedback(local)) >= 3


def test_a_batch_that_fails_on_a_dask_worker_is_judged_again_a_file_at_a_time(prefect_engine, cluster, inbox_twice):
    from distributed import Client

    _, root = inbox_twice
    on_cluster(root, cluster.scheduler_address)
    with Client(cluster) as client:
        # A bug in staffq while a worker reads the workbook, in every worker (fault injection, flows' faults).
        client.run(exec, "import os; os.environ['STAFFQ_RAISE_AT'] = 'judging ds.xlsx'")
        try:
            outcome = run_nightly(root, AS_OF)
        finally:
            client.run(exec, "import os; os.environ.pop('STAFFQ_RAISE_AT', None)")

    assert [(s.agency_code, s.file_name, s.status, s.rows_loaded, s.rows_rejected) for s in outcome.submissions] == [
        ("UB-GDDT", "ds.csv", "accepted_with_errors", 2, 1),
        ("UB-NV", "ds (1).csv", "duplicate", 0, 0),
        ("UB-NV", "ds.csv", "accepted", 3, 0),
        ("UB-TNMT", "ds.csv", "accepted_with_errors", 2, 1),
        ("UB-VHTT", "ds.xlsx", "rejected", 0, 0),
        ("UB-YT", "ds.csv", "accepted_with_errors", 2, 1),
    ]
    assert [p.check_code for p in outcome.submissions[4].problems] == ["internal-error"]
