"""`staffq check` as the clerk reads it: their own values, one block per problem at 80 columns, in Vietnamese
(English on request), judged as sent by the agency whose inbox folder holds the file."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from flows.cli.app import app
from flows.cli.console import CHECK_SHOWN_PROBLEMS
from flows.cli.init import create_workspace

runner = CliRunner()
# A title block naming Phòng Tư pháp over a unit cell naming it too: both are agency checks. As of today, which
# `check` takes as the day the list is received.
TITLED_LIST = (
    "PHÒNG TƯ PHÁP\n"
    f"DANH SÁCH CÔNG CHỨC - Tính đến ngày {dt.date.today():%d/%m/%Y}\n"
    "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Đơn vị,Đối tượng\n"
    "1,Nguyễn Văn An,15/08/1985,Nam,074085000123,Phòng Tư pháp,Công chức\n"
    "2,Trần Thị Bình,02/03/1990,Nữ,074190000456,,Công chức\n"
)


def check_at_80_columns(*arguments: str, cwd=None) -> subprocess.CompletedProcess:
    """The installed command in a terminal of 80 columns: rich reads COLUMNS when the console is made."""
    environment = {**os.environ, "COLUMNS": "80", "TERM": "dumb"}
    command = [str(Path(sys.executable).parent / "staffq"), "check", *arguments]
    return subprocess.run(command, capture_output=True, text=True, env=environment, cwd=cwd, timeout=120)


def test_the_clerk_reads_their_own_value_in_blocks_of_80_columns():
    result = check_at_80_columns(str(FIXTURES / "birth_date_impossible.csv"))
    assert result.returncode == 1, result.stderr
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert lines[:4] == [
        "birth_date_impossible.csv",
        "Đơn vị:       chưa rõ",
        "Kết quả:      Được tiếp nhận, có dòng bị trả lại: chỉ những dòng có lỗi bị trả",
        "              lại",
    ]
    assert "Số dòng:      đọc 3, nhận 2, trả lại 1" in lines
    block = lines[lines.index("LỖI · Dòng 3 · STT 2 · Trần Thị Bình") :][:6]
    assert block == [
        "LỖI · Dòng 3 · STT 2 · Trần Thị Bình",
        "  Cột: Ngày sinh",
        "  Giá trị: 31/02/1990",
        '  Ngày sinh "31/02/1990" là ngày không có thật (tháng 2/1990 chỉ có 28 ngày);',
        "  hãy kiểm tra lại ngày, tháng sinh.",
        "  [birth-date-nonexistent]",
    ]


def test_an_unreadable_file_is_explained_in_vietnamese_only(tmp_path):
    damaged = tmp_path / "danh_sach.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)  # a zip's first bytes, then nothing a zip holds
    result = check_at_80_columns(str(damaged))
    assert result.returncode == 2
    assert "Không mở được tệp" in result.stdout
    assert result.stderr == ""  # no library's English under the verdict


def test_english_on_request(monkeypatch):
    monkeypatch.setattr("flows.cli.app.out._width", 80)
    result = runner.invoke(app, ["check", str(FIXTURES / "birth_date_impossible.csv"), "--lang", "en"])
    lines = [line.rstrip() for line in result.output.splitlines()]
    assert "Result:    Accepted, with rows returned: only the rows with errors are returned" in lines
    assert "Rows:      3 read, 2 taken, 1 returned" in lines
    block = lines[lines.index("ERROR · Row 3 · No. 2 · Trần Thị Bình") :][:6]
    assert block == [
        "ERROR · Row 3 · No. 2 · Trần Thị Bình",
        "  Column: Ngày sinh",
        "  Value: 31/02/1990",
        '  The birth date "31/02/1990" does not exist (month 2/1990 has only 28 days);',
        "  check the day and month.",
        "  [birth-date-nonexistent]",
    ]
    assert runner.invoke(app, ["check", str(FIXTURES / "birth_date_impossible.csv"), "--lang", "fr"]).exit_code == 2


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "ws"
    create_workspace(root)
    return root


def report(*arguments: str) -> dict:
    result = runner.invoke(app, ["check", *arguments, "--json"])
    return json.loads(result.output)


def codes(checked: dict) -> list[str]:
    return [issue["check_code"] for issue in checked["issues"]]


def test_a_file_in_an_inbox_folder_is_judged_as_sent_by_that_agency(workspace, tmp_path, monkeypatch):
    sent = workspace / "inbox" / "UB-NV" / "2024" / "ds.csv"
    sent.parent.mkdir()
    sent.write_text(TITLED_LIST, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    checked = report(str(sent))
    assert (checked["file_name"], checked["agency"], checked["agency_name"], checked["agency_from"]) == (
        "ds.csv",
        "UB-NV",
        "Phòng Nội vụ",
        "inbox",
    )
    assert codes(checked) == ["file-agency-mismatch", "agency-row-mismatch"]
    # --agency wins over the folder.
    assert report(str(sent), "--agency", "UB-TP")["agency"] == "UB-TP"
    assert codes(report(str(sent), "--agency", "UB-TP")) == []
    # The same file named through --workspace from elsewhere, and from inside the workspace by a relative path.
    assert report(str(sent), "--workspace", str(workspace))["agency"] == "UB-NV"
    monkeypatch.chdir(workspace)
    assert report("inbox/UB-NV/2024/ds.csv")["agency"] == "UB-NV"


def test_without_an_agency_its_checks_are_skipped_with_one_note(tmp_path, monkeypatch):
    listed = tmp_path / "ds.csv"
    listed.write_text(TITLED_LIST, encoding="utf-8")
    no_category = tmp_path / "khong_doi_tuong.csv"
    no_category.write_text("STT,Họ và tên,Ngày sinh,Giới tính\n1,Nguyễn Văn An,15/08/1985,Nam\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    checked = report(str(listed))
    assert (checked["agency"], checked["agency_from"], checked["status"], codes(checked)) == (
        None,
        None,
        "accepted",
        [],
    )
    # A list without a category column is not reported uncategorised: its agency may give a default.
    assert codes(report(str(no_category))) == ["file-as-of-missing"]
    monkeypatch.setattr("flows.cli.app.out._width", 200)
    shown = runner.invoke(app, ["check", str(listed)]).output
    assert shown.count("Chưa rõ đơn vị gửi") == 1
    assert "()" not in shown and "không khớp" not in shown
    assert "Có thể gửi tệp này." in shown


def test_without_an_agency_a_wards_posts_are_known_and_not_held_to_another_levels_standards(tmp_path, monkeypatch):
    """ "Chủ tịch UBND phường" is a post of the wards' group: unknown without the group, or the city chairman's
    standards (advanced political theory), both false alarms for a ward's clerk who left out --agency."""
    ward = tmp_path / "ds_phuong.csv"
    ward.write_text(
        f"DANH SÁCH CÁN BỘ - Tính đến ngày {dt.date.today():%d/%m/%Y}\n"
        "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Đối tượng,Chức vụ,Trình độ chuyên môn,Lý luận chính trị\n"
        "1,Lâm Phương Loan,02/03/1975,Nữ,074175000456,Cán bộ,Chủ tịch UBND phường,Đại học,Trung cấp\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert codes(report(str(ward))) == []
    assert codes(report(str(ward), "--agency", "P-UYENHUNG")) == []
    # Sent by the city's government, the same post is the city chairman's, who needs advanced political theory.
    assert codes(report(str(ward), "--agency", "UB-VP")) == ["leader-political-theory-below-standard"]


def test_a_workspace_named_that_is_not_one_is_refused(tmp_path):
    result = runner.invoke(app, ["check", str(FIXTURES / "valid_three_people.csv"), "--workspace", str(tmp_path)])
    assert result.exit_code == 2


def test_json_carries_the_file_the_agency_and_both_messages_as_written():
    checked = report(str(FIXTURES / "national_id_too_short.csv"), "--agency", "UB-NV")
    assert (checked["file_name"], checked["agency"], checked["agency_from"]) == (
        "national_id_too_short.csv",
        "UB-NV",
        "option",
    )
    invalid = next(issue for issue in checked["issues"] if issue["check_code"] == "national-id-invalid")
    assert invalid["value"] in invalid["message_vi"] and invalid["value"] in invalid["message_en"]
    assert "*" not in json.dumps(checked)
    assert invalid["message_en"][0].isupper() and invalid["message_en"].endswith(".")


def test_check_shows_the_first_hundred_problems_and_how_to_see_the_rest(tmp_path, monkeypatch):
    rows = [f"{n},Nguyễn Văn {n},15/08/1985,Nam,Chuyên viên,Công chức" for n in range(1, 121)]
    listed = tmp_path / "ds.csv"
    listed.write_text("STT,Họ và tên,Ngày sinh,Giới tính,Chức vụ,Đối tượng\n" + "\n".join(rows) + "\n", "utf-8")
    issues = len(report(str(listed))["issues"])
    assert issues > CHECK_SHOWN_PROBLEMS

    monkeypatch.setattr("flows.cli.app.out._width", 200)
    first = runner.invoke(app, ["check", str(listed)]).output
    assert f"… và {issues - CHECK_SHOWN_PROBLEMS} vấn đề khác: --all để xem tất cả" in first
    assert first.count("CẢNH BÁO · ") + first.count("LỖI · ") == CHECK_SHOWN_PROBLEMS
    every = runner.invoke(app, ["check", str(listed), "--all"]).output
    assert "vấn đề khác" not in every and every.count("CẢNH BÁO · ") + every.count("LỖI · ") == issues
