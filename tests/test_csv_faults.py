"""Nothing in a CSV is swallowed: a quote left open is named by its line and the file is refused, a line break in a
quoted cell is still a cell, and a line in another encoding is decoded alone and named."""

import csv
import datetime as dt
import io
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flows.judging_rules import JudgingRules
from flows.settings import Settings
from schemas.judging.results import FileResult
from schemas.judging.validate import validate_file
from schemas.reading.legacy_text import to_tcvn3
from schemas.reading.reader import read_sheets
from schemas.reading.text_files import MalformedCsv
from schemas.rules.agencies import read_agencies, shipped_agencies

HEADER = "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Chức vụ,Đối tượng,Trình độ chuyên môn,Quê quán,Ghi chú"
PEOPLE = [
    ("Nguyễn Văn An", "15/08/1985", "Nam"),
    ("Trần Thị Bình", "02/03/1990", "Nữ"),
    ("Lê Văn Cường", "11/11/1975", "Nam"),
    ("Phạm Văn Dũng", "01/05/1980", "Nam"),
    ("Đỗ Thị Hoa", "02/06/1981", "Nữ"),
    ("Vũ Văn Khang", "03/07/1982", "Nam"),
    ("Hoàng Thị Lan", "04/08/1983", "Nữ"),
    ("Bùi Văn Minh", "05/09/1984", "Nam"),
    ("Đặng Thị Ngọc", "06/10/1986", "Nữ"),
    ("Ngô Văn Phúc", "07/11/1987", "Nam"),
]
NAMES = [name for name, _, _ in PEOPLE]
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def rows(home_towns: dict[int, str] | None = None, remarks: dict[int, str] | None = None) -> list[str]:
    """The header and one line per person (numbered from 1), with the Quê quán and Ghi chú fields as written."""
    home_towns, remarks, lines = home_towns or {}, remarks or {}, [HEADER]
    for number, (name, birth, gender) in enumerate(PEOPLE, start=1):
        national_id = f"074{0 if gender == 'Nam' else 1}{birth[-2:]}{number:06d}"
        fields = [str(number), name, birth, gender, national_id, "Chuyên viên", "Công chức", "Đại học"]
        lines.append(",".join([*fields, home_towns.get(number, "Bình Dương"), remarks.get(number, "")]))
    return lines


def check(path) -> FileResult:
    catalogue = read_agencies(shipped_agencies("tan-uyen"))
    context = JudgingRules.of(Settings(privacy={"person_key_secret": "test"}), catalogue).context(
        "UB-NV", dt.date(2025, 1, 15)
    )
    result = validate_file(path, context)
    assert result.rows_read == result.staff.height + result.rejected.height
    return result


def issues(result: FileResult) -> list[tuple]:
    return result.issues.select("check_code", "severity", "message_en").rows()


def as_tcvn3(text: str) -> bytes:
    """Text as typed in a .VnTime font: one byte a letter."""
    return to_tcvn3(text).encode("latin-1")


def as_windows_1258(text: str) -> bytes:
    """Text as Excel's "CSV" writes it on a Vietnamese Windows: letters with their tone mark as a separate code."""
    letters = []
    for letter in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", letter)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        letters.append(base + "".join(c for c in parts if c in TONE_MARKS))
    return "".join(letters).encode("cp1258")


def test_a_quote_never_closed_rejects_the_file_naming_its_line(tmp_path):
    path = tmp_path / "danh_sach.csv"
    path.write_text("\n".join(rows(remarks={3: '"Chuyển công tác từ xã Tân Hiệp'})) + "\n", encoding="utf-8")
    result = check(path)
    assert (result.status, result.rows_read, result.text_format.encoding) == ("rejected", 0, "utf-8")
    assert issues(result) == [
        (
            "file-csv-quote-unbalanced",
            "error",
            'Line 4 of the file opens a double quote (") that is never closed, so the lines after it run into one '
            "cell. Remove the stray quote or close it on line 4 and send the file again.",
        )
    ]


def test_a_quote_closed_by_another_stray_quote_rejects_the_file(tmp_path):
    path = tmp_path / "danh_sach.csv"
    remarks = {3: '"Chuyển công tác', 6: 'Con ông "Tư" ở xã Khánh Bình'}
    path.write_text("\n".join(rows(remarks=remarks)) + "\n", encoding="utf-8")
    result = check(path)
    assert (result.status, result.rows_read) == ("rejected", 0)
    assert issues(result) == [
        (
            "file-csv-rows-mismatch",
            "error",
            "The file has 11 text lines but only 8 rows were read (lines run together from line 4). Check the quotes "
            "and separators on line 4 and send the file again.",
        )
    ]


def test_a_quote_opened_on_the_last_line_swallows_nothing(tmp_path):
    path = tmp_path / "danh_sach.csv"
    path.write_text("\n".join(rows(remarks={10: '"Nghỉ hưu từ tháng 3'})) + "\n", encoding="utf-8")
    result = check(path)
    assert (result.status, result.rows_read) == ("accepted", 10)
    assert result.staff["remarks"].to_list() == [None] * 9 + ["Nghỉ hưu từ tháng 3"]


def test_a_cell_of_more_lines_than_a_person_has_notes_is_lines_run_together(tmp_path):
    path = tmp_path / "danh_sach.csv"
    history = '"' + "\n".join(f"{year}: Chuyên viên" for year in range(1900, 2020)) + '"'
    path.write_text("\n".join(rows(remarks={2: history})) + "\n", encoding="utf-8")
    with pytest.raises(MalformedCsv) as raised:
        read_sheets(path)
    assert (raised.value.code, raised.value.params) == ("file-csv-rows-mismatch", {"lines": 130, "rows": 11, "line": 3})


def test_a_quote_left_open_over_more_than_the_csv_module_reads_names_its_line(tmp_path):
    path = tmp_path / "danh_sach.csv"
    lines = rows(remarks={1: '"Chuyển công tác'})
    path.write_text("\n".join(lines[:2] + lines[2:] * 300) + "\n", encoding="utf-8")
    with pytest.raises(MalformedCsv) as raised:
        read_sheets(path)
    assert (raised.value.code, raised.value.params) == ("file-csv-quote-unbalanced", {"line": 2})


def test_an_address_over_two_lines_in_quotes_is_one_cell(tmp_path):
    path = tmp_path / "danh_sach.csv"
    home_towns = {2: '"Xã Tân Hiệp,\r\nhuyện Tân Uyên"', 7: '"Phường ""Uyên Hưng""\nthị xã Tân Uyên"'}
    path.write_bytes(("\r\n".join(rows(home_towns=home_towns)) + "\r\n").encode())
    result = check(path)
    assert (result.status, result.rows_read) == ("accepted", 10)
    assert result.staff["full_name"].to_list() == NAMES
    assert result.staff["home_town"].to_list()[:7] == [
        "Bình Dương",
        "Xã Tân Hiệp, huyện Tân Uyên",
        *["Bình Dương"] * 4,
        'Phường "Uyên Hưng" thị xã Tân Uyên',
    ]


@pytest.mark.parametrize(
    ("encode", "fallback", "codes"),
    [
        (as_windows_1258, "Windows-1258", ["file-encoding-mixed", "file-as-of-missing"]),
        (as_tcvn3, "TCVN3", ["file-encoding-mixed", "file-as-of-missing"]),
    ],
)
def test_a_line_in_another_encoding_is_decoded_alone_and_named(tmp_path, encode, fallback, codes):
    path = tmp_path / "danh_sach.csv"
    path.write_bytes(b"\n".join(encode(line) if i == 4 else line.encode() for i, line in enumerate(rows())))
    result = check(path)
    assert (result.status, result.text_format.encoding) == ("accepted", "utf-8")
    assert result.staff["full_name"].to_list() == NAMES
    assert [code for code, _, _ in issues(result)] == codes
    assert issues(result)[0] == (
        "file-encoding-mixed",
        "warning",
        f"Lines 5 are not in the file's UTF-8 encoding; they were read as {fallback}. Check the names on those lines "
        "and save the file as Unicode (UTF-8).",
    )


def test_a_file_refused_for_a_quote_still_says_which_lines_were_not_utf8(tmp_path):
    path = tmp_path / "danh_sach.csv"
    lines = rows(remarks={3: '"Chuyển công tác'})
    path.write_bytes(b"\n".join(as_windows_1258(line) if i == 6 else line.encode() for i, line in enumerate(lines)))
    result = check(path)
    assert (result.status, result.rows_read, result.text_format.encoding) == ("rejected", 0, "utf-8")
    assert [(code, severity) for code, severity, _ in issues(result)] == [
        ("file-csv-quote-unbalanced", "error"),
        ("file-encoding-mixed", "warning"),
    ]


def test_many_lines_in_another_encoding_are_named_up_to_ten(tmp_path):
    path = tmp_path / "danh_sach.csv"
    lines = rows() * 4
    path.write_bytes(b"\n".join(as_windows_1258(line) if i % 3 == 2 else line.encode() for i, line in enumerate(lines)))
    sheets, text_format = read_sheets(path)
    assert sheets[0].cells["c1"].to_list() == ["Họ và tên", *NAMES] * 4
    assert [(w.code, w.params["lines"]) for w in text_format.warnings] == [
        ("file-encoding-mixed", "3, 6, 9, 12, 15, 18, 21, 24, 27, 30, …")
    ]


def test_a_file_all_in_windows_1258_is_read_as_before(tmp_path):
    path = tmp_path / "danh_sach.csv"
    path.write_bytes(as_windows_1258("\r\n".join(rows()) + "\r\n"))
    sheets, text_format = read_sheets(path)
    assert (text_format.encoding, text_format.warnings) == ("cp1258", ())
    assert sheets[0].cells["c1"].to_list() == ["Họ và tên", *NAMES]


CELLS = st.text(alphabet=st.sampled_from(list('aĐưễ ,"\n\r0')), max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=12),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    line_end=st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_every_row_the_csv_module_writes_is_read_back_once(tmp_path, table, quoting, line_end):
    written = io.StringIO(newline="")
    csv.writer(written, quoting=quoting, lineterminator=line_end).writerows(table)
    # The csv module quotes a cell for the line end it writes only: a lone "\r" in a cell under "\n" line ends is a
    # line break it reads back as one, like any reader.
    assume(list(csv.reader(io.StringIO(written.getvalue(), newline=""))) == table)
    path = tmp_path / "danh_sach.csv"
    path.write_bytes(written.getvalue().encode())
    sheets, _ = read_sheets(path)
    assert sheets[0].cells.height == len(table)
