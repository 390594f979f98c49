"""Shared fixtures: a real Prefect engine for the session, workspaces and tiny agency files on disk."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import hypothesis
import openpyxl
import pytest
import xlsxwriter

from flows import pipeline
from flows.inbox import discover
from flows.pending import finish_pending
from flows.settings import Configuration
from warehouse.database import connect

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = dt.date(2024, 12, 31)
TEMPLATE_HEADER = (
    "STT",
    "Họ và tên",
    "Ngày, tháng, năm sinh",
    None,
    "Số định danh cá nhân (CCCD)",
    "Chức vụ hoặc chức danh công tác",
    "Trình độ chuyên môn cao nhất",
    "Lý luận chính trị",
)
# No property test depends on wall-clock time: hypothesis's default deadline for each example fails tests on a
# loaded machine. A profile, so that it holds for every property test, present and future.
hypothesis.settings.register_profile("staffq", deadline=None)
hypothesis.settings.load_profile("staffq")


@pytest.fixture(scope="session")
def prefect_engine(tmp_path_factory):
    """One real Prefect server for the whole session, started as staffq starts its own (its database copied from the
    template, where Prefect's test harness would migrate a new one: seconds per test worker); results stay in a
    temporary folder."""
    from flows.cli.prefect_server import start_server

    home = tmp_path_factory.mktemp("prefect")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ["PREFECT_HOME"] = str(home)
    os.environ["PREFECT_RESULTS_LOCAL_STORAGE_PATH"] = str(home / "results")
    server = start_server(home / "server.log", ui=False)
    try:
        server.wait_until_healthy()
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield
    finally:
        server.stop()


def write_template_workbook(path: Path, rows: list[list], title_lines: tuple[str, ...] | None = None) -> Path:
    """An agency list in the official shape: title block, two-row merged header with Nam/Nữ birth columns,
    a row of column numbers, the data rows, a totals row and a signature block."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    if title_lines is None:
        title_lines = ("PHÒNG NỘI VỤ", "DANH SÁCH CÔNG CHỨC", "Tính đến ngày 31/12/2024")
    for line in title_lines:
        sheet.append([line])
    sheet.append([])
    sheet.append(list(TEMPLATE_HEADER))
    header_row = sheet.max_row
    sheet.append([None, None, "Nam", "Nữ"])
    for column in (1, 2, 5, 6, 7, 8):
        sheet.merge_cells(start_row=header_row, end_row=header_row + 1, start_column=column, end_column=column)
    sheet.merge_cells(start_row=header_row, end_row=header_row, start_column=3, end_column=4)
    sheet.append([f"({n})" for n in range(1, len(TEMPLATE_HEADER) + 1)])
    for row in rows:
        sheet.append(row)
    sheet.append([None, "Tổng cộng", None, None, None, None, None, len(rows)])
    sheet.append([])
    sheet.append([None, "NGƯỜI LẬP BIỂU", None, None, None, "THỦ TRƯỞNG ĐƠN VỊ"])
    sheet.append([None, "(Ký, ghi rõ họ tên)"])
    sheet.append([None, "Lê Thị Người Ký"])
    workbook.save(path)
    return path


def person(
    name: str,
    birth,
    female: bool = False,
    national_id: str | None = None,
    position: str = "Chuyên viên",
    education: str = "Đại học",
    theory: str = "Trung cấp",
    stt: int = 1,
) -> list:
    """One data row of write_template_workbook; the birth date goes under Nam or Nữ."""
    return [stt, name, None if female else birth, birth if female else None, national_id, position, education, theory]


# The stages of a night as dq.run_stages records them, in the order they run.
NIGHT_STAGES = ("discover", "judge", "earlier_work", "load", "indicators", "publish", "feedback", "alerts")


def counts(path) -> dict[str, int]:
    """Rows in every warehouse table, to show that a re-run adds nothing."""
    with connect(path, read_only=True) as connection:
        tables = connection.execute(
            "select schema_name || '.' || table_name from duckdb_tables() where schema_name <> 'meta'"
        ).fetchall()
        return {t: connection.execute(f"select count(*) from {t}").fetchall()[0][0] for (t,) in tables}


def copy_of(workspace: Path, tmp_path: Path) -> Path:
    """A copy of a workspace built once for a module, for one test to change as it likes: a night is costlier than
    copying what it made. The workspace holds no absolute path (the warehouse records archive paths relative to
    it), so the copy works where it lies."""
    return shutil.copytree(workspace, tmp_path / "ws", symlinks=True)


def run_once(root, as_of=AS_OF):
    """The nightly flow's steps, called directly (the Prefect flow is tested end to end elsewhere)."""
    config = Configuration.load(root)
    incoming, seen = discover(config.workspace, config.catalogue)
    run_id = pipeline.new_run_id()
    now = dt.datetime(2025, 1, 15, 8, 0)
    pipeline.open_run(config.workspace, run_id, None, now, as_of)
    finish_pending(config)
    submissions = pipeline.judge(config, incoming, run_id, now)
    pipeline.load(config, submissions, run_id, as_of, seen)
    finish_pending(config, run_id)
    return config.workspace


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` read-only: a read-only bind mount of it as root (root ignores a folder's mode), its mode otherwise;
    where root may not mount, a file stands in its place, which fails a write the same way."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
    elif subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True).returncode:
        folder.rmdir()
        folder.write_text("not a folder")
    try:
        yield
    finally:
        if folder.is_file():
            folder.unlink()
        elif os.geteuid() == 0:
            subprocess.run(["umount", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def list_with_cells(path: Path, columns: int, rows: int, *extra: tuple[int, int]) -> Path:
    """A list of `rows` x `columns` cells, plus one cell at each (row, column) of `extra`, 0-based, written into
    the sheet after the area it declares was computed: the sheet declares the list's area alone."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Danh sách")
    for row in range(rows):
        sheet.write_row(row, 0, [f"{row}-{column}" for column in range(columns)])
    workbook.close()
    cells = "".join(
        f'<row r="{row + 1}"><c r="{xlsxwriter.utility.xl_rowcol_to_cell(row, column)}" t="inlineStr">'
        "<is><t>x</t></is></c></row>"
        for row, column in extra
    )
    return with_rows_added(buffer.getvalue(), cells, path)


def with_rows_added(workbook: bytes, rows: str, path: Path) -> Path:
    """The workbook written to `path` with the XML `rows` added at the end of its first sheet's cells, behind the
    back of the writer, which computed the area the sheet declares without them."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            target.writestr(item, data, zipfile.ZIP_DEFLATED)
    return path
