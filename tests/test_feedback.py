"""The agency gets its own file back, bad cells marked and explained, formulas made harmless."""

import dataclasses
import datetime as dt
import os
import shutil
import subprocess

import openpyxl
import polars as pl
import pytest

from conftest import AS_OF, FIXTURES, copy_of, person, write_template_workbook
from flows import pipeline
from flows.cli.init import create_workspace
from flows.delivery.feedback import (
    MARKED_COPY_MAX_ROWS,
    PARALLEL_FEEDBACK_ROWS,
    feedback_processes,
    write_all_feedback,
    write_feedback,
)
from flows.delivery.issue_sheet import ISSUE_SHEET
from flows.inbox import discover
from flows.settings import Configuration, Settings
from schemas.rules.agencies import read_agencies
from warehouse.database import connect
from warehouse.queries import submission_issues
from warehouse.workspace import Workspace

LIMITS = Settings().limits.worker_limits()


@pytest.fixture(scope="module")
def judged_once(tmp_path_factory):
    """Files judged and loaded as the nightly flow does, once for the module: the workspace's root and the
    submissions keyed by agency."""
    root = tmp_path_factory.mktemp("judged") / "ws"
    create_workspace(root)
    inbox = root / "inbox"
    shutil.copy(FIXTURES / "kitchen_sink.csv", inbox / "UB-NV" / "ds.csv")
    rows = [
        person("Lê Văn 2", "01/01/1980", national_id="074080000111", stt=1),
        person("Trần Thị Bình", "31/02/1990", female=True, national_id="074190000456", stt=2),
        person("Phạm Văn Dũng", "01/05/1980", national_id="074080000999", stt=3),
        person("Đỗ Văn Hùng", "02/06/1981", national_id="074081000998", stt=4),
        person("Vũ Văn Khang", "03/07/1982", national_id="074082000997", stt=5),
    ]
    title = ("PHÒNG TƯ PHÁP", "DANH SÁCH CÔNG CHỨC", "Tính đến ngày 31/12/2024")
    workbook = openpyxl.load_workbook(write_template_workbook(inbox / "UB-TP" / "ds.xlsx", rows, title))
    workbook.active["J30"] = '=HYPERLINK("http://example.invalid","bấm vào đây")'
    workbook.save(inbox / "UB-TP" / "ds.xlsx")
    (inbox / "UB-KT" / "hong.xlsx").write_bytes(b"not a workbook")
    shutil.copy(FIXTURES / "missing_birth_date_column.csv", inbox / "UB-TCKH" / "ds.csv")
    config = Configuration.load(root)
    incoming, seen = discover(config.workspace, config.catalogue)
    run_id, now = pipeline.new_run_id(), dt.datetime(2025, 1, 15)
    submissions = pipeline.judge(config, incoming, run_id, now)
    pipeline.open_run(config.workspace, run_id, None, now, AS_OF)
    pipeline.load(config, submissions, run_id, AS_OF, seen)
    return root, {s.agency_code: s for s in submissions}


@pytest.fixture
def judged(judged_once, tmp_path):
    """The judged workspace, a copy of its own for each test, and its submissions keyed by agency."""
    root, submissions = judged_once
    return Workspace.at(copy_of(root, tmp_path)), submissions


def feedback(workspace, submission):
    """The one feedback file of a submission, its issues read from the warehouse as the flow does."""
    catalogue = read_agencies(workspace.agencies)
    return write_all_feedback(workspace, catalogue, [submission], LIMITS)[submission.submission_id]


def problem_list(sheet) -> list[dict]:
    """The problems listed in a "Lỗi" sheet, each as {column title: value}, below the summary."""
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if "Nội dung và cách sửa" in row)
    return [dict(zip(rows[header], row, strict=True)) for row in rows[header + 1 :]]


def summary(sheet) -> list[tuple]:
    """The lines above the problem list, each as its filled cells."""
    rows = []
    for row in sheet.iter_rows(values_only=True):
        if "Nội dung và cách sửa" in row:
            return rows
        rows.append(tuple(value for value in row if value is not None))
    raise AssertionError("no problem list")


def test_their_workbook_comes_back_with_each_bad_cell_marked(judged):
    workspace, submissions = judged
    path = feedback(workspace, submissions["UB-TP"])
    assert path == workspace.outbox / "UB-TP" / "ds.xlsx.loi.xlsx"
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == [ISSUE_SHEET, "Danh sách"]
    sheet = workbook["Danh sách"]
    assert sheet["B8"].comment.text == '• Họ và tên "Lê Văn 2" không hợp lệ (có chữ số hoặc ký tự lạ).'
    assert sheet["D9"].value == "31/02/1990"
    assert sheet["D9"].comment.text.startswith('• Ngày sinh "31/02/1990" là ngày không có thật')
    assert sheet["D9"].fill.start_color.rgb.endswith("FFC7CE")
    assert sheet["B10"].comment is None
    listed = [(p["Dòng"], p["Cột"], p["Giá trị đã ghi"], p["Mức độ"]) for p in problem_list(workbook[ISSUE_SHEET])]
    assert listed == [
        (8, "Họ và tên", "Lê Văn 2", "Lỗi (dòng bị trả lại)"),
        (9, "Ngày, tháng, năm sinh", "31/02/1990", "Lỗi (dòng bị trả lại)"),
    ]
    named = [(p["Dòng"], p["STT"], p["Họ và tên"]) for p in problem_list(workbook[ISSUE_SHEET])]
    assert named == [(8, "1", "Lê Văn 2"), (9, "2", "Trần Thị Bình")]


def test_a_formula_goes_back_as_inert_text(judged):
    workspace, submissions = judged
    sheet = openpyxl.load_workbook(feedback(workspace, submissions["UB-TP"]))["Danh sách"]
    assert sheet["J30"].data_type == "s"
    assert sheet["J30"].value == '=HYPERLINK("http://example.invalid","bấm vào đây")'


def test_a_csv_comes_back_as_a_workbook_of_its_cells(judged):
    workspace, submissions = judged
    workbook = openpyxl.load_workbook(feedback(workspace, submissions["UB-NV"]))
    assert workbook.sheetnames == [ISSUE_SHEET, "ds"]
    assert workbook["ds"]["B4"].value == "An"
    assert "chỉ có một từ" in workbook["ds"]["B4"].comment.text
    errors_first = [problem["Mức độ"] for problem in problem_list(workbook[ISSUE_SHEET])]
    assert errors_first == sorted(errors_first, key=lambda severity: not severity.startswith("Lỗi"))
    assert len(errors_first) == submissions["UB-NV"].issue_count


def test_an_unreadable_file_gets_a_short_explanation(judged):
    workspace, submissions = judged
    path = feedback(workspace, submissions["UB-KT"])
    assert path.name == "hong.xlsx.loi.txt"
    assert path.read_text(encoding="utf-8").startswith(
        "Tệp gửi lên không được tiếp nhận.\n\nĐơn vị: UB-KT – Phòng Kinh tế\nTệp: hong.xlsx\n\n- Không mở được tệp ("
    )


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (Debian package libreoffice-calc-nogui)")
def test_the_feedback_workbook_opens_in_libreoffice(judged, tmp_path):
    workspace, submissions = judged
    path = feedback(workspace, submissions["UB-TP"])
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = tmp_path / f"{path.stem}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000


def test_a_list_too_long_to_copy_gets_the_problem_sheet_alone(judged, monkeypatch):
    """Streamed by another writer, yet the same sheet as in a copied workbook: rows, fills, widths, heights."""
    workspace, submissions = judged
    copied = openpyxl.load_workbook(feedback(workspace, submissions["UB-NV"]))[ISSUE_SHEET]
    monkeypatch.setattr("flows.delivery.feedback.MARKED_COPY_MAX_ROWS", 2)
    workbook = openpyxl.load_workbook(feedback(workspace, submissions["UB-NV"]))
    assert workbook.sheetnames == [ISSUE_SHEET]
    alone = workbook[ISSUE_SHEET]
    assert len(problem_list(alone)) == submissions["UB-NV"].issue_count
    assert looks(alone) == looks(copied)
    assert sorted(map(str, alone.merged_cells.ranges)) == sorted(map(str, copied.merged_cells.ranges))
    # xlsxwriter stores a width with Excel's padding (16 characters: 16.71), openpyxl as given.
    assert widths(alone) == pytest.approx(widths(copied), abs=1)
    assert alone.freeze_panes == copied.freeze_panes and alone.page_setup.orientation == "landscape"


def looks(sheet) -> list:
    """What the clerk sees of a problem sheet: every value, the severity column's fill and the row heights (a row
    of the default height, 15 points, may say so or not)."""
    severity = list(sheet.iter_rows(values_only=True))[len(summary(sheet))].index("Mức độ")
    return [
        [cell.value for cell in row]
        + [row[severity].fill.fgColor.rgb[-6:], sheet.row_dimensions[row[0].row].height or 15]
        for row in sheet.iter_rows()
    ]


def widths(sheet) -> list[float]:
    return [sheet.column_dimensions[openpyxl.utils.get_column_letter(n)].width for n in range(1, sheet.max_column + 1)]


def test_the_problem_sheet_alone_keeps_formulas_and_links_as_text(judged, monkeypatch):
    monkeypatch.setattr("flows.delivery.feedback.MARKED_COPY_MAX_ROWS", 2)
    workspace, submissions = judged
    written = ['=cmd|"/c calc"!A1', "http://example.invalid/x", "Lê\x01Văn"]
    with connect(workspace.warehouse) as connection:
        for number, value in enumerate(written, start=1000):
            connection.execute(
                "insert into dq.issues select * replace (? as value, ? as issue_number) from dq.issues "
                "where submission_id = ? limit 1",
                [value, number, submissions["UB-NV"].submission_id],
            )
    sheet = openpyxl.load_workbook(feedback(workspace, submissions["UB-NV"]))[ISSUE_SHEET]
    value = list(sheet.iter_rows(values_only=True))[len(summary(sheet))].index("Giá trị đã ghi")
    cells = [row[value] for row in sheet.iter_rows(min_row=len(summary(sheet)) + 2)]
    assert {c.value for c in cells} >= {'=cmd|"/c calc"!A1', "http://example.invalid/x", "Lê\u2401Văn"}
    assert all(c.data_type == "s" for c in cells if c.value is not None)
    assert all(c.hyperlink is None for c in cells)


def test_feedback_is_shared_out_by_the_rows_to_write(judged):
    """Processes cost about a second to start: many tiny lists are written in this one, a few long lists by
    several; a list too long to copy weighs only its few issues."""
    _, submissions = judged
    base = submissions["UB-TP"]
    tiny = [dataclasses.replace(base, rows_loaded=5, rows_rejected=0) for _ in range(100)]
    long = [dataclasses.replace(base, rows_loaded=PARALLEL_FEEDBACK_ROWS, rows_rejected=0) for _ in range(3)]
    clean = dataclasses.replace(base, rows_loaded=10 * PARALLEL_FEEDBACK_ROWS, problems=())
    too_long = dataclasses.replace(base, rows_loaded=MARKED_COPY_MAX_ROWS + 1, rows_rejected=0)
    assert feedback_processes([*tiny, clean]) == 1
    assert feedback_processes(long) == min(3, os.cpu_count())
    assert feedback_processes(long[:1]) == 1
    assert feedback_processes([too_long] * 3) == 1


def test_many_files_get_the_same_feedback_from_several_processes(judged):
    """Past PARALLEL_FEEDBACK_ROWS rows per process, feedback is written by a pool: every file with issues gets
    its own, identical in content to the one written in this process."""
    workspace, submissions = judged
    base = submissions["UB-TP"]
    many = [
        dataclasses.replace(base, submission_id=f"s{i}", file_name=f"ds{i}.xlsx", rows_loaded=PARALLEL_FEEDBACK_ROWS)
        for i in range(4)
    ]
    assert feedback_processes(many) > 1
    with connect(workspace.warehouse) as connection:  # their issues: the same as the file they copy
        for submission in many:
            connection.execute(
                "insert into dq.issues select * replace (? as submission_id) from dq.issues where submission_id = ?",
                [submission.submission_id, base.submission_id],
            )
    written = write_all_feedback(workspace, read_agencies(workspace.agencies), [*many, submissions["UB-KT"]], LIMITS)
    assert len(written) == len(many) + 1
    alone = openpyxl.load_workbook(feedback(workspace, base))
    for i in (0, len(many) - 1):
        pooled = openpyxl.load_workbook(written[f"s{i}"])
        assert written[f"s{i}"] == workspace.outbox / "UB-TP" / f"ds{i}.xlsx.loi.xlsx"
        assert problem_list(pooled[ISSUE_SHEET]) == problem_list(alone[ISSUE_SHEET])
        for name in alone.sheetnames[1:]:
            assert list(pooled[name].values) == list(alone[name].values)


def test_the_problem_sheet_opens_with_what_became_of_the_list_and_what_to_do(judged):
    workspace, submissions = judged
    sheet = openpyxl.load_workbook(feedback(workspace, submissions["UB-TP"]))[ISSUE_SHEET]
    assert summary(sheet) == [
        ("KẾT QUẢ TIẾP NHẬN DANH SÁCH",),
        ("Đơn vị", "UB-TP – Phòng Tư pháp"),
        ("Tệp", "ds.xlsx (danh sách tính đến ngày 31/12/2024)"),
        ("Kết quả", "Được tiếp nhận, có dòng bị trả lại: chỉ những dòng có lỗi bị trả lại"),
        ("Số dòng", "đọc 5 dòng; nhận 3 dòng; trả lại 2 dòng"),
        (
            "Việc cần làm",
            "Sửa các dòng bị trả lại (ô tô màu đỏ) rồi gửi lại cả danh sách; danh sách mới sẽ thay danh sách này.",
        ),
        (),
    ]
    # The list's header stays in view and is printed on every page.
    assert sheet.freeze_panes == "A9" and sheet.print_title_rows == "$8:$8"


def test_a_list_returned_whole_says_why_and_never_that_a_row_is_taken(judged):
    workspace, submissions = judged
    assert submissions["UB-TCKH"].status == "rejected"
    sheet = openpyxl.load_workbook(feedback(workspace, submissions["UB-TCKH"]))[ISSUE_SHEET]
    lines = dict(line for line in summary(sheet) if len(line) == 2)
    assert lines["Kết quả"] == (
        'Bị trả lại cả danh sách: Thiếu cột bắt buộc "Ngày, tháng, năm sinh". Hãy thêm cột này theo mẫu.'
    )
    assert lines["Số dòng"] == "đọc 2 dòng; nhận 0 dòng; trả lại 2 dòng"
    assert lines["Việc cần làm"].startswith("Sửa các lỗi dưới đây rồi gửi lại cả danh sách")
    assert [p["Mức độ"] for p in problem_list(sheet)] == ["Lỗi của cả tệp", "Cảnh báo"]
    everything = [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None]
    assert not [text for text in everything if "vẫn được nhận" in text]


def test_each_problem_names_the_row_by_its_stt_and_the_persons_name(judged):
    """The STT as written and the person's name, as the reader gives them in `list_number` and `person_name`."""
    workspace, submissions = judged
    submission = submissions["UB-TP"]
    with connect(workspace.warehouse, read_only=True) as connection:
        issues = submission_issues(connection, [submission.submission_id])[submission.submission_id]
    issues = issues.with_columns(
        list_number=pl.Series(["1", "2"]), person_name=pl.Series(["Lê Văn 2", "Trần Thị Bình"])
    )
    sheet = openpyxl.load_workbook(write_feedback(workspace, submission, issues))[ISSUE_SHEET]
    assert [(p["Dòng"], p["STT"], p["Họ và tên"]) for p in problem_list(sheet)] == [
        (8, "1", "Lê Văn 2"),
        (9, "2", "Trần Thị Bình"),
    ]


def test_a_list_rebuilt_from_csv_reads_as_a_list(judged):
    """Widths from the cells, the header wrapped and frozen, IDs and dates formatted as text: fixing a row in Excel
    keeps "074085000002" and "15/08/1985" as typed."""
    workspace, submissions = judged
    sheet = openpyxl.load_workbook(feedback(workspace, submissions["UB-NV"]))["ds"]
    header = [cell.value for cell in sheet[2]]
    column = {title: openpyxl.utils.get_column_letter(header.index(title) + 1) for title in header if title}
    assert sheet.freeze_panes == "C3"
    assert sheet[f"{column['Họ và tên']}2"].font.bold and sheet[f"{column['Họ và tên']}2"].alignment.wrap_text
    assert sheet.column_dimensions[column["Họ và tên"]].width > sheet.column_dimensions[column["STT"]].width
    text_columns = [column[title] for title in ("Ngày sinh", "Số CCCD", "Ngày tuyển dụng", "Ngày vào Đảng")]
    assert {sheet[f"{letter}{row}"].number_format for letter in text_columns for row in (3, sheet.max_row)} == {"@"}
    assert sheet[f"{column['Họ và tên']}3"].number_format == "General"


def test_a_list_with_many_problems_gets_them_grouped_and_every_one_in_a_csv_beside(judged, monkeypatch):
    monkeypatch.setattr("flows.delivery.feedback.LISTED_ISSUES_MAX", 2)
    workspace, submissions = judged
    submission = submissions["UB-NV"]
    with connect(workspace.warehouse) as connection:
        connection.execute(
            "insert into dq.issues select * replace ('=1+1' as value, 1000 as issue_number) from dq.issues "
            "where submission_id = ? and row_number is not null limit 1",
            [submission.submission_id],
        )
    path = feedback(workspace, submission)
    sheet = openpyxl.load_workbook(path)[ISSUE_SHEET]
    full_list = path.with_name(path.name.removesuffix(".xlsx") + ".csv")

    assert full_list.read_bytes().startswith(b"\xef\xbb\xbf")
    every = pl.read_csv(full_list, infer_schema=False)
    assert every.height == submission.issue_count + 1
    assert "'=1+1" in every["Giá trị đã ghi"].to_list()
    assert (
        "Danh sách lỗi",
        f"{every.height} lỗi, gộp theo loại lỗi và cột ở bảng dưới đây; từng lỗi một, với "
        f"dòng, STT, họ và tên, có trong tệp {full_list.name} gửi kèm (mở bằng Excel).",
    ) in summary(sheet)
    groups = problem_list(sheet)
    assert sum(group["Số lỗi"] for group in groups) == every.height
    by_check = every.group_by("Mã lỗi", "Cột", "Trang tính").len()
    assert sorted((g["Mã lỗi"], g["Cột"], g["Số lỗi"]) for g in groups) == sorted(
        by_check.select("Mã lỗi", "Cột", "len").iter_rows()
    )
    # Errors first, each group naming its rows and quoting its first problems.
    severities = [group["Mức độ"].startswith("Lỗi") for group in groups]
    assert severities == sorted(severities, reverse=True)
    for group in groups:
        rows = every.filter(pl.col("Mã lỗi") == group["Mã lỗi"], pl.col("Cột").eq_missing(group["Cột"]))
        numbers = sorted({int(n) for n in rows["Dòng"].drop_nulls()})
        assert (group["Các dòng"] or "") == row_ranges(numbers)
        if numbers:
            assert group["Ví dụ"].startswith(f"dòng {numbers[0]}")


def row_ranges(numbers: list[int]) -> str:
    """How the clerk reads a group's rows: consecutive rows as one range."""
    parts, start = [], None
    for index, number in enumerate(numbers):
        if start is None:
            start = number
        if index + 1 == len(numbers) or numbers[index + 1] != number + 1:
            parts.append(f"{start}–{number}" if number > start else str(start))
            start = None
    return ", ".join(parts)
