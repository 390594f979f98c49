"""Each fixture carries one defect; the whole problem list is asserted, and the rows always add up."""

import datetime as dt
import json

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, person, write_template_workbook
from flows.judging_rules import JudgingRules
from flows.settings import Settings
from schemas.judging import validate
from schemas.judging.helper_columns import RAW
from schemas.judging.issues import ISSUE_SCHEMA
from schemas.judging.results import FileResult
from schemas.judging.validate import validate_file, validate_files
from schemas.reading.legacy_text import to_tcvn3, to_vni
from schemas.rules.agencies import read_agencies, shipped_agencies

RECEIVED = dt.date(2025, 1, 15)
AS_OF_MISSING = (None, None, "file-as-of-missing", None)


def check(path, agency="UB-NV") -> FileResult:
    catalogue = read_agencies(shipped_agencies("tan-uyen"))
    context = JudgingRules.of(Settings(privacy={"person_key_secret": "test"}), catalogue).context(agency, RECEIVED)
    result = validate_file(path, context)
    assert result.rows_read == result.staff.height + result.rejected.height
    return result


def problems(result: FileResult) -> list[tuple]:
    return [
        (i["row_number"], i["column_header"], i["check_code"], i["value"]) for i in result.issues.iter_rows(named=True)
    ]


@pytest.mark.parametrize(
    ("fixture", "status", "loaded", "rejected", "found"),
    [
        ("valid_three_people.csv", "accepted", 3, 0, []),
        ("names_in_nfd.csv", "accepted", 3, 0, []),
        ("semicolon_with_bom.csv", "accepted", 3, 0, []),
        ("unicode_text_utf16_tabs.txt", "accepted", 3, 0, []),
        ("windows_1258.csv", "accepted", 3, 0, []),
        (
            "birth_date_impossible.csv",
            "accepted_with_errors",
            2,
            1,
            [(3, "Ngày sinh", "birth-date-nonexistent", "31/02/1990")],
        ),
        ("name_with_digits.csv", "accepted_with_errors", 2, 1, [(3, "Họ và tên", "full-name-invalid", "Trần Thị 2")]),
        (
            "national_id_too_short.csv",
            "accepted_with_errors",
            2,
            1,
            [(3, "Số CCCD", "national-id-invalid", "74190000")],
        ),
        (
            "national_id_lost_leading_zero.csv",
            "accepted",
            3,
            0,
            [(3, "Số CCCD", "national-id-zero-restored", "74190000456")],
        ),
        ("duplicate_person.csv", "accepted_with_errors", 3, 1, [(5, "Số CCCD", "duplicate-in-file", "074085000123")]),
        ("gender_invalid.csv", "accepted_with_errors", 2, 1, [(3, "Giới tính", "gender-invalid", "K")]),
        (
            "staff_category_invalid.csv",
            "accepted_with_errors",
            2,
            1,
            [(3, "Đối tượng", "staff-category-invalid", "Tạm tuyển")],
        ),
        ("too_young.csv", "accepted_with_errors", 2, 1, [(3, "Ngày sinh", "birth-date-out-of-range", "02/03/2010")]),
        ("missing_birth_date_column.csv", "rejected", 0, 2, [(None, None, "file-missing-column", None)]),
        ("header_only.csv", "rejected", 0, 0, [(None, None, "file-no-data", None)]),
        ("excellent_over_cap.csv", "accepted", 3, 0, [(None, None, "evaluation-excellent-cap", None)]),
    ],
)
def test_each_defect_is_reported_where_the_clerk_sees_it(fixture, status, loaded, rejected, found):
    result = check(FIXTURES / fixture)
    assert (result.status, result.staff.height, result.rejected.height) == (status, loaded, rejected)
    assert sorted(problems(result), key=str) == sorted([AS_OF_MISSING, *found], key=str)


def test_the_kitchen_sink_trips_every_row_check_once():
    result = check(FIXTURES / "kitchen_sink.csv")
    assert (result.status, result.rows_read, result.staff.height, result.rejected.height) == (
        "accepted_with_errors",
        27,
        22,
        5,
    )
    assert problems(result) == [
        (4, "Họ và tên", "full-name-single-word", "An"),
        (5, "Giới tính", "gender-from-national-id", None),
        (6, "Số CCCD", "national-id-century", "074585000004"),
        (7, "Số CCCD", "national-id-legacy-cmnd", "281234567"),
        (8, "Số CCCD", "national-id-province-unknown", "099085000006"),
        (9, "Số CCCD", "national-id-gender-mismatch", "074085000007"),
        (10, "Số CCCD", "national-id-birth-year-mismatch", "074085000008"),
        (11, "Ngày tuyển dụng", "date-nonexistent", "32/13/2010"),
        (12, "Ngày tuyển dụng", "date-two-digit-year", "01/09/08"),
        (13, "Ngày tuyển dụng", "date-before-birth", "01/09/1980"),
        (14, "Ngày chính thức", "party-dates-order", "03/02/2011"),
        (15, "Trình độ chuyên môn", "vocab-unknown", "Bằng lái xe"),
        (16, "Trình độ chuyên môn", "vocab-wrong-column", "Cao cấp LLCT"),
        (17, "Lý luận chính trị", "vocab-in-progress", "Đang học cao cấp"),
        (18, "Chức vụ", "position-unknown", "Thủ kho"),
        (19, "Tình trạng", "status-left", "Nghỉ hưu"),
        (20, "Số CCCD", "national-id-reused", "074085000001"),
        (21, "Họ và tên", "possible-duplicate-in-file", "Nguyễn Văn An"),
        (21, "Số CCCD", "expected-missing", None),
        (22, "Họ và tên", "required-missing", None),
        (23, "Lý luận chính trị", "expected-missing", None),
        (24, "Ngày tuyển dụng", "date-after-as-of", "01/09/2030"),
        (25, "Ngày tuyển dụng", "hire-before-18", "01/09/2002"),
        (26, "Ngày vào Đảng", "party-join-before-18", "01/01/2002"),
        (27, "Ngày chính thức", "party-probation-short", "03/08/2010"),
        (28, "Ngày chính thức", "party-probation-long", "03/02/2014"),
        (29, "Đảng viên", "party-flag-conflict", "Không"),
    ]
    assert sorted(result.rejected["row_number"].to_list()) == [6, 13, 14, 20, 22]
    assert result.staff.filter(pl.col("row_number") == 5)["gender"].to_list() == ["female"]
    assert result.staff.filter(pl.col("row_number") == 19)["counts_in_headcount"].to_list() == [False]


def test_messages_are_in_vietnamese_with_the_value_and_the_earlier_row():
    result = check(FIXTURES / "duplicate_person.csv")
    issue = result.issues.filter(result.issues["check_code"] == "duplicate-in-file").row(0, named=True)
    assert issue["message_vi"] == "Người này đã có ở dòng 2 (cùng số định danh); mỗi người chỉ ghi một dòng."
    assert issue["message_en"] == "This person is already on row 2 (same ID); one row per person."


def test_names_are_stored_in_nfc():
    result = check(FIXTURES / "names_in_nfd.csv")
    assert result.staff["full_name"].to_list() == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]


def test_the_official_template_shape_is_read_below_its_title_block(tmp_path):
    rows = [
        person(
            "Nguyễn Văn An",
            dt.datetime(1980, 5, 1),
            national_id="074080000123",
            position="Trưởng phòng",
            education="Thạc sĩ",
            theory="Cao cấp",
            stt=1,
        ),
        person("Trần Thị Bình", "12/03/1990", female=True, national_id="074190000456", stt=2),
    ]
    result = check(write_template_workbook(tmp_path / "nv.xlsx", rows))
    assert result.status == "accepted"
    assert result.as_of_date == dt.date(2024, 12, 31)
    assert problems(result) == []
    staff = result.staff.select(
        "row_number",
        "full_name",
        "birth_date",
        "gender",
        "is_leader",
        "leader_level",
        "education_level",
        "political_theory",
        "staff_category",
    )
    assert staff.rows() == [
        (8, "Nguyễn Văn An", dt.date(1980, 5, 1), "male", True, "department", "master", "advanced", "civil_servant"),
        (
            9,
            "Trần Thị Bình",
            dt.date(1990, 3, 12),
            "female",
            False,
            "none",
            "university",
            "intermediate",
            "civil_servant",
        ),
    ]


def test_a_date_under_both_nam_and_nu_is_ambiguous(tmp_path):
    row = person("Trần Thị Bình", "12/03/1990", female=True, national_id="074190000456")
    row[2] = "12/03/1990"
    result = check(write_template_workbook(tmp_path / "both.xlsx", [row]))
    assert (result.status, result.rejected["row_number"].to_list()) == ("rejected", [8])
    assert [p[2] for p in problems(result)] == ["file-too-many-errors", "gender-ambiguous"]


def test_a_file_that_is_not_a_workbook_is_rejected_with_a_reason_in_vietnamese_only(tmp_path, caplog):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a zip archive" * 20)
    result = check(path)
    assert (result.status, result.rows_read) == ("rejected", 0)
    assert [p[2] for p in problems(result)] == ["file-unreadable"]
    # The clerk reads what to do; what the reader library said is for the operator: message_en and the log.
    issue = result.issues.row(0, named=True)
    assert issue["message_vi"] == (
        "Không mở được tệp (tệp bị hỏng hoặc không phải tệp Excel). Hãy lưu lại dưới dạng Excel (.xlsx) rồi gửi lại."
    )
    assert issue["message_en"].startswith("The file cannot be opened (the file is damaged or not an Excel file; ")
    assert "the reader said: " in issue["message_en"] and "the reader said: " in caplog.text


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        ("binary.csv", b"\x00\x01\x02" * 100),
        ("bad_utf8_bom.csv", b"\xef\xbb\xbfSTT,H\xe1\xbb\x8d v\xff\xfe"),
        ("scan.pdf", b"%PDF-1.4"),
        ("password.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
    ],
)
def test_every_unreadable_file_note_is_vietnamese_without_the_readers_words(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    issue = check(path).issues.row(0, named=True)
    assert issue["check_code"] == "file-unreadable"
    reason = issue["message_vi"].removeprefix("Không mở được tệp (").split(")")[0]
    english_words = {"error", "file", "zip", "invalid", "cannot", "the", "not", "xlsx", "calamine", "utf"}
    assert set(reason.lower().replace(",", " ").split()) & english_words == set(), reason


def test_an_unknown_agency_rejects_every_row(tmp_path):
    result = check(FIXTURES / "valid_three_people.csv", agency="UB-DANTOC")
    assert (result.status, result.rejected.height) == ("rejected", 3)
    assert "file-agency-unknown" in [p[2] for p in problems(result)]


def test_the_signer_below_the_table_is_not_a_person(tmp_path):
    rows = [person("Nguyễn Văn An", "01/05/1980", national_id="074080000123")]
    result = check(write_template_workbook(tmp_path / "one.xlsx", rows))
    assert result.staff["full_name"].to_list() == ["Nguyễn Văn An"]
    assert result.rows_read == 1


def test_file_level_realities_of_a_workbook(tmp_path):
    workbook = openpyxl.Workbook()
    help_sheet = workbook.active
    help_sheet.title = "Hướng dẫn"
    help_sheet.append(["Điền danh sách vào trang tiếp theo."])
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC PHƯỜNG"])
    sheet.append(["Tính đến ngày 31/12/2030"])
    sheet.append(
        ["STT", "Họ và tên", "Ngày tháng năm sinh", None, "Giới tính", "Số CCCD", "CCCD", "Sở thích", "Nơi sinh"]
    )
    sheet.append([None, None, "Nam", "Nữ"])
    sheet.merge_cells("C3:D3")
    sheet.append(["I.", "CÁN BỘ"])
    sheet.append([1, "Nguyễn Văn An", "15/08/1985", None, "Nam", "074085000001", None, "Đọc sách", "Bình Dương"])
    sheet.append(["II.", "CÔNG CHỨC"])
    sheet.append([2, "Trần Thị Bình", None, "02/03/1990", "Nam", "074190000002"])
    sheet.append([3, "Lê Văn Cường", "1975", None, "Nam", "079075000003"])
    sheet.append([None, "Tổng số", None, None, None, None, None, 5])
    workbook.create_sheet("Ghi chú").append(["Số liệu do phòng Nội vụ tổng hợp"])
    workbook.save(tmp_path / "phuong.xlsx")
    result = check(tmp_path / "phuong.xlsx", agency="P-THAIHOA")
    assert result.as_of_date == RECEIVED
    assert problems(result) == [
        (None, None, "file-as-of-future", "31/12/2030"),
        (None, "Sở thích", "file-unknown-column", None),
        (None, "Số CCCD", "file-duplicate-column", None),
        (None, None, "file-total-mismatch", "5"),
        (8, "Giới tính", "gender-conflict", "Nam"),
        (None, None, "file-sheet-skipped", None),
    ]
    assert result.staff.select("row_number", "staff_category").rows() == [(6, "cadre"), (9, "civil_servant")]
    assert result.rejected["row_number"].to_list() == [8]


def test_the_rating_year_comes_from_the_header_else_from_the_as_of_date():
    from_header = check(FIXTURES / "excellent_over_cap.csv")
    assert from_header.staff["evaluation_year"].to_list() == [2024, 2024, 2024]
    from_rule = check(FIXTURES / "kitchen_sink.csv")
    assert from_rule.staff["evaluation_year"].unique().to_list() == [None]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".xlsx", ".xls", ".csv"]))
def test_any_bytes_at_all_are_rejected_with_a_reason_never_a_crash(tmp_path, data, suffix):
    path = tmp_path / f"garbage{suffix}"
    path.write_bytes(data)
    result = check(path)
    assert result.status == "rejected"
    assert result.issues.filter(pl.col("severity") == "error").height >= 1


def test_a_file_that_breaks_staffq_mid_batch_is_rejected_alone(tmp_path, monkeypatch):
    """Typing and row checks run over the whole batch; a file whose rows make them fail (a bug, injected here as a
    typing that fails on one person) is rejected and logged, and the other files get the verdicts they get alone."""
    real = validate.type_records

    def failing_on_one_person(raw, *args):
        if raw[RAW.of("full_name")].str.contains("Lê Văn Lỗi").any():
            raise RuntimeError("a bug in typing")
        return real(raw, *args)

    monkeypatch.setattr(validate, "type_records", failing_on_one_person)
    catalogue = read_agencies(shipped_agencies("tan-uyen"))
    settings = Settings(privacy={"person_key_secret": "test"})
    breaking = tmp_path / "ds.csv"
    breaking.write_text(
        (FIXTURES / "valid_three_people.csv").read_text(encoding="utf-8").replace("Nguyễn Văn An", "Lê Văn Lỗi"),
        encoding="utf-8",
    )
    files = [FIXTURES / "valid_three_people.csv", breaking, FIXTURES / "name_with_digits.csv"]
    results = validate_files(
        [(path, JudgingRules.of(settings, catalogue).context("UB-NV", RECEIVED)) for path in files]
    )
    assert [(r.status, r.staff.height, r.rejected.height) for r in results] == [
        ("accepted", 3, 0),
        ("rejected", 0, 0),
        ("accepted_with_errors", 2, 1),
    ]
    assert results[1].issues["check_code"].to_list() == ["internal-error"]
    assert "RuntimeError" in results[1].issues["message_vi"][0]


def test_a_batch_keeps_each_files_verdict_its_own(tmp_path):
    catalogue = read_agencies(shipped_agencies("tan-uyen"))
    settings = Settings(privacy={"person_key_secret": "test"})
    files = ["valid_three_people.csv", "duplicate_person.csv", "name_with_digits.csv", "valid_three_people.csv"]
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"not a workbook")
    batch = [(FIXTURES / name, JudgingRules.of(settings, catalogue).context("UB-NV", RECEIVED)) for name in files]
    batch.insert(2, (broken, JudgingRules.of(settings, catalogue).context("UB-NV", RECEIVED)))
    results = validate_files(batch)
    assert [(r.status, r.staff.height, r.rejected.height) for r in results] == [
        ("accepted", 3, 0),
        ("accepted_with_errors", 3, 1),
        ("rejected", 0, 0),
        ("accepted_with_errors", 2, 1),
        ("accepted", 3, 0),
    ]
    assert [sorted(set(r.issues["check_code"]) - {"file-as-of-missing"}) for r in results] == [
        [],
        ["duplicate-in-file"],
        ["file-unreadable"],
        ["full-name-invalid"],
        [],
    ]


def test_people_with_little_data_are_reported_not_skipped(tmp_path):
    path = tmp_path / "thin.csv"
    path.write_text(
        "STT,Họ và tên,Ngày sinh,Giới tính,Chức vụ,Đối tượng,Ghi chú\n"
        "1,Nguyễn Văn An,15/08/1985,Nam,Chuyên viên,Công chức,\n"
        ",Trần Văn Bình,,,,,\n"
        "3,Lê Văn Cường,,Nam,Thủ trưởng đơn vị,Công chức,Người lập biểu\n"
        ",CÔNG CHỨC HỢP ĐỒNG,,,,,\n",
        encoding="utf-8",
    )
    result = check(path)
    assert result.rows_read == 3
    errors = result.issues.filter(pl.col("severity") == "error")
    assert errors.select("row_number", "check_code").rows() == [
        (None, "file-too-many-errors"),
        (3, "required-missing"),
        (3, "required-missing"),
        (4, "required-missing"),
    ]


def test_each_sheet_keeps_its_own_headers_and_total(tmp_path):
    workbook = openpyxl.Workbook()
    civil = workbook.active
    civil.title = "CC"
    civil.append(["Tính đến ngày 31/12/2024"])
    civil.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Dân tộc"])
    civil.append([1, "Nguyễn Văn An", "15/08/1985", "Nam", "074085000123", "Kinh"])
    civil.append([None, "Tổng số", None, None, None, 1])
    employees = workbook.create_sheet("VC")
    employees.append(["STT", "Họ và tên", "Năm sinh", "Giới tính", "Số CCCD"])
    employees.append([1, "Trần Thị Bình", "1990", "Nữ", "074190000456"])
    employees.append([2, "Lê Văn Cường", "31/02/1975", "Nam", "079075000789"])
    workbook.save(tmp_path / "two.xlsx")
    result = check(tmp_path / "two.xlsx")
    assert [(i["sheet"], i["row_number"], i["column_header"], i["check_code"]) for i in result.issues.to_dicts()] == [
        ("VC", 3, "Năm sinh", "birth-date-nonexistent")
    ]
    assert result.staff.select("sheet", "staff_category").rows() == [("CC", "civil_servant"), ("VC", "public_employee")]


def test_a_rejected_row_keeps_every_cell_even_under_repeated_headers(tmp_path):
    path = tmp_path / "repeat.csv"
    path.write_text(
        "STT,Họ và tên,Ngày sinh,Giới tính,Đối tượng,Ghi chú,Ghi chú\n1,Nguyễn Văn 2,15/08/1985,Nam,Công chức,a,b\n",
        encoding="utf-8",
    )
    raw = json.loads(check(path).rejected["raw"][0])
    assert raw == {
        "STT": "1",
        "Họ và tên": "Nguyễn Văn 2",
        "Ngày sinh": "15/08/1985",
        "Giới tính": "Nam",
        "Đối tượng": "Công chức",
        "Ghi chú": "a",
        "Ghi chú [cột 7]": "b",
    }


def test_issues_point_at_the_cell_in_the_clerks_sheet(tmp_path):
    rows = [
        person("Trần Thị Bình", "31/02/1990", female=True, national_id="074190000456", stt=1),
        person("Lê Văn 2", "01/01/1980", national_id="074080000111", stt=2),
    ]
    result = check(write_template_workbook(tmp_path / "cells.xlsx", rows))
    cells = [(i["row_number"], i["column_number"], i["check_code"]) for i in result.issues.to_dicts()]
    assert cells == [
        (None, None, "file-too-many-errors"),
        (8, 4, "birth-date-nonexistent"),
        (9, 2, "full-name-invalid"),
    ]


def test_fractions_excel_turned_into_dates_are_rebuilt_and_typos_get_a_suggestion(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Đối tượng", "Giáo dục phổ thông", "Bậc lương", "TĐCM"])
    sheet.append(
        [
            1,
            "Nguyễn Văn An",
            "15/08/1985",
            "Nam",
            "Công chức",
            dt.datetime(2024, 12, 12),
            dt.datetime(2024, 9, 4),
            "Đại họcc",
        ]
    )
    sheet.append([2, "Trần Văn Bình", "15/08/1986", "Nam", "Công chức", "12/12", "4/9", "Đại học"])
    workbook.save(tmp_path / "coerced.xlsx")
    result = check(tmp_path / "coerced.xlsx")
    assert result.staff.select("general_schooling", "salary_step").rows() == [("12/12", 4), ("12/12", 4)]
    messages = result.issues.filter(pl.col("row_number") == 2)["message_vi"].to_list()
    assert messages == [
        'Excel đã tự đổi ô "Bậc lương" thành ngày (04/09/2024); hệ thống hiểu là "4/9". Hãy định dạng cột là Văn bản.',
        'Excel đã tự đổi ô "Giáo dục phổ thông" thành ngày (12/12/2024); hệ thống hiểu là "12/12". '
        "Hãy định dạng cột là Văn bản.",
        'Giá trị "Đại họcc" ở cột "TĐCM" không có trong danh mục; hãy chọn theo danh sách của mẫu. '
        'Có phải là "Đại học"?',
    ]


@pytest.mark.parametrize(
    ("fixture", "encoding", "delimiter"),
    [
        ("valid_three_people.csv", "utf-8", ","),
        ("semicolon_with_bom.csv", "utf-8-sig", ";"),
        ("unicode_text_utf16_tabs.txt", "utf-16", "\t"),
        ("windows_1258.csv", "cp1258", ";"),
        ("tcvn3_font_text.csv", "latin-1", ","),
    ],
)
def test_text_files_say_how_they_were_decoded_and_read_the_same(fixture, encoding, delimiter):
    result = check(FIXTURES / fixture)
    assert (result.text_format.encoding, result.text_format.delimiter) == (encoding, delimiter)
    assert result.staff["full_name"].to_list() == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]


def test_a_legacy_xls_workbook_reads_like_its_xlsx_twin():
    result = check(FIXTURES / "saved_as_excel_97.xls")
    assert (result.status, result.as_of_date, problems(result)) == ("accepted", dt.date(2024, 12, 31), [])
    assert result.staff.select("row_number", "full_name", "birth_date", "birth_date_precision", "gender").rows() == [
        (8, "Nguyễn Văn An", dt.date(1980, 5, 1), "day", "male"),
        (9, "Trần Thị Bình", dt.date(1990, 3, 12), "day", "female"),
        (10, "Lê Văn Cường", dt.date(1975, 1, 1), "year", "male"),
    ]


@pytest.mark.parametrize(("encoding", "encode"), [("TCVN3", to_tcvn3), ("VNI", to_vni)])
def test_a_workbook_typed_in_a_legacy_font_is_read_as_unicode(tmp_path, encoding, encode):
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Chức vụ", "Đối tượng", "Trình độ chuyên môn"]
    rows = [
        [1, "Nguyễn Văn Đức", "15/08/1985", "Nam", "074085000123", "Trưởng phòng", "Công chức", "Thạc sĩ"],
        [2, "Trần Thị Hằng", "02/03/1990", "Nữ", "074190000456", "Chuyên viên", "Công chức", "Đại học"],
    ]
    workbook = openpyxl.Workbook()
    for row in [header, *rows]:
        workbook.active.append([encode(cell) if isinstance(cell, str) else cell for cell in row])
    workbook.save(tmp_path / "legacy.xlsx")
    result = check(tmp_path / "legacy.xlsx")
    assert [p[2] for p in problems(result)] == ["file-legacy-encoding", "file-as-of-missing"]
    assert result.issues["message_vi"][0].startswith(f"Tệp dùng bảng mã cũ {encoding} (")
    assert result.staff.select("full_name", "position", "education_level").rows() == [
        ("Nguyễn Văn Đức", "Trưởng phòng", "master"),
        ("Trần Thị Hằng", "Chuyên viên", "university"),
    ]


def test_unicode_names_that_are_also_legacy_codes_stay_as_written(tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_text(
        "STT,Họ và tên,Ngày sinh,Giới tính,Đối tượng,Quê quán\n"
        "1,Lê Văn Hoà,15/08/1985,Nam,Công chức,Thái Hòa\n"
        "2,Trần Hoàng,02/03/1990,Nam,Công chức,Vũng Tàu\n"
        "3,Vũ Thị Thò,01/01/1975,Nữ,Công chức,Sè\n",
        encoding="utf-8",
    )
    result = check(path)
    assert "file-legacy-encoding" not in result.issues["check_code"].to_list()
    assert result.staff.select("full_name", "home_town").rows() == [
        ("Lê Văn Hoà", "Thái Hòa"),
        ("Trần Hoàng", "Vũng Tàu"),
        ("Vũ Thị Thò", "Sè"),
    ]


def test_three_level_headers_and_tick_columns_yield_one_field_each(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Tính đến ngày 31/12/2024"])
    sheet.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", None, "Trình độ", None, None, None, "Đối tượng"])
    sheet.append([None, None, None, "Nam", "Nữ", "Chuyên môn", "Chính trị", None, None])
    sheet.append([None, None, None, None, None, None, "Cao cấp", "Trung cấp", "Sơ cấp"])
    for merged in ("A2:A4", "B2:B4", "C2:C4", "D2:E2", "D3:D4", "E3:E4", "F2:I2", "F3:F4", "G3:I3", "J2:J4"):
        sheet.merge_cells(merged)
    sheet.append([1, "Nguyễn Văn An", "15/08/1985", "x", None, "Thạc sĩ", "x", None, None, "Công chức"])
    sheet.append([2, "Trần Thị Bình", "02/03/1990", None, "x", "Đại học", None, "x", "x", "Công chức"])
    sheet.append([3, "Lê Văn Cường", "1975", "1", "0", "Đại học", "0", "Không", "-", "Công chức"])
    workbook.save(tmp_path / "ticks.xlsx")
    result = check(tmp_path / "ticks.xlsx")
    assert problems(result) == [(7, "Trình độ › Chính trị", "expected-missing", None)]
    assert result.staff.select("gender", "education_level", "political_theory").rows() == [
        ("male", "master", "advanced"),
        ("female", "university", "intermediate"),
        ("male", "university", None),
    ]


def test_a_mac_workbook_reads_its_serial_numbers_in_the_1904_system(tmp_path):
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    workbook = openpyxl.Workbook()
    workbook.epoch = CALENDAR_MAC_1904
    workbook.active.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Đối tượng"])
    workbook.active.append([1, "Nguyễn Văn An", dt.datetime(1985, 8, 15), "Nam", "Công chức"])
    workbook.active.append([2, "Trần Văn Bình", 29812, "Nam", "Công chức"])
    workbook.save(tmp_path / "mac.xlsx")
    result = check(tmp_path / "mac.xlsx")
    assert result.staff["birth_date"].to_list() == [dt.date(1985, 8, 15), dt.date(1985, 8, 15)]


def test_a_title_naming_another_agency_is_flagged(tmp_path):
    rows = [person("Nguyễn Văn An", "01/05/1980", national_id="074080000123")]
    path = write_template_workbook(tmp_path / "sai.xlsx", rows)
    assert [p[2] for p in problems(check(path, agency="UB-NV"))] == []
    mismatch = check(path, agency="UB-TP").issues.row(0, named=True)
    assert (mismatch["check_code"], mismatch["message_vi"]) == (
        "file-agency-mismatch",
        'Tên đơn vị ở phần tiêu đề ("Phòng Nội vụ") không khớp với đơn vị gửi tệp (Phòng Tư pháp).',
    )


def test_hidden_rows_and_columns_are_read_like_the_others(tmp_path):
    rows = [
        person("Nguyễn Văn An", "01/05/1980", national_id="074080000123", stt=1),
        person("Trần Văn Bình", "02/06/1981", national_id="074081000124", stt=2),
    ]
    workbook = openpyxl.load_workbook(write_template_workbook(tmp_path / "hidden.xlsx", rows))
    workbook.active.row_dimensions[9].hidden = True
    workbook.active.column_dimensions["E"].hidden = True
    workbook.save(tmp_path / "hidden.xlsx")
    result = check(tmp_path / "hidden.xlsx")
    assert result.staff.select("full_name", "national_id").rows() == [
        ("Nguyễn Văn An", "074080000123"),
        ("Trần Văn Bình", "074081000124"),
    ]


def test_past_retirement_age_is_a_warning_unless_an_extension_is_in_force(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text(
        "Tính đến ngày 31/12/2024\n"
        "STT,Họ và tên,Ngày sinh,Giới tính,Đối tượng,Kéo dài thời gian công tác đến\n"
        "1,Nguyễn Văn An,15/10/1964,Nam,Công chức,\n"
        "2,Trần Văn Bình,15/03/1963,Nam,Công chức,\n"
        "3,Lê Thị Cúc,01/1968,Nữ,Công chức,31/12/2025\n",
        encoding="utf-8",
    )
    result = check(path)
    assert result.staff.select("retirement_date", "past_retirement_age").rows() == [
        (dt.date(2026, 4, 30), False),
        (dt.date(2023, 12, 31), True),
        (dt.date(2024, 5, 31), False),
    ]
    assert result.issues.select("row_number", "message_vi").rows() == [
        (
            4,
            "Đã quá tuổi nghỉ hưu (đủ 60 tuổi 9 tháng vào tháng 12/2023) nhưng không có thời hạn kéo dài thời gian "
            "công tác còn hiệu lực.",
        )
    ]


def test_pay_plan_leader_column_and_rating_year_checks():
    result = check(FIXTURES / "cycle_checks.csv")
    rating = "Xếp loại chất lượng năm 2023"
    # The rating year is the header's, so every row has the same warning: said once, for the column.
    assert problems(result) == [
        (None, rating, "file-warning-on-most-rows", "Hoàn thành tốt nhiệm vụ"),
        (4, "Hệ số lương", "number-invalid", "ba phẩy"),
        (5, "Bậc lương", "salary-step-invalid", "10/9"),
        (6, "Lãnh đạo, quản lý", "leader-flag-override", "x"),
        (7, "Chức danh quy hoạch", "planning-title-missing", None),
        (
            8,
            "Chức danh quy hoạch",
            "planning-too-many-titles",
            "Trưởng phòng; Phó Trưởng phòng; Chánh Văn phòng; Chánh Thanh tra",
        ),
    ]
    assert result.issues.filter(pl.col("row_number").is_null())["message_vi"].to_list() == [
        f'Cảnh báo lặp lại ở 6/6 dòng của cột "{rating}" (nêu một lần cho cả cột): Kết quả đánh giá là của năm '
        "2023, không phải năm 2024 (năm cần báo cáo của danh sách tính đến ngày 31/12/2024); hãy ghi kết quả đánh "
        "giá năm 2024 và sửa năm ở tiêu đề cột."
    ]
    assert result.staff["is_leader"].to_list() == [False, False, False, True, False, False]


def test_leaders_are_held_to_the_title_standards_of_their_post(tmp_path):
    path = tmp_path / "standards.csv"
    path.write_text(
        "STT,Họ và tên,Ngày sinh,Giới tính,Chức vụ,Đối tượng,Trình độ chuyên môn,Lý luận chính trị,"
        "Quản lý nhà nước,Tin học\n"
        "1,Nguyễn Văn An,15/08/1985,Nam,Trưởng phòng,Công chức,Đại học,Trung cấp,Chuyên viên,Ứng dụng CNTT cơ bản\n"
        "2,Trần Văn Bình,15/08/1986,Nam,Phó Trưởng phòng,Công chức,Đại học,Sơ cấp,Chuyên viên,Ứng dụng CNTT cơ bản\n"
        "3,Lê Văn Cường,15/08/1987,Nam,Chuyên viên,Công chức,Cao đẳng,Sơ cấp,,\n",
        encoding="utf-8",
    )
    result = check(path)
    assert result.staff["meets_title_standards"].to_list() == [True, False, None]
    standards = result.issues.filter(pl.col("check_code").str.starts_with("leader-"))
    assert standards.select("row_number", "check_code", "message_vi").rows() == [
        (
            3,
            "leader-political-theory-below-standard",
            'Chức vụ "Phó Trưởng phòng" yêu cầu lý luận chính trị tối thiểu là "Trung cấp"; hiện ghi "Sơ cấp".',
        )
    ]


def test_a_list_much_older_than_its_receipt_is_flagged_stale(tmp_path):
    path = tmp_path / "stale.csv"
    path.write_text(
        "Tính đến ngày 31/10/2024\n"
        "STT,Họ và tên,Ngày sinh,Giới tính,Đối tượng\n"
        "1,Nguyễn Văn An,15/08/1985,Nam,Công chức\n",
        encoding="utf-8",
    )
    issue = check(path).issues.row(0, named=True)
    assert (issue["check_code"], issue["message_vi"]) == (
        "file-as-of-stale",
        "Số liệu tính đến ngày 31/10/2024, cũ hơn 76 ngày so với ngày nhận tệp.",
    )


def test_grades_are_checked_against_the_catalogue_and_bucketed_for_form_bm01():
    result = check(FIXTURES / "grade_and_planning_checks.csv")
    assert problems(result) == [
        (4, "Mã ngạch", "grade-code-name-mismatch", "01.003"),
        (5, "Mã ngạch", "grade-code-unknown", "01.009"),
        (6, "Bậc lương", "salary-step-over-max", "10"),
        (7, "Hệ số lương", "salary-coefficient-mismatch", "4,50"),
        (8, "Giáo dục phổ thông", "general-schooling-invalid", "lớp 12"),
        (10, "Quy hoạch", "planning-age", "x"),
        (11, "Kỷ luật", "planning-disciplined", "Khiển trách"),
    ]
    messages = dict(zip(result.issues["check_code"], result.issues["message_vi"], strict=True))
    assert messages["grade-code-name-mismatch"] == (
        'Mã ngạch 01.003 là "Chuyên viên", khác với tên ngạch đã ghi "Chuyên viên chính"; '
        "hãy sửa mã hoặc tên ngạch cho khớp."
    )
    # Chuyên viên chính (A2.1): 4,40 + 2 × 0,34 = 5,08 at step 3.
    assert messages["salary-coefficient-mismatch"] == (
        "Hệ số lương 4,50 không khớp với ngạch Chuyên viên chính bậc 3 (đúng là 5,08)."
    )
    assert messages["salary-step-over-max"] == "Bậc 10 vượt quá số bậc của ngạch Chuyên viên (9 bậc)."
    # The next term after 31/12/2024 is 2025–2030; a woman born in 03/1972 reaches 58 years 4 months in 07/2030,
    # before it ends.
    assert messages["planning-age"] == (
        "Không còn đủ tuổi công tác trọn nhiệm kỳ 2025–2030 (đến tuổi nghỉ hưu vào tháng 07/2030)."
    )
    assert result.staff["grade_bucket"].to_list() == ["cv", "cv", "cv", "cv", "cvc", "cvc", "cv", "cvc", "cs"]
    assert result.staff["salary_step_max"].to_list() == [9, 9, 9, 9, 8, None, None, 8, 12]


def test_people_in_the_plan_are_measured_against_the_standards_of_the_title_planned(tmp_path):
    path = tmp_path / "planned.csv"
    path.write_text(
        "STT,Họ và tên,Ngày sinh,Giới tính,Chức vụ,Đối tượng,Trình độ chuyên môn,Lý luận chính trị,"
        "Quản lý nhà nước,Tin học,Quy hoạch,Chức danh quy hoạch\n"
        "1,Nguyễn Văn An,15/08/1985,Nam,Chuyên viên,Công chức,Đại học,Trung cấp,Chuyên viên,Ứng dụng CNTT cơ bản,"
        "x,Phó Trưởng phòng\n"
        "2,Trần Văn Bình,15/08/1986,Nam,Chuyên viên,Công chức,Đại học,Sơ cấp,Chuyên viên,Ứng dụng CNTT cơ bản,"
        "x,Phó Trưởng phòng; Trưởng phòng\n"
        "3,Lê Văn Cường,15/08/1987,Nam,Chuyên viên,Công chức,Đại học,Trung cấp,Chuyên viên,Ứng dụng CNTT cơ bản,,\n",
        encoding="utf-8",
    )
    result = check(path)
    # A department deputy needs university, intermediate theory, specialist state management and basic IT (the
    # default table); Bình has elementary theory only; Cường is not in the plan.
    assert result.staff["meets_planned_title_standards"].to_list() == [True, False, None]


def test_a_row_whose_unit_is_another_agency_is_flagged_and_still_counted():
    result = check(FIXTURES / "unit_of_another_agency.csv", agency="UB-NV")
    assert (result.status, result.staff.height) == ("accepted", 4)
    mismatches = result.issues.filter(pl.col("check_code") == "agency-row-mismatch")
    assert mismatches.select("row_number", "column_header", "severity", "message_vi").rows() == [
        (
            2,
            "Đơn vị",
            "warning",
            'Đơn vị ghi ở dòng này ("Phòng Tư pháp") là cơ quan khác trong danh mục (Phòng Tư pháp); dòng vẫn được '
            "tính cho Phòng Nội vụ.",
        )
    ]


def test_row_issues_name_the_row_by_its_stt_and_name_and_file_issues_name_none(tmp_path):
    rows = [
        person("Trần Thị Bình", "15/08/1990", female=True, national_id="074190000456", stt=7),
        person("Lê Văn 2", "01/01/1980", national_id="074080000111", stt=8),
        person("Phạm Văn Cường", "01/01/1980", national_id="074080000222", stt=9),
    ]
    result = check(write_template_workbook(tmp_path / "names.xlsx", rows))
    named = result.issues.select("row_number", "list_number", "person_name", "check_code").rows()
    assert named == [(9, "8", "Lê Văn 2", "full-name-invalid")]
    assert result.issues.schema == pl.Schema(ISSUE_SCHEMA)


def test_a_list_without_an_stt_column_names_the_person_only(tmp_path):
    path = tmp_path / "no_stt.csv"
    path.write_text(
        "Họ và tên,Ngày sinh,Giới tính,Đối tượng\nNguyễn Văn 2,15/08/1985,Nam,Công chức\n", encoding="utf-8"
    )
    assert check(path).issues.filter(pl.col("row_number").is_not_null()).select(
        "list_number", "person_name", "check_code"
    ).rows() == [(None, "Nguyễn Văn 2", "full-name-invalid")]


def test_a_day_the_calendar_has_not_is_told_apart_from_text_that_is_no_date(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text(
        "Tính đến ngày 31/12/2024\n"
        "STT,Họ và tên,Ngày sinh,Giới tính,Đối tượng,Ngày tuyển dụng\n"
        "1,Nguyễn Văn An,30/02/1970,Nam,Công chức,01/09/1995\n"
        "2,Trần Văn Bình,15/13/1988,Nam,Công chức,01/09/2010\n"
        "3,Lê Văn Cường,không rõ,Nam,Công chức,01/09/2010\n"
        "4,Phạm Văn Dũng,29/02/1984,Nam,Công chức,31/04/2010\n"
        "5,Hoàng Văn Em,00/05/1984,Nam,Công chức,01/09/2010\n",
        encoding="utf-8",
    )
    result = check(path)
    row_issues = result.issues.filter(pl.col("row_number").is_not_null())
    assert row_issues.select("row_number", "check_code", "severity", "message_vi").rows() == [
        (
            3,
            "birth-date-nonexistent",
            "error",
            'Ngày sinh "30/02/1970" là ngày không có thật (tháng 2/1970 chỉ có 28 ngày); hãy kiểm tra lại ngày, '
            "tháng sinh.",
        ),
        (
            4,
            "birth-date-nonexistent",
            "error",
            'Ngày sinh "15/13/1988" là ngày không có thật (không có tháng 13); hãy kiểm tra lại ngày, tháng sinh.',
        ),
        (
            5,
            "birth-date-invalid",
            "error",
            'Ngày sinh "không rõ" không đúng định dạng; ghi ngày/tháng/năm (ví dụ 15/08/1985) hoặc chỉ năm sinh '
            "(1985).",
        ),
        (
            6,
            "date-nonexistent",
            "warning",
            'Ngày tuyển dụng "31/04/2010" là ngày không có thật (tháng 4/2010 chỉ có 30 ngày); hãy kiểm tra lại '
            "ngày, tháng.",
        ),
        (
            7,
            "birth-date-nonexistent",
            "error",
            'Ngày sinh "00/05/1984" là ngày không có thật (không có ngày 0); hãy kiểm tra lại ngày, tháng sinh.',
        ),
    ]
    assert result.issues.filter(pl.col("row_number") == 3)["message_en"].to_list() == [
        'The birth date "30/02/1970" does not exist (month 2/1970 has only 28 days); check the day and month.'
    ]


def test_a_list_headed_with_the_current_legal_names_is_read_whole(tmp_path):
    path = tmp_path / "legal_names.csv"
    header = [
        "STT", "Họ và tên", "Ngày, tháng, năm sinh", "Giới tính", "Số định danh cá nhân", "Dân tộc", "Tôn giáo",
        "Chức vụ/chức danh", "Ngạch/chức danh nghề nghiệp", "Mã ngạch/CDNN", "Bậc lương", "Hệ số lương",
        "Trình độ CM", "Trình độ LLCT", "QLNN", "Ngày vào Đảng", "Đánh giá xếp loại", "Đối tượng",
    ]  # fmt: skip
    row = [
        "1", "Nguyễn Văn An", "15/08/1985", "Nam", "074085000123", "Kinh", "Không", "Chuyên viên", "Chuyên viên",
        "01.003", "3", "3,00", "Đại học", "Trung cấp", "Chuyên viên", "03/02/2010", "Hoàn thành tốt nhiệm vụ",
        "Công chức",
    ]  # fmt: skip
    path.write_text(
        "Tính đến ngày 31/12/2024\n" + "\n".join(",".join(f'"{v}"' for v in line) for line in (header, row))
    )
    result = check(path)
    assert result.issues.select("check_code").rows() == []
    assert result.staff.select(
        "national_id", "ethnicity", "religion", "position", "grade_code", "salary_coefficient", "education_level",
        "political_theory", "state_management", "party_join_date", "evaluation_rating",
    ).rows() == [
        (
            "074085000123", "kinh", "none", "Chuyên viên", "01.003", 3.0, "university", "intermediate", "specialist",
            dt.date(2010, 2, 3), "good",
        )
    ]  # fmt: skip
