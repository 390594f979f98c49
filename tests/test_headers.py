"""Headers as agencies write them, current legal names and abbreviations included, each find its one field."""

import csv
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.reading.headers import PATH_SEPARATOR, header_index
from schemas.reading.text import fold
from schemas.reference import reference_path


def levels(header: str) -> list[str]:
    return [level.strip() for level in header.split("›")]


def field_of(header: str) -> str | None:
    found = header_index().match(levels(header))
    return found.field if found else None


def catalogue() -> list[tuple[str, str]]:
    with reference_path("headers.csv").open(encoding="utf-8") as handle:
        return [(row["header"], row["field"]) for row in csv.DictReader(handle)]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # The ID number's name since the 2023 Law on Identification, and the older names still on many forms.
        ("Số định danh cá nhân", "national_id"),
        ("số định danh cá nhân", "national_id"),
        ("Số ĐDCN", "national_id"),
        ("CCCD", "national_id"),
        ("Số CCCD/CMND", "national_id"),
        ("CMND/CCCD", "national_id"),
        ("Số căn cước", "national_id"),
        ("Căn cước công dân", "national_id"),
        ("Số chứng minh nhân dân", "national_id"),
        ("Số ĐDCN/CCCD", "national_id"),
        ("Số ĐDCN (CCCD)", "national_id"),
        # The name as the identification forms write it since 2024 (Decree 70/2024/NĐ-CP).
        ("Họ, chữ đệm và tên", "full_name"),
        ("Họ, chữ đệm và tên khai sinh", "full_name"),
        ("Kết quả xếp loại chất lượng năm 2024", "evaluation_rating"),
        ("Ngạch/chức danh nghề nghiệp", "grade_name"),
        ("Ngạch, CDNN", "grade_name"),
        ("Ngạch, chức danh nghề nghiệp › Tên", "grade_name"),
        ("Mã ngạch/CDNN", "grade_code"),
        ("Ngạch, chức danh nghề nghiệp › Mã số", "grade_code"),
        ("Trình độ LLCT", "political_theory"),
        ("Trình độ LLCT › Cao cấp", "political_theory"),
        ("Trình độ CM", "education_level"),
        ("TĐCM", "education_level"),
        ("Trình độ chuyên môn › Đại học", "education_level"),
        ("Ngày vào Đảng", "party_join_date"),
        ("Ngày vào Đảng › Chính thức", "party_official_date"),
        ("Dân tộc", "ethnicity"),
        ("Tôn giáo", "religion"),
        ("Hệ số lương", "salary_coefficient"),
        ("Bậc lương", "salary_step"),
        ("Chức vụ/chức danh", "position"),
        ("Chức danh", "position"),
        ("Chức danh nghề nghiệp", "grade_name"),
        ("Đánh giá xếp loại", "evaluation_rating"),
        ("Đánh giá, xếp loại năm 2024", "evaluation_rating"),
        ("QLNN", "state_management"),
        ("Quản lý nhà nước › CVC", "state_management"),
        ("Phụ cấp vượt khung", "over_scale_pct"),
    ],
)
def test_the_names_agencies_use_find_their_field(header, field):
    assert field_of(header) == field


def test_no_spelling_names_two_fields_or_is_both_a_field_and_ignored():
    fields_by_path: dict[str, set[str]] = {}
    for header, field in catalogue():
        fields_by_path.setdefault(PATH_SEPARATOR.join(fold(level) for level in levels(header)), set()).add(field)
    assert {path: fields for path, fields in fields_by_path.items() if len(fields) > 1} == {}
    with reference_path("ignored_headers.csv").open(encoding="utf-8") as handle:
        ignored = {fold(row["header"]) for row in csv.DictReader(handle)}
    assert ignored & set(fields_by_path) == set()


@pytest.mark.parametrize(("header", "field"), catalogue())
def test_every_catalogued_spelling_finds_its_own_field(header, field):
    assert field_of(header) == field


def _as_typed(header: str, upper: bool, decomposed: bool, separator: str, padding: str) -> str:
    """The same header as another clerk types it: capitals, decomposed accents (macOS), "/" or "-" for ",",
    stray spaces."""
    text = header.upper() if upper else header
    text = unicodedata.normalize("NFD", text) if decomposed else text
    return padding + text.replace(", ", separator) + padding


@given(
    st.sampled_from(catalogue()),
    st.booleans(),
    st.booleans(),
    st.sampled_from([", ", "/", " - ", ","]),
    st.sampled_from(["", " ", "  "]),
)
def test_a_catalogued_spelling_typed_differently_still_finds_its_field(entry, upper, decomposed, separator, padding):
    header, field = entry
    typed = PATH_SEPARATOR.join(_as_typed(level, upper, decomposed, separator, padding) for level in levels(header))
    assert field_of(typed) == field
