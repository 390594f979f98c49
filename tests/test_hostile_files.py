"""Hostile files get a clear issue and have no effect beyond themselves: the night completes and every other
agency loads. Each file is written for real (openpyxl, zipfile, plain bytes); take a guard away and its test fails."""

import datetime as dt
import json
import logging
import os
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula
from typer.testing import CliRunner

from conftest import AS_OF, FIXTURES, person, run_once, write_template_workbook
from flows import pipeline
from flows.cli.app import app
from flows.cli.init import create_workspace
from flows.delivery.feedback import ISSUE_SHEET
from flows.inbox import discover
from flows.pending import finish_pending
from flows.settings import Configuration, Settings
from schemas.reading.limits import ReadLimits
from warehouse.database import connect
from warehouse.workspace import Workspace

GOOD_ROWS = [
    person("Phạm Văn Dũng", "01/05/1980", national_id="074080000999", stt=1),
    person("Đỗ Thị Hoa", "02/06/1981", female=True, national_id="074181000998", stt=2),
]
GOOD_TITLE = ("PHÒNG TƯ PHÁP", "DANH SÁCH CÔNG CHỨC", "Tính đến ngày 31/12/2024")
BAD_ROWS = [
    person("Vũ Văn Khang", "03/07/1982", national_id="074082000997", stt=1),
    person("Lê Văn 2", "01/01/1980", national_id="074080000111", stt=2),
]


def workspace_with(tmp_path: Path, **limits: object) -> Path:
    """A Tân Uyên workspace whose [limits] are set in its staffq.toml, and a good list from Phòng Tư pháp."""
    root = tmp_path / "ws"
    create_workspace(root)
    config = root / "staffq.toml"
    settings = "".join(f"{key} = {value}\n" for key, value in limits.items())
    config.write_text(config.read_text(encoding="utf-8").replace("[limits]\n", f"[limits]\n{settings}"), "utf-8")
    write_template_workbook(root / "inbox" / "UB-TP" / "ds.xlsx", GOOD_ROWS, GOOD_TITLE)
    return root


def night(root: Path) -> Workspace:
    """The nightly flow's steps called directly, as conftest.run_once does, then every agency's feedback."""
    config = Configuration.load(root)
    incoming, seen = discover(config.workspace, config.catalogue)
    run_id, now = pipeline.new_run_id(), dt.datetime(2025, 1, 15, 8, 0)
    submissions = pipeline.judge(config, incoming, run_id, now)
    pipeline.open_run(config.workspace, run_id, None, now, AS_OF)
    pipeline.load(config, submissions, run_id, AS_OF, seen)
    finish_pending(config)
    return config.workspace


def query(workspace: Workspace, sql: str) -> list[tuple]:
    with connect(workspace.warehouse, read_only=True) as connection:
        return connection.execute(sql).fetchall()


def submissions(workspace: Workspace) -> list[tuple]:
    return query(
        workspace,
        "select agency_code, file_name, status, rows_loaded, rows_rejected from dq.submissions "
        "order by agency_code, file_name",
    )


def outbox(workspace: Workspace) -> list[str]:
    return sorted(path.relative_to(workspace.outbox).as_posix() for path in workspace.outbox.rglob("*"))


def rewrite_parts(path: Path, **changes) -> Path:
    """Rewrite parts of a workbook's zip, each through a function of its bytes, as a hostile tool could."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for name, change in changes.items():
        parts[name] = change(parts.get(name, b""))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


# ---- 1. Size limits, checked before the file is read -------------------------------------------------------------


def test_files_over_the_read_limits_are_returned_unread_and_the_others_load(tmp_path):
    root = workspace_with(tmp_path, max_file_mb=0.05, max_unpacked_mb=2, max_cells=5000)
    inbox = root / "inbox"
    # 100 kB of a list that would load: over the 0.05 MB limit.
    header = (FIXTURES / "valid_three_people.csv").read_bytes()
    (inbox / "UB-NV" / "lon.csv").write_bytes(header + b"\n" * (100_000 - len(header)))
    # A zip bomb dressed as the official list: 4 MB of blanks inside its sheet pack into a few kB.
    bomb = write_template_workbook(inbox / "UB-YT" / "bom.xlsx", GOOD_ROWS)
    rewrite_parts(
        bomb, **{"xl/worksheets/sheet1.xml": lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 4 * 2**20)}
    )
    # A cell in column XFD, the last Excel has: 16,384 columns.
    wide = openpyxl.load_workbook(write_template_workbook(inbox / "UB-KT" / "rong.xlsx", GOOD_ROWS))
    wide.active["XFD20"] = "cuối"
    wide.save(inbox / "UB-KT" / "rong.xlsx")
    # A cell in H700: 700 rows x 8 columns = 5,600 cells.
    tall = openpyxl.load_workbook(write_template_workbook(inbox / "UB-TCKH" / "dai.xlsx", GOOD_ROWS))
    tall.active["H700"] = "cuối"
    tall.save(inbox / "UB-TCKH" / "dai.xlsx")
    # A CSV of 2,000 columns, which has no declared area: counted once parsed, before any cell is used.
    (inbox / "UB-VHTT" / "rong.csv").write_bytes(header.replace(b"\n", b"," * 1991 + b"\n", 1))
    assert bomb.stat().st_size < 50_000

    workspace = night(root)

    assert submissions(workspace) == [
        ("UB-KT", "rong.xlsx", "rejected", 0, 0),
        ("UB-NV", "lon.csv", "rejected", 0, 0),
        ("UB-TCKH", "dai.xlsx", "rejected", 0, 0),
        ("UB-TP", "ds.xlsx", "accepted", 2, 0),
        ("UB-VHTT", "rong.csv", "rejected", 0, 0),
        ("UB-YT", "bom.xlsx", "rejected", 0, 0),
    ]
    assert query(workspace, "select file_name, check_code, sheet, message_vi from dq.issues order by agency_code") == [
        (
            "rong.xlsx",
            "file-too-many-columns",
            "Danh sách",
            'Trang tính "Danh sách" có dữ liệu tới cột XFD (cột thứ 16384), vượt giới hạn 1024 cột nên tệp không '
            "được đọc. Hãy xóa các cột thừa bên phải danh sách rồi gửi lại.",
        ),
        (
            "lon.csv",
            "file-too-large",
            None,
            "Tệp nặng 0.1 MB, vượt giới hạn 0.05 MB nên không được đọc. Hãy xóa các trang tính, hình ảnh không cần "
            "thiết hoặc chia danh sách thành nhiều tệp rồi gửi lại.",
        ),
        (
            "dai.xlsx",
            "file-too-many-cells",
            "Danh sách",
            'Trang tính "Danh sách" có vùng dữ liệu A1:H700 (5600 ô), vượt giới hạn 5000 ô nên tệp không được đọc. '
            "Hãy xóa các dòng, cột trống thừa ở cuối danh sách hoặc chia danh sách thành nhiều tệp rồi gửi lại.",
        ),
        (
            "rong.csv",
            "file-too-many-columns",
            "rong",
            'Trang tính "rong" có dữ liệu tới cột BXX (cột thứ 2000), vượt giới hạn 1024 cột nên tệp không được '
            "đọc. Hãy xóa các cột thừa bên phải danh sách rồi gửi lại.",
        ),
        (
            "bom.xlsx",
            "file-unpacked-too-large",
            None,
            "Tệp Excel khi giải nén chứa hơn 2 MB dữ liệu (tệp nén bất thường) nên không được đọc. Hãy mở tệp, lưu "
            "lại dưới dạng Excel (.xlsx) rồi gửi lại.",
        ),
    ]
    # The feedback never opens a file refused unread: each gets the short explanation, not its workbook back.
    assert outbox(workspace) == [
        "UB-KT",
        "UB-KT/rong.xlsx.loi.txt",
        "UB-NV",
        "UB-NV/lon.csv.loi.txt",
        "UB-TCKH",
        "UB-TCKH/dai.xlsx.loi.txt",
        "UB-VHTT",
        "UB-VHTT/rong.csv.loi.txt",
        "UB-YT",
        "UB-YT/bom.xlsx.loi.txt",
    ]


def test_staffq_check_applies_the_workspace_limits(tmp_path):
    root = workspace_with(tmp_path, max_columns=8)
    path = write_template_workbook(tmp_path / "ds.xlsx", GOOD_ROWS)
    workbook = openpyxl.load_workbook(path)
    workbook.active["I20"] = "cột thứ chín"
    workbook.save(path)
    result = CliRunner().invoke(app, ["check", str(path), "--agency", "UB-TP", "--workspace", str(root), "--json"])
    report = json.loads(result.output)
    assert (result.exit_code, report["status"], report["rows_read"]) == (2, "rejected", 0)
    assert [(i["check_code"], i["sheet"], i["message_en"]) for i in report["issues"]] == [
        (
            "file-too-many-columns",
            "Danh sách",
            'Sheet "Danh sách" reaches column I (column 9), over the limit of 8 columns, so the file was not read. '
            "Delete the extra columns right of the list and send it again.",
        )
    ]
    elsewhere = CliRunner().invoke(app, ["check", str(path), "--agency", "UB-TP"])
    assert elsewhere.exit_code == 0


def test_the_limits_are_settings_with_defaults():
    assert Settings().limits.read_limits() == ReadLimits(
        max_file_mb=200.0, max_unpacked_mb=500.0, max_cells=10_000_000, max_columns=1_024
    )


# ---- 2. Symbolic links and names the warehouse cannot store ------------------------------------------------------


def test_a_symbolic_link_in_the_inbox_is_never_followed(tmp_path, caplog):
    root = workspace_with(tmp_path)
    outside = tmp_path / "ngoai"
    outside.mkdir()
    write_template_workbook(outside / "bi-mat.xlsx", [person("Người Ngoài", "01/01/1980", national_id="074080000777")])
    inbox = root / "inbox"
    (inbox / "UB-NV" / "lien-ket.xlsx").symlink_to(outside / "bi-mat.xlsx")
    (inbox / "UB-NV" / "thu-muc").symlink_to(outside, target_is_directory=True)
    shutil.rmtree(inbox / "UB-YT")
    (inbox / "UB-YT").symlink_to(outside, target_is_directory=True)
    os.mkfifo(inbox / "UB-NV" / "ong.csv")  # a pipe that nobody writes: reading it would wait for ever

    with caplog.at_level(logging.WARNING, logger="warehouse.workspace"):
        workspace = run_once(root)

    assert submissions(workspace) == [("UB-TP", "ds.xlsx", "accepted", 2, 0)]
    assert query(workspace, "select full_name from core.staff order by row_number") == [
        ("Phạm Văn Dũng",),
        ("Đỗ Thị Hoa",),
    ]
    assert len(list(workspace.archive.iterdir())) == 1
    assert [record.getMessage() for record in caplog.records] == [
        "inbox: 'UB-NV/thu-muc' is a symbolic link; it is not followed and not read",
        "inbox: 'UB-NV/lien-ket.xlsx' is a symbolic link; it is not followed and not read",
        "inbox: 'UB-YT' is a symbolic link; it is not followed and not read",
    ]


def test_a_file_name_that_is_not_utf8_is_left_alone_and_the_night_goes_on(tmp_path, caplog):
    root = workspace_with(tmp_path)
    # "Danh sách.csv" saved by an old Windows zip tool in code page 1258 (á is byte E1).
    latin = os.path.join(os.fsencode(root / "inbox" / "UB-NV"), b"Danh s\xe1ch.csv")
    shutil.copyfile(FIXTURES / "valid_three_people.csv", latin)

    with caplog.at_level(logging.WARNING, logger="warehouse.workspace"):
        workspace = run_once(root)

    assert submissions(workspace) == [("UB-TP", "ds.xlsx", "accepted", 2, 0)]
    assert [record.getMessage() for record in caplog.records] == [
        "inbox: 'UB-NV/Danh s\\udce1ch.csv' has a name that is not UTF-8; rename it to have it read"
    ]


# ---- 3. File and folder names: too long, control characters, leading dots ----------------------------------------


def test_odd_file_names_are_judged_and_answered_under_a_safe_name(tmp_path):
    root = workspace_with(tmp_path)
    inbox = root / "inbox"
    long_name = "Danh sách " + "x" * 235 + ".xlsx"
    assert (len(long_name), len(long_name.encode())) == (250, 251)
    write_template_workbook(inbox / "UB-NV" / long_name, BAD_ROWS)
    shutil.copy(FIXTURES / "name_with_digits.csv", inbox / "UB-YT" / "danh\nsach.csv")
    shutil.copy(FIXTURES / "gender_invalid.csv", inbox / "UB-KT" / "ds\x1b[2J.csv")
    other_rows = [
        person("Hồ Văn Nam", "04/08/1983", national_id="074083000996"),
        person("Ngô Thị 3", "05/09/1984", female=True, national_id="074184000995"),
    ]
    write_template_workbook(inbox / "UB-TCKH" / "..ds.xlsx", other_rows)
    (inbox / "UB\x1bX").mkdir()
    shutil.copy(FIXTURES / "valid_three_people.csv", inbox / "UB\x1bX" / "ds.csv")

    workspace = night(root)

    assert submissions(workspace) == [
        ("UB\x1bX", "ds.csv", "rejected", 0, 3),
        ("UB-KT", "ds\x1b[2J.csv", "accepted_with_errors", 2, 1),
        ("UB-NV", long_name, "accepted_with_errors", 1, 1),
        ("UB-TCKH", "..ds.xlsx", "accepted_with_errors", 1, 1),
        ("UB-TP", "ds.xlsx", "accepted", 2, 0),
        ("UB-YT", "danh\nsach.csv", "accepted_with_errors", 2, 1),
    ]
    shortened = "Danh sách " + "x" * 216 + "~63809707.xlsx.loi.xlsx"
    # A name made safe is told apart by a hash of the name as sent: "danh_sach.csv" would not share its file.
    assert outbox(workspace) == [
        "UB-KT",
        "UB-KT/ds_[2J~73f6f895.csv.loi.xlsx",
        "UB-NV",
        f"UB-NV/{shortened}",
        "UB-TCKH",
        "UB-TCKH/ds~f027437a.xlsx.loi.xlsx",
        "UB-YT",
        "UB-YT/danh_sach~ca8d9358.csv.loi.xlsx",
        "UB_X~11fe8e6c",
        "UB_X~11fe8e6c/ds.csv.loi.xlsx",
    ]
    assert len(f"{shortened}.part".encode()) <= 255
    answered = {}
    for path in workspace.outbox.rglob("*.xlsx"):
        workbook = openpyxl.load_workbook(path)
        rows = list(workbook[ISSUE_SHEET].iter_rows(values_only=True))
        header = next(i for i, row in enumerate(rows) if "Mã lỗi" in row)
        where = [rows[header].index(title) for title in ("Trang tính", "Dòng", "Mã lỗi")]
        listed = [tuple(row[i] for i in where) for row in rows[header + 1 :]]
        answered[path.parent.name.split("~")[0]] = (workbook.sheetnames, listed)
    assert answered == {
        # UB-KT and UB-YT list the same people: each is told so once the load finds it.
        "UB-KT": (
            ["Lỗi", "ds__2J"],
            [
                # The escape character the sheet's name holds, shown as its picture: nothing is dropped.
                ("ds\u241b[2J", 3, "gender-invalid"),
                (None, None, "file-as-of-missing"),
                ("ds\u241b[2J", 2, "person-in-other-agency"),
                ("ds\u241b[2J", 4, "person-in-other-agency"),
            ],
        ),
        "UB-NV": (["Lỗi", "Danh sách"], [("Danh sách", 9, "full-name-invalid")]),
        "UB-TCKH": (
            ["Lỗi", "Danh sách"],
            [("Danh sách", 9, "full-name-invalid"), (None, None, "file-agency-mismatch")],
        ),
        "UB-YT": (
            ["Lỗi", "danh_sach"],
            [
                ("danh\nsach", 3, "full-name-invalid"),
                (None, None, "file-as-of-missing"),
                ("danh\nsach", 2, "person-in-other-agency"),
                ("danh\nsach", 4, "person-in-other-agency"),
            ],
        ),
        "UB_X": (["Lỗi", "ds"], [(None, None, "file-agency-unknown"), (None, None, "file-as-of-missing")]),
    }


# ---- 4. SQL in headers, values and folder names is only ever text ------------------------------------------------


def test_sql_in_headers_values_and_folder_names_is_stored_as_text_and_never_runs(tmp_path):
    root = workspace_with(tmp_path)
    inbox = root / "inbox"
    drop_header = '"; drop table core.staff; --'
    delete_value = "'); delete from core.staff; --"
    odd_agency = "UB-NV'; drop table core.staff; --"
    path = write_template_workbook(inbox / "UB-NV" / "ds.xlsx", BAD_ROWS)
    workbook = openpyxl.load_workbook(path)
    workbook.active["I5"] = drop_header
    workbook.active["I8"] = "ghi chú"
    workbook.active["B9"] = delete_value
    workbook.save(path)
    (inbox / odd_agency).mkdir()
    write_template_workbook(inbox / odd_agency / "ds.xlsx", BAD_ROWS[:1])

    workspace = night(root)

    assert query(workspace, "select agency_code, full_name from core.staff order by agency_code, row_number") == [
        ("UB-NV", "Vũ Văn Khang"),
        ("UB-TP", "Phạm Văn Dũng"),
        ("UB-TP", "Đỗ Thị Hoa"),
    ]
    assert submissions(workspace) == [
        ("UB-NV", "ds.xlsx", "accepted_with_errors", 1, 1),
        (odd_agency, "ds.xlsx", "rejected", 0, 1),
        ("UB-TP", "ds.xlsx", "accepted", 2, 0),
    ]
    odd_ones = (
        "select agency_code, column_header, check_code, value from dq.issues "
        "where check_code in ('file-unknown-column', 'full-name-invalid', 'file-agency-unknown') order by all"
    )
    assert query(workspace, odd_ones) == [
        ("UB-NV", drop_header, "file-unknown-column", None),
        ("UB-NV", "Họ và tên", "full-name-invalid", delete_value),
        (odd_agency, None, "file-agency-unknown", None),
    ]
    rows = query(workspace, "select agency_code, row_number, raw from dq.rejected_rows order by all")
    rejected = {(agency, row): json.loads(raw) for agency, row, raw in rows}
    assert list(rejected) == [("UB-NV", 9), (odd_agency, 8)]
    # The row as written, kept as JSON: the odd header is a key, the odd value a value.
    assert (rejected["UB-NV", 9]["Họ và tên"], rejected["UB-NV", 9][drop_header]) == (delete_value, None)
    assert outbox(workspace) == ["UB-NV", odd_agency, f"{odd_agency}/ds.xlsx.loi.xlsx", "UB-NV/ds.xlsx.loi.xlsx"]


# ---- 5. Formulas: never evaluated, sent back as text -------------------------------------------------------------

_DDE_LINK = (
    b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<ddeLink ddeService="cmd" ddeTopic=" /C calc"><ddeItems><ddeItem name="A0" advise="1"/></ddeItems></ddeLink>'
    b"</externalLink>"
)
_RELATIONSHIPS = b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
_LINK_RELATIONSHIP = (
    b'<Relationship Id="rIdDde" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'externalLink" Target="externalLinks/externalLink1.xml"/></Relationships>'
)
_LINK_REFERENCE = (
    b'</sheets><externalReferences><externalReference xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
    b'2006/relationships" r:id="rIdDde"/></externalReferences>'
)
_LINK_TYPE = (
    b'<Override PartName="/xl/externalLinks/externalLink1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>'
)


def with_cached_value(cell: str, value: str):
    """A formula cell as Excel saves it, with the value it showed last; openpyxl writes the formula alone (an empty
    `<v/>`, or `<v></v>` when it writes through lxml)."""
    pattern = re.compile(rf'<c r="{cell}"([^>]*)>(<f>.*?</f>)<v(?:\s*/>|></v>)'.encode())
    return lambda xml: pattern.sub(
        lambda found: b'<c r="%s"%s t="str">%s<v>%s</v>' % (cell.encode(), found[1], found[2], value.encode()), xml
    )


def test_formulas_are_never_evaluated_and_go_back_as_inert_text(tmp_path):
    root = workspace_with(tmp_path)
    path = write_template_workbook(root / "inbox" / "UB-NV" / "ds.xlsx", BAD_ROWS)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    sheet["B8"] = '=HYPERLINK("http://evil.invalid","x")'
    sheet["F9"] = "=cmd|' /C calc'!A0"
    sheet["J30"] = ArrayFormula("J30", "=SUM(1,2)")
    workbook.save(path)
    # What Excel writes for =cmd|...: the cell, and a DDE link that offers to start cmd.exe when the file opens.
    rewrite_parts(
        path,
        **{
            "xl/worksheets/sheet1.xml": with_cached_value("B8", "Nguyễn Văn An"),
            "xl/externalLinks/externalLink1.xml": lambda _: _DDE_LINK,
            "xl/externalLinks/_rels/externalLink1.xml.rels": lambda _: _RELATIONSHIPS,
            "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(b"</Relationships>", _LINK_RELATIONSHIP),
            "xl/workbook.xml": lambda xml: xml.replace(b"</sheets>", _LINK_REFERENCE),
            "[Content_Types].xml": lambda xml: xml.replace(b"</Types>", _LINK_TYPE),
        },
    )

    workspace = night(root)

    # The value Excel showed is read; the formula itself never runs (HYPERLINK would have given "x").
    assert query(workspace, "select agency_code, full_name, position from core.staff order by all") == [
        ("UB-NV", "Nguyễn Văn An", "Chuyên viên"),
        ("UB-TP", "Phạm Văn Dũng", "Chuyên viên"),
        ("UB-TP", "Đỗ Thị Hoa", "Chuyên viên"),
    ]
    feedback = workspace.outbox / "UB-NV" / "ds.xlsx.loi.xlsx"
    returned = openpyxl.load_workbook(feedback)
    assert returned.sheetnames == [ISSUE_SHEET, "Danh sách"]
    assert [
        (returned["Danh sách"][cell].data_type, returned["Danh sách"][cell].value) for cell in ("B8", "F9", "J30")
    ] == [
        ("s", '=HYPERLINK("http://evil.invalid","x")'),
        ("s", "=cmd|' /C calc'!A0"),
        ("s", "=SUM(1,2)"),
    ]
    with zipfile.ZipFile(feedback) as archive:
        assert [name for name in archive.namelist() if "externalLink" in name] == []


# ---- 6. Script in a name shown by the HTML report ----------------------------------------------------------------


def test_a_script_in_an_agency_name_is_shown_as_text_in_the_html_report(tmp_path):
    root = workspace_with(tmp_path)
    # With a leader among the staff: the page's charts of leaders' shares fail on a city without one (a separate bug).
    leader = person("Phạm Văn Dũng", "01/05/1980", national_id="074080000999", position="Trưởng phòng")
    write_template_workbook(root / "inbox" / "UB-TP" / "ds.xlsx", [leader], GOOD_TITLE)
    agencies = root / "agencies.csv"
    agencies.write_text(
        agencies.read_text(encoding="utf-8").replace(",Phòng Y tế,", ",<script>alert(1)</script>,"), "utf-8"
    )
    workspace = run_once(root)
    page = tmp_path / "bao-cao.html"

    result = CliRunner().invoke(app, ["report", "--workspace", str(root), "--format", "html", "--out", str(page)])

    assert result.exit_code == 0, result.output
    assert query(workspace, "select agency_code from core.agencies where name = '<script>alert(1)</script>'") == [
        ("UB-YT",)
    ]
    text = page.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in text
    assert "Chưa có danh sách" in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
