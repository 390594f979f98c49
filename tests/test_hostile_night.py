"""A whole night against files made to stop it, and faults that would lose what must follow the load: the night
completes for every agency whose files are fine, every file and row is accounted for, what could not be done is
done by the next run, and no process outlives the command. Every hostile file is made here, by code."""

from __future__ import annotations

import datetime as dt
import io
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
import xlsxwriter

from conftest import FIXTURES, NIGHT_STAGES, counts, person, read_only, with_rows_added, write_template_workbook
from flows.cli.init import create_workspace
from flows.processes import Failed, WorkerLimits, worker_pool

STAFFQ = str(Path(sys.executable).parent / "staffq")
GOOD_ROWS = [
    person("Phạm Văn Dũng", "01/05/1980", national_id="074080000999", stt=1),
    person("Đỗ Thị Hoa", "02/06/1981", female=True, national_id="074181000998", stt=2),
]
# The command's own address space in the capped night: each judging worker takes at most [limits]'s share of it.
COMMAND_MEMORY = 6 << 30


# ---- hostile files, made by code ------------------------------------------------------------------------------


def list_with_a_far_cell(path: Path, far_cell: str) -> Path:
    """A small list whose sheet declares A1:D20 but also holds one cell at `far_cell`: the area its cells span."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Danh sách")
    sheet.write_row(0, 0, ["STT", "Họ và tên", "Ngày sinh", "Giới tính"])
    for row in range(1, 20):
        sheet.write_row(row, 0, [row, f"Nguyễn Văn Mười {row}", "01/02/1980", "Nam"])
    workbook.close()
    row_number = "".join(filter(str.isdigit, far_cell))
    cell = f'<row r="{row_number}"><c r="{far_cell}" t="inlineStr"><is><t>x</t></is></c></row>'
    return with_rows_added(buffer.getvalue(), cell, path)


def ods_of_repeated_cells(path: Path, rows: int, columns: int) -> Path:
    """An .ods of a few hundred bytes whose one row and one cell say they are repeated `rows` x `columns` times."""
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        f'xmlns:table="{table}" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Danh sach">'
        f'<table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell office:value-type="string" table:number-columns-repeated="{columns}">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def csv_with_a_control_character(path: Path) -> Path:
    """A list whose one bad name holds a control character that XML cannot hold, in the cell the feedback marks."""
    lines = (FIXTURES / "valid_three_people.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Trần Thị Bình", "Trần Thị\x01 Bình 2")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def csv_with_a_quote_never_closed(path: Path) -> Path:
    """Ten people; the fourth's notes open a quote that is never closed, which would run six people into one cell."""
    lines = ["STT,Họ và tên,Ngày sinh,Giới tính,Chức vụ,Đối tượng,Ghi chú"]
    for number in range(1, 11):
        notes = '"Chuyển công tác từ xã Tân Hiệp' if number == 4 else ""
        lines.append(f"{number},Nguyễn Văn Số {number},01/02/19{70 + number},Nam,Chuyên viên,Công chức,{notes}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---- running the night --------------------------------------------------------------------------------------------


def environment(marker: str, **extra: str) -> dict[str, str]:
    """The command's environment, without the test session's Prefect settings, with a marker every process it
    starts inherits: whatever carries the marker afterwards outlived the command."""
    kept = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "STAFFQ_"))}
    return kept | {"STAFFQ_TEST_NIGHT": marker} | extra


def processes_marked(marker: str) -> list[int]:
    found = []
    needle = f"STAFFQ_TEST_NIGHT={marker}".encode()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def eventually_none_left(marker: str) -> list[int]:
    """The processes still marked once those that are stopping have had their time (a bound, not an assertion on
    how long they take)."""
    for _ in range(120):
        left = processes_marked(marker)
        if not left:
            return []
        time.sleep(0.5)
    return left


def reached_pause(mark: Path, command: subprocess.Popen) -> bool:
    """Whether `command` paused where STAFFQ_PAUSE_AT asked, making `mark`; False if it ended first (a bound on the
    wait, not an assertion on how long the run takes)."""
    for _ in range(600):
        if mark.exists() or command.poll() is not None:
            break
        time.sleep(0.5)
    return mark.exists()


def staffq_run(root: Path, marker: str, memory: int | None = None, **extra: str) -> subprocess.CompletedProcess:
    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [STAFFQ, "run", "--workspace", str(root)],
        env=environment(marker, **extra),
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=cap_memory if memory else None,
    )


def rows(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


# ---- the night ----------------------------------------------------------------------------------------------------


def test_a_night_of_hostile_files_under_a_memory_cap_loads_every_good_list_and_loses_nothing(tmp_path):
    root = tmp_path / "ws"
    create_workspace(root)
    config = root / "staffq.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("[limits]\n", "[limits]\nmax_memory_mb_per_file = 2048\n"),
        encoding="utf-8",
    )
    inbox = root / "inbox"
    shutil.copy(FIXTURES / "valid_three_people.csv", inbox / "UB-NV" / "ds.csv")
    shutil.copy(FIXTURES / "valid_three_people.csv", inbox / "UB-TP" / "ban-sao.csv")  # the same bytes, elsewhere
    write_template_workbook(inbox / "UB-VHTT" / "ds.xlsx", GOOD_ROWS)
    list_with_a_far_cell(inbox / "UB-KT" / "o-xa.xlsx", "XFD1048576")
    list_with_a_far_cell(inbox / "UB-TCKH" / "o-xa.xlsx", "AMJ200000")
    list_with_a_far_cell(inbox / "UB-QLDT" / "o-xa.xlsx", "amj300000")  # the reader takes lower case too
    ods_of_repeated_cells(inbox / "UB-YT" / "lap.ods", 10_000, 10_000)
    csv_with_a_control_character(inbox / "UB-TNMT" / "ky-tu.csv")
    csv_with_a_quote_never_closed(inbox / "UB-LDTBXH" / "ghi-chu.csv")
    shutil.copy(FIXTURES / "name_with_digits.csv", inbox / "UB-GDDT" / "a\nb.csv")
    shutil.copy(FIXTURES / "gender_invalid.csv", inbox / "UB-GDDT" / "a_b.csv")
    assert (inbox / "UB-YT" / "lap.ods").stat().st_size < 1000
    marker = uuid.uuid4().hex

    night = staffq_run(root, marker, memory=COMMAND_MEMORY)

    assert night.returncode == 0, night.stderr
    assert eventually_none_left(marker) == []
    submissions = rows(
        root,
        "select agency_code, file_name, status, rows_read, rows_loaded, rows_rejected from dq.submissions order by all",
    )
    assert submissions == [
        ("UB-GDDT", "a\nb.csv", "accepted_with_errors", 3, 2, 1),
        ("UB-GDDT", "a_b.csv", "accepted_with_errors", 3, 2, 1),
        ("UB-KT", "o-xa.xlsx", "rejected", 0, 0, 0),
        ("UB-LDTBXH", "ghi-chu.csv", "rejected", 0, 0, 0),
        ("UB-NV", "ds.csv", "accepted", 3, 3, 0),
        ("UB-QLDT", "o-xa.xlsx", "rejected", 0, 0, 0),
        ("UB-TCKH", "o-xa.xlsx", "rejected", 0, 0, 0),
        ("UB-TNMT", "ky-tu.csv", "accepted_with_errors", 3, 2, 1),
        ("UB-TP", "ban-sao.csv", "accepted", 3, 3, 0),
        ("UB-VHTT", "ds.xlsx", "accepted", 2, 2, 0),
        ("UB-YT", "lap.ods", "rejected", 0, 0, 0),
    ]
    refused = rows(
        root,
        "select agency_code, check_code, value from dq.issues "
        "where check_code like 'file-too-many%' or check_code like 'file-csv%' order by agency_code",
    )
    assert refused == [
        ("UB-KT", "file-too-many-columns", None),
        ("UB-LDTBXH", "file-csv-quote-unbalanced", None),
        ("UB-QLDT", "file-too-many-cells", None),
        ("UB-TCKH", "file-too-many-cells", None),
        ("UB-YT", "file-too-many-columns", None),
    ]
    assert (
        "Dòng 5 của tệp mở dấu ngoặc kép"
        in rows(root, "select message_vi from dq.issues where agency_code = 'UB-LDTBXH'")[0][0]
    )
    # Every row is in exactly one place.
    assert rows(root, "select count(*) from core.staff") == [(sum(s[4] for s in submissions),)]
    assert rows(root, "select count(*) from dq.rejected_rows") == [(sum(s[5] for s in submissions),)]
    # Every file with an issue has its feedback, under a name of its own (the two copies are told they list the
    # same people; the workbook's list is older than two months); nothing is left to do.
    outbox = sorted(path.relative_to(root / "outbox").as_posix() for path in (root / "outbox").rglob("*.*"))
    assert outbox == [
        "UB-GDDT/a_b.csv.loi.xlsx",
        "UB-GDDT/a_b~ff79ce9d.csv.loi.xlsx",
        "UB-KT/o-xa.xlsx.loi.txt",
        "UB-LDTBXH/ghi-chu.csv.loi.txt",
        "UB-NV/ds.csv.loi.xlsx",
        "UB-QLDT/o-xa.xlsx.loi.txt",
        "UB-TCKH/o-xa.xlsx.loi.txt",
        "UB-TNMT/ky-tu.csv.loi.xlsx",
        "UB-TP/ban-sao.csv.loi.xlsx",
        "UB-VHTT/ds.xlsx.loi.xlsx",
        "UB-YT/lap.ods.loi.txt",
    ]
    assert rows(root, "select count(distinct submission_id) from dq.issues") == [(len(outbox),)]
    marked = openpyxl.load_workbook(root / "outbox" / "UB-TNMT" / "ky-tu.csv.loi.xlsx")
    assert marked["ky-tu"]["B3"].value == "Trần Thị\u2401 Bình 2"
    assert rows(root, "select count(*) from meta.pending_work where done_at is null") == [(0,)]

    before = counts(root / "warehouse.duckdb")
    again = staffq_run(root, marker, memory=COMMAND_MEMORY)

    assert again.returncode == 0, again.stderr
    assert "No new files" in again.stdout
    assert eventually_none_left(marker) == []
    after = counts(root / "warehouse.duckdb")
    assert after == before | {
        "dq.runs": before["dq.runs"] + 1,
        "dq.run_stages": before["dq.run_stages"] + len(NIGHT_STAGES),
    }


def test_a_worker_killed_while_judging_costs_its_file_alone(tmp_path):
    """A batch whose worker dies is judged again a file at a time: the file that kills its worker every time is
    returned with file-memory-limit; its neighbours in the batch load as if nothing had happened."""
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    shutil.copy(FIXTURES / "name_with_digits.csv", root / "inbox" / "UB-TP" / "chet.csv")
    marker = uuid.uuid4().hex

    night = staffq_run(root, marker, STAFFQ_FAULT_AT="judging chet.csv")

    assert night.returncode == 0, night.stderr
    assert rows(root, "select agency_code, status, rows_loaded from dq.submissions order by all") == [
        ("UB-NV", "accepted", 3),
        ("UB-TP", "rejected", 0),
    ]
    assert rows(root, "select check_code from dq.issues where agency_code = 'UB-TP'") == [("file-memory-limit",)]
    assert (root / "outbox" / "UB-TP" / "chet.csv.loi.txt").is_file()
    assert eventually_none_left(marker) == []


def test_a_command_killed_mid_night_leaves_no_process_behind(tmp_path):
    """staffq run killed with SIGKILL while a worker judges a file: its Prefect server and its workers go too."""
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    mark = tmp_path / "paused"
    marker = uuid.uuid4().hex
    command = subprocess.Popen(
        [STAFFQ, "run", "--workspace", str(root)],
        env=environment(marker, STAFFQ_PAUSE_AT="judging ds.csv", STAFFQ_PAUSE_MARK=str(mark)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert reached_pause(mark, command), "the run never reached the file"
        assert len(processes_marked(marker)) >= 3  # the command, its Prefect server, a worker
    finally:
        command.send_signal(signal.SIGKILL)
        command.wait()
    assert eventually_none_left(marker) == []


# ---- the worker pool ------------------------------------------------------------------------------------------


def _sleep_for_ever() -> None:
    time.sleep(3600)


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes << 20))


def _double(number: int) -> int:
    return 2 * number


def test_a_worker_over_its_limits_fails_its_own_call_and_the_pool_goes_on():
    limits = WorkerLimits(memory_mb=1024, seconds=3)
    with worker_pool(1, limits) as pool:
        assert pool.run(_sleep_for_ever, [()]) == [Failed("time", "stopped after 3 s")]
        assert pool.run(_allocate, [(4096,)]) == [Failed("memory", "over 1024 MB")]
        assert pool.run(_double, [(1,), (2,)]) == [2, 4]


# ---- what must follow the load --------------------------------------------------------------------------------


def test_feedback_that_cannot_be_written_is_written_by_the_next_run(tmp_path):
    """The outbox folder of one agency is read-only: its feedback waits, the other agency's is written, and the run
    says what was left; the next run, with the folder writable again, writes it."""
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "name_with_digits.csv", root / "inbox" / "UB-NV" / "ds.csv")
    shutil.copy(FIXTURES / "gender_invalid.csv", root / "inbox" / "UB-TP" / "ds.csv")
    marker = uuid.uuid4().hex

    with read_only(root / "outbox" / "UB-NV"):
        first = staffq_run(root, marker)

    assert first.returncode == 0, first.stderr
    assert "Not done, left for the next run (1)" in first.stdout
    assert (root / "outbox" / "UB-TP" / "ds.csv.loi.xlsx").is_file()
    assert rows(root, "select kind, attempts, last_error is not null from meta.pending_work where done_at is null") == [
        ("feedback", 1, True)
    ]

    second = staffq_run(root, marker)

    assert second.returncode == 0, second.stderr
    assert "No new files" in second.stdout and "Not done" not in second.stdout
    assert (root / "outbox" / "UB-NV" / "ds.csv.loi.xlsx").is_file()
    assert rows(root, "select count(*) from meta.pending_work where done_at is null") == [(0,)]
    # Tried once a night: by the night that loaded it, then by the next.
    assert rows(
        root,
        "select attempts, result from meta.pending_work join dq.submissions using (submission_id) "
        "where kind = 'feedback' and agency_code = 'UB-NV'",
    ) == [(2, "outbox/UB-NV/ds.csv.loi.xlsx")]


@pytest.fixture
def small_disk(tmp_path):
    """A 512 kB tmpfs: too small for the analysts' copy. Mounting needs root; without it the test is skipped."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_publishing_on_a_full_disk_is_done_by_the_next_run(tmp_path, small_disk):
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    published = small_disk / "staffq.duckdb"
    marker = uuid.uuid4().hex

    full = staffq_run(root, marker, STAFFQ_PATHS__PUBLISHED=str(published))

    assert full.returncode == 0, full.stderr
    assert "Not done, left for the next run" in full.stdout and "publishing staffq.duckdb" in full.stdout
    assert not published.exists()
    assert rows(root, "select status, rows_loaded from dq.submissions") == [("accepted", 3)]
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)

    again = staffq_run(root, marker, STAFFQ_PATHS__PUBLISHED=str(published))

    assert again.returncode == 0, again.stderr
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select count(*) from core.staff").fetchall() == [(3,)]
    assert rows(root, "select count(*) from meta.pending_work where done_at is null") == [(0,)]


def test_the_published_copy_is_what_was_published_whatever_an_analyst_wrote_to_it(tmp_path):
    """An analyst opened the copy read-write, changed it and left its log (.wal) behind: the next run, even one
    with nothing new, puts back what was published, read-only and without the log."""
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    marker = uuid.uuid4().hex
    assert staffq_run(root, marker).returncode == 0
    published = root / "staffq.duckdb"
    assert published.stat().st_mode & 0o777 == 0o444
    tamper = (
        "import duckdb, os, sys; c = duckdb.connect(sys.argv[1]); "
        'c.execute("insert into dq.runs (run_id, started_at, as_of_date, status) '
        "values ('x', now(), today(), 'x')\"); "
        "os._exit(0)"
    )
    published.chmod(0o644)  # as the analyst's own copy of the file would be; root ignores the mode anyway
    subprocess.run([sys.executable, "-c", tamper, str(published)], check=True)
    assert published.with_name("staffq.duckdb.wal").exists()

    again = staffq_run(root, marker)

    assert again.returncode == 0, again.stderr
    assert not published.with_name("staffq.duckdb.wal").exists()
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select count(*) from dq.runs where run_id = 'x'").fetchall() == [(0,)]
        assert connection.execute("select count(*) from core.staff").fetchall() == [(3,)]


# ---- inputs that are not settled, and staffq's own failures ---------------------------------------------------


def run_once_in_subprocess(root: Path, **environment: str) -> subprocess.CompletedProcess:
    """The nightly steps (tests/conftest.py run_once) in a fresh process, whose workers see `environment`."""
    code = "import sys; sys.path.insert(0, sys.argv[1]); from conftest import run_once; from pathlib import Path; "
    code += "run_once(Path(sys.argv[2]))"
    return subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), str(root)],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_file_staffq_fails_on_is_returned_as_its_own_fault_and_judged_again_next_run(tmp_path):
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    shutil.copy(FIXTURES / "name_with_digits.csv", root / "inbox" / "UB-TP" / "ds.csv")

    broken = run_once_in_subprocess(root, STAFFQ_RAISE_AT="judging ds.csv")

    assert broken.returncode == 0, broken.stderr
    assert rows(root, "select agency_code, status, rows_read from dq.submissions order by all") == [
        ("UB-NV", "rejected", 0),
        ("UB-TP", "rejected", 0),
    ]
    messages = rows(root, "select distinct check_code, message_vi from dq.issues")
    assert [code for code, _ in messages] == ["internal-error"]
    assert "không phải lỗi của đơn vị" in messages[0][1] and "InjectedFault" in messages[0][1]

    fixed = run_once_in_subprocess(root)

    assert fixed.returncode == 0, fixed.stderr
    assert rows(
        root, "select agency_code, status, rows_read from dq.submissions where status <> 'rejected' order by all"
    ) == [("UB-NV", "accepted", 3), ("UB-TP", "accepted_with_errors", 3)]


def test_a_file_that_changes_after_it_was_found_is_left_for_the_next_run(tmp_path):
    from flows import pipeline
    from flows.inbox import discover
    from flows.settings import Configuration

    root = tmp_path / "ws"
    create_workspace(root)
    inbox = root / "inbox" / "UB-NV"
    shutil.copy(FIXTURES / "valid_three_people.csv", inbox / "ds.csv")
    config = Configuration.load(root)
    workspace = config.workspace
    incoming, _ = discover(workspace, config.catalogue)
    (inbox / "ds.csv").write_bytes((inbox / "ds.csv").read_bytes() + b"4,Copy still arriving")

    judged = pipeline.judge(config, incoming, "run", dt.datetime(2025, 1, 15))

    assert judged == []
    assert not any(workspace.archive.iterdir())
    assert [item.file_name for item in discover(workspace, config.catalogue)[0]] == ["ds.csv"]
