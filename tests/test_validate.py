"""Each fixture carries one defect; the whole problem list is asserted, and the rows always add up."""

import datetime as dt

import pytest

from conftest import FIXTURES, person, write_template_workbook
from flows.pipeline import file_context
from flows.settings import Settings
from schemas.agencies import read_catalogue, shipped_catalogue
from schemas.validate import FileResult, validate_file

RECEIVED = dt.date(2025, 1, 15)
AS_OF_MISSING = (None, None, "file-as-of-missing", None)


def check(path, agency="UB-NV") -> FileResult:
    catalogue = read_catalogue(shipped_catalogue("tan-uyen"))
    context = file_context(agency, catalogue, Settings(privacy={"person_key_secret": "test"}), RECEIVED)
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
        (
            "birth_date_impossible.csv",
            "accepted_with_errors",
            2,
            1,
            [(3, "Ngày sinh", "birth-date-invalid", "31/02/1990")],
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
    ],
)
def test_each_defect_is_reported_where_the_clerk_sees_it(fixture, status, loaded, rejected, found):
    result = check(FIXTURES / fixture)
    assert (result.status, result.staff.height, result.rejected.height) == (status, loaded, rejected)
    assert sorted(problems(result), key=str) == sorted([AS_OF_MISSING, *found], key=str)


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


def test_a_file_that_is_not_a_workbook_is_rejected_with_a_reason(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a zip archive" * 20)
    result = check(path)
    assert (result.status, result.rows_read) == ("rejected", 0)
    assert [p[2] for p in problems(result)] == ["file-unreadable"]
    assert result.issues["message_vi"][0].startswith("Không mở được tệp (")


def test_an_unknown_agency_rejects_every_row(tmp_path):
    result = check(FIXTURES / "valid_three_people.csv", agency="UB-DANTOC")
    assert (result.status, result.rejected.height) == ("rejected", 3)
    assert "file-agency-unknown" in [p[2] for p in problems(result)]


def test_the_signer_below_the_table_is_not_a_person(tmp_path):
    rows = [person("Nguyễn Văn An", "01/05/1980", national_id="074080000123")]
    result = check(write_template_workbook(tmp_path / "one.xlsx", rows))
    assert result.staff["full_name"].to_list() == ["Nguyễn Văn An"]
    assert result.rows_read == 1
