"""Every warning is something the clerk can act on: no mismatch where there is none, no sentence on every row."""

import datetime as dt
import string

import pytest

from flows.judging_rules import JudgingRules
from flows.settings import Settings
from schemas.checks import checks
from schemas.judging.validate import validate_file
from schemas.rules.agencies import read_agencies, shipped_agencies

RECEIVED = dt.date(2025, 1, 15)
HEADER = "STT,Họ và tên,Ngày sinh,Giới tính,Đối tượng,Mã ngạch,Ngạch,Tin học"


def judged(path, **validation):
    catalogue = read_agencies(shipped_agencies("tan-uyen"))
    settings = Settings(privacy={"person_key_secret": "test"}, validation=validation)
    return validate_file(path, JudgingRules.of(settings, catalogue).context("UB-NV", RECEIVED))


def list_of(tmp_path, rows: list[str], header: str = HEADER):
    """A CSV list as of 31/12/2024 with one person per row, each cell list joined by commas after name and birth."""
    lines = ["Tính đến ngày 31/12/2024", header]
    lines += [f"{n},Người Thứ {chr(64 + n)},15/08/1985,Nam,Viên chức,{row}" for n, row in enumerate(rows, start=1)]
    path = tmp_path / "ds.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def found(result) -> list[tuple]:
    return result.issues.select("row_number", "check_code", "value").rows()


@pytest.mark.parametrize(
    ("code", "name", "mismatch"),
    [
        ("V.08.01.03", "Bác sĩ", False),
        ("V.08.01.03", "Bác sĩ (hạng III)", False),
        ("V.08.01.03", "Bác sĩ hạng III", False),
        ("V.08.01.03", "Bác sĩ hạng 3", False),
        ("V.08.01.02", "Bác sĩ chính", False),
        ("V.07.03.29", "Giáo viên tiểu học", False),
        ("V.08.01.03", "Bác sĩ hạng II", True),
        ("V.08.01.02", "Bác sĩ", True),
        ("01.003", "Chuyên viên chính", True),
    ],
)
def test_a_grade_name_without_its_rank_names_the_grade_of_its_code(tmp_path, code, name, mismatch):
    result = judged(list_of(tmp_path, [f"{code},{name},Ứng dụng CNTT cơ bản"]))
    assert found(result) == ([(2 + 1, "grade-code-name-mismatch", code)] if mismatch else [])


def test_a_warning_on_most_rows_of_a_list_is_said_once_with_its_count(tmp_path):
    rows = ["01.003,Chuyên viên,Tin học văn phòng Z"] * 5 + ["01.003,Chuyên viên,Ứng dụng CNTT cơ bản"]
    result = judged(list_of(tmp_path, rows))
    assert found(result) == [(None, "file-warning-on-most-rows", "Tin học văn phòng Z")]
    issue = result.issues.row(0, named=True)
    assert (issue["column_header"], issue["field"], issue["column_number"]) == ("Tin học", "it_level", 8)
    assert issue["message_vi"] == (
        'Cảnh báo lặp lại ở 5/6 dòng của cột "Tin học" (nêu một lần cho cả cột): Giá trị "Tin học văn phòng Z" ở '
        'cột "Tin học" không có trong danh mục; hãy chọn theo danh sách của mẫu. Có phải là "Chứng chỉ C"?'
    )
    assert [(p.check_code, p.count, p.whole_file) for p in result.problems] == [("file-warning-on-most-rows", 1, True)]


def test_a_warning_on_a_few_rows_stays_on_each_row(tmp_path):
    rows = ["01.003,Chuyên viên,Tin học văn phòng Z"] * 3 + ["01.003,Chuyên viên,Ứng dụng CNTT cơ bản"] * 3
    assert found(judged(list_of(tmp_path, rows))) == [
        (row, "vocab-unknown", "Tin học văn phòng Z") for row in (3, 4, 5)
    ]


def test_a_short_list_keeps_its_warnings_on_their_rows(tmp_path):
    rows = ["01.003,Chuyên viên,Tin học văn phòng Z"] * 4
    assert [r[1] for r in found(judged(list_of(tmp_path, rows)))] == ["vocab-unknown"] * 4


def test_warnings_of_different_causes_are_not_summed_up_together(tmp_path):
    rows = [f"01.003,Chuyên viên,Tin học loại {n}" for n in range(6)]
    assert [r[1] for r in found(judged(list_of(tmp_path, rows)))] == ["vocab-unknown"] * 6


def test_errors_stay_on_the_rows_they_reject(tmp_path):
    header = "STT,Họ và tên,Ngày sinh,Giới tính,Đối tượng"
    rows = "\n".join(f"{n},Người Thứ {chr(64 + n)},15/08/1985,Nam,Tạm tuyển" for n in range(1, 7))
    path = tmp_path / "ds.csv"
    path.write_text(f"Tính đến ngày 31/12/2024\n{header}\n{rows}\n", encoding="utf-8")
    assert [r[1] for r in found(judged(path))] == ["file-too-many-errors", *["staff-category-invalid"] * 6]


def test_the_share_that_counts_as_most_rows_is_a_setting(tmp_path):
    rows = ["01.003,Chuyên viên,Tin học văn phòng Z"] * 5 + ["01.003,Chuyên viên,Ứng dụng CNTT cơ bản"]
    result = judged(list_of(tmp_path, rows), repeated_warning_share=0.9)
    assert [r[1] for r in found(result)] == ["vocab-unknown"] * 5


@pytest.mark.parametrize("code", sorted(checks()))
def test_every_message_is_a_sentence(code):
    """Both messages start with a capital and end with a full stop. A field's Vietnamese title is capitalised and
    may start one; its English name is not ("hire date"), so no English message starts with a placeholder. What
    ends some messages is a sentence of its own: a suggestion, or the warning a summary repeats."""
    definition = checks()[code]
    for template, capitalised in ((definition.message_vi, {"field_vi"}), (definition.message_en, set())):
        literal, placeholder, _, _ = next(string.Formatter().parse(template))
        assert (literal and literal[0].isupper()) or (not literal and placeholder in capitalised), template
        ending = template
        for sentence in ("{suggestion_vi}", "{suggestion_en}", "{warning_vi}", "{warning_en}"):
            ending = ending.removesuffix(sentence)
        assert ending.endswith((".", ": ")), template
