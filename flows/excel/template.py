"""The Excel template agencies fill in: instructions, the list in the official shape, and the value lists.

The list sheet is laid out as the reader expects it (title block with "Tính đến ngày", a two-row header with the birth
date split into Nam | Nữ), so a list filled in with the drop-down values reads back without a single issue.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from flows.excel.workbooks import (
    CENTRED,
    FONT_NAME,
    CellStyle,
    ListHeading,
    print_on_a4_landscape,
    save_reproducibly,
    write_cell,
    write_list_heading,
    write_merged,
)
from schemas.policy import Policy
from schemas.reading.headers import PATH_SEPARATOR
from schemas.reference import reference_path
from schemas.staff import record_columns

# The list's columns in the order of the official form, with their widths in characters (per sub-column).
COLUMNS: tuple[tuple[str, float], ...] = (
    ("stt", 5),
    ("full_name", 24),
    ("birth_date", 11),
    ("national_id", 15),
    ("ethnicity", 9),
    ("religion", 10),
    ("home_town", 22),
    ("unit_name", 20),
    ("position", 18),
    ("staff_category", 12),
    ("contract_type", 16),
    ("employment_status", 12),
    ("grade_name", 16),
    ("grade_code", 12),
    ("salary_step", 7),
    ("salary_coefficient", 8),
    ("hire_date", 11),
    ("education_level", 12),
    ("education_major", 16),
    ("political_theory", 12),
    ("state_management", 13),
    ("it_level", 14),
    ("foreign_language_name", 11),
    ("foreign_language_level", 12),
    ("party_member", 8),
    ("party_join_date", 11),
    ("party_official_date", 11),
    ("in_succession_plan", 10),
    ("planned_title", 16),
    ("training_type", 18),
    ("rotation_type", 14),
    ("evaluation_rating", 18),
    ("discipline", 12),
    ("remarks", 20),
)
LIST_SHEET = "Danh sách"
GUIDE_SHEET = "Hướng dẫn"
CHOICES_SHEET = "Danh mục"
HEADER_ROW = 7
EXAMPLE_ROW = HEADER_ROW + 2
LAST_ROW = 200
PLACEHOLDER_AGENCY = "TÊN CƠ QUAN, ĐƠN VỊ"
MARK_CHOICES = ("x", "Không")

# A fictitious civil servant: every value is a canonical value or a plain date or number.
EXAMPLE: dict[str, object] = {
    "stt": 1,
    "full_name": "Nguyễn Văn An",
    "birth_date": dt.date(1985, 8, 15),
    "national_id": "074085000123",
    "ethnicity": "Kinh",
    "religion": "Không",
    "home_town": "Xã Thạnh Hội, thị xã Tân Uyên, tỉnh Bình Dương",
    "unit_name": "Phòng Nội vụ",
    "position": "Chuyên viên",
    "staff_category": "Công chức",
    "employment_status": "Đang công tác",
    "grade_name": "Chuyên viên",
    "grade_code": "01.003",
    "salary_step": "5",
    "salary_coefficient": 3.66,
    "hire_date": dt.date(2010, 9, 1),
    "education_level": "Đại học",
    "education_major": "Luật",
    "political_theory": "Trung cấp",
    "state_management": "Chuyên viên",
    "it_level": "Ứng dụng CNTT cơ bản",
    "foreign_language_name": "Tiếng Anh",
    "foreign_language_level": "Bậc 3 (B1)",
    "party_member": "x",
    "party_join_date": dt.date(2012, 2, 3),
    "party_official_date": dt.date(2013, 2, 3),
    "in_succession_plan": "Không",
    "training_type": "Cập nhật kiến thức",
    "evaluation_rating": "Hoàn thành tốt nhiệm vụ",
    "discipline": "Không",
}

_REQUIREMENT = {"R": "Bắt buộc", "E": "Nên có"}
_DATE_FORMAT_VI = (
    "Ngày/tháng/năm (dd/mm/yyyy), ví dụ 15/08/1985; nếu chỉ biết năm thì gõ dấu nháy đơn trước năm ('1985)"
)
_FORMATS_VI = {
    "stt": "Số thứ tự 1, 2, 3…",
    "national_id": "12 chữ số, nhập dạng văn bản (giữ số 0 ở đầu), ví dụ 074085000123",
    "grade_code": "Dạng NN.NNN hoặc V.NN.NN.NN, ví dụ 01.003, V.07.03.29",
    "salary_step": "Số bậc, ví dụ 4 hoặc 4/9",
    "salary_coefficient": "Số có 2 chữ số thập phân, ví dụ 3,33",
    "hire_date": "Ngày/tháng/năm (dd/mm/yyyy) hoặc tháng/năm (mm/yyyy)",
}
_NOTES_VI = {
    "full_name": "Ghi đủ họ, tên đệm và tên; không ghi kèm chức danh, học vị.",
    "birth_date": "Ghi ngày sinh vào cột Nam hoặc cột Nữ (chỉ một cột): cột được ghi cho biết giới tính.",
    "national_id": "Số định danh cá nhân (CCCD, thẻ căn cước); CMND 9 số đã hết giá trị từ 01/01/2025.",
    "religion": 'Ghi "Không" nếu không theo tôn giáo nào; để trống là chưa rõ.',
    "home_town": "Ghi xã, huyện, tỉnh.",
    "unit_name": "Phòng, ban, tổ hoặc bộ phận đang làm việc.",
    "position": 'Ví dụ: Trưởng phòng, Chuyên viên. Chức vụ kiêm nhiệm ghi sau chữ "kiêm".',
    "contract_type": "Chỉ ghi đối với người lao động.",
    "employment_status": "Để trống nghĩa là đang công tác.",
    "grade_name": "Nên có đối với công chức, viên chức.",
    "grade_code": "Nên có đối với công chức, viên chức.",
    "education_level": "Trình độ cao nhất đã tốt nghiệp; chuyên ngành ghi ở cột sau.",
    "political_theory": "Chỉ ghi trình độ đã tốt nghiệp, không ghi trình độ đang học.",
    "state_management": "Nên có đối với cán bộ, công chức.",
    "it_level": 'Ghi "Không" nếu không có.',
    "foreign_language_name": 'Ghi "Không" nếu không có.',
    "foreign_language_level": 'Ghi "Không" nếu không có.',
    "party_member": "Ghi x nếu là đảng viên (kể cả dự bị).",
    "party_join_date": "Nên có đối với đảng viên.",
    "party_official_date": "Để trống nếu là đảng viên dự bị.",
    "in_succession_plan": "Ghi x nếu thuộc diện quy hoạch.",
    "planned_title": "Nên có khi thuộc diện quy hoạch; tối đa 3 chức danh, cách nhau bằng dấu chấm phẩy (;).",
    "training_type": "Lớp đào tạo, bồi dưỡng đã tham gia trong năm.",
    "rotation_type": "Luân chuyển, điều động, biệt phái hoặc kiêm nhiệm trong năm.",
    "discipline": 'Hình thức kỷ luật nặng nhất còn hiệu lực; ghi "Không" nếu không bị kỷ luật.',
}
_TEXT_FIELDS = {"national_id", "grade_code", "salary_step"}
_SAVED_AT = dt.datetime(2025, 1, 1, 8, 0, 0)
# As on the form: the agency top left, over a few columns.
_AGENCY_SPAN = 5

_FONT = Font(name=FONT_NAME, size=12)
_BOLD = Font(name=FONT_NAME, size=12, bold=True)
_TITLE = Font(name=FONT_NAME, size=14, bold=True)
_THIN = Border(*(Side(style="thin"),) * 4)
_WRAP = Alignment(vertical="top", wrap_text=True)
_CELL = Alignment(vertical="center", wrap_text=True)


@dataclass(frozen=True)
class SheetColumn:
    """One column of the list sheet: its field, its header levels (top, then leaf when split) and width."""

    field: str
    levels: tuple[str, ...]
    number: int
    width: float

    @property
    def letter(self) -> str:
        """The column's letter, for ranges and the instructions."""
        return get_column_letter(self.number)


def write_template(path: Path, as_of: dt.date | None = None, agency_name: str = "") -> Path:
    """Write the Excel template agencies fill in; returns `path`."""
    as_of = as_of or dt.date(dt.date.today().year - 1, 12, 31)
    columns = list_columns(as_of)
    choices = choice_lists()
    workbook = Workbook()
    guide = workbook.active
    guide.title = GUIDE_SHEET
    sheet = workbook.create_sheet(LIST_SHEET)
    ranges = _write_choices(workbook.create_sheet(CHOICES_SHEET), choices)
    _write_guide(guide, columns, choices, as_of)
    heading = ListHeading(agency_name or PLACEHOLDER_AGENCY, f"Tính đến ngày {as_of:%d/%m/%Y}", _AGENCY_SPAN, 12)
    write_list_heading(sheet, heading, columns[-1].number)
    _write_header(sheet, columns)
    _write_rows(sheet, columns)
    _add_validations(sheet, columns, ranges)
    _set_up_page(sheet, columns)
    save_reproducibly(workbook, path, _SAVED_AT)
    return path


def template_headers() -> dict[str, list[tuple[str, ...]]]:
    """Each field's template header levels from headers.csv, so the template and the reader share one spelling."""
    headers: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    with reference_path("headers.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["is_template"] == "true":
                headers[row["field"]].append(tuple(row["header"].split(PATH_SEPARATOR)))
    return headers


def list_columns(as_of: dt.date) -> list[SheetColumn]:
    """The sheet columns in form order; a field with a split header (birth date: Nam | Nữ) takes one per leaf."""
    headers = template_headers()
    columns: list[SheetColumn] = []
    # The rating's header carries its year ("Xếp loại chất lượng năm 2024"): the reader takes the year from it.
    headers["evaluation_rating"] = [(f"{headers['evaluation_rating'][0][0]} {Policy().rating_year(as_of)}",)]
    for field, width in COLUMNS:
        columns.extend(SheetColumn(field, levels, len(columns) + 1, width) for levels in headers[field])
    return columns


def choice_lists() -> dict[str, list[str]]:
    """Canonical values of each drop-down field, lowest rank first and unranked values last, as vocabularies.csv
    lists them; marks offer only the two spellings a clerk needs."""
    ranked: dict[str, dict[str, int | None]] = defaultdict(dict)
    with reference_path("vocabularies.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            ranked[row["field"]].setdefault(row["canonical_vi"], int(row["rank"]) if row["rank"] else None)
    kinds = {name: column.metadata["kind"] for name, column in record_columns().items()}
    choices = {}
    for field, _ in COLUMNS:
        if kinds[field] == "mark":
            choices[field] = list(MARK_CHOICES)
        elif kinds[field] == "vocab":
            values = ranked[field]
            choices[field] = sorted(values, key=lambda value: (values[value] is None, values[value] or 0))
    return choices


def _write_choices(sheet: Worksheet, choices: dict[str, list[str]]) -> dict[str, str]:
    """One column per drop-down on a hidden sheet: Excel caps an inline list at 255 characters (54 ethnic groups)."""
    titles = {name: column.title for name, column in record_columns().items()}
    ranges = {}
    for number, (field, values) in enumerate(choices.items(), 1):
        letter = get_column_letter(number)
        write_cell(sheet, 1, number, titles[field]).font = _BOLD
        for row, value in enumerate(values, 2):
            write_cell(sheet, row, number, value).font = _FONT
        sheet.column_dimensions[letter].width = max(len(value) for value in [titles[field], *values]) + 2
        ranges[field] = f"{quote_sheetname(CHOICES_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    sheet.sheet_state = "hidden"
    return ranges


def _write_guide(sheet: Worksheet, columns: list[SheetColumn], choices: dict[str, list[str]], as_of: dt.date) -> None:
    """What the file is and, per column, whether it is required and what to write in it."""
    lines = (
        f"Tệp này là mẫu danh sách cán bộ, công chức, viên chức, người lao động tính đến ngày {as_of:%d/%m/%Y}. "
        f'Điền danh sách ở trang "{LIST_SHEET}", mỗi người một dòng.',
        f'Ghi tên cơ quan, đơn vị ở ô A1 của trang "{LIST_SHEET}" và kiểm tra ngày ở dòng "Tính đến ngày".',
        f"Dòng {EXAMPLE_ROW} là dòng ví dụ (người không có thật): ghi đè bằng người đầu tiên hoặc xóa trước khi gửi.",
        "Không thêm, bớt, đổi tên hay đổi thứ tự các cột; không gộp ô trong phần danh sách.",
        "Ở các cột có danh sách thả xuống, hãy chọn giá trị trong danh sách; "
        "ghi khác thì Excel cảnh báo nhưng vẫn cho lưu.",
        "Dòng tổng cộng và phần ký tên (nếu có) ghi ngay sau người cuối cùng. Lưu tệp dạng Excel (.xlsx).",
    )
    write_cell(sheet, 1, 1, "HƯỚNG DẪN ĐIỀN DANH SÁCH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC, NGƯỜI LAO ĐỘNG").font = _TITLE
    for row, line in enumerate(lines, 3):
        write_cell(sheet, row, 1, f"{row - 2}. {line}").font = _FONT
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        sheet.cell(row, 1).alignment = _WRAP
        sheet.row_dimensions[row].height = 32
    top = len(lines) + 4
    for number, caption in enumerate(("Cột", "Tiêu đề cột", "Mức độ", "Giá trị hoặc định dạng", "Ghi chú"), 1):
        write_merged(sheet, top, (number, number), caption, CellStyle(_BOLD, CENTRED))
        sheet.cell(top, number).border = _THIN
    for row, guide_row in enumerate(_guide_rows(columns, choices), top + 1):
        for number, value in enumerate(guide_row, 1):
            write_merged(sheet, row, (number, number), value, CellStyle(_FONT, _WRAP))
            sheet.cell(row, number).border = _THIN
    for letter, width in zip("ABCDE", (8, 30, 14, 60, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(top + 1, 1)
    print_on_a4_landscape(sheet)


def _guide_rows(columns: list[SheetColumn], choices: dict[str, list[str]]) -> list[tuple[str, str, str, str, str]]:
    """One row per field (a split header is one row naming its sub-columns)."""
    meta = record_columns()
    by_field: dict[str, list[SheetColumn]] = defaultdict(list)
    for column in columns:
        by_field[column.field].append(column)
    rows = []
    for field, group in by_field.items():
        header = group[0].levels[0]
        if len(group) > 1:
            header += " (" + ", ".join(column.levels[-1] for column in group) + ")"
        rows.append(
            (
                ", ".join(column.letter for column in group),
                header,
                _REQUIREMENT.get(meta[field].metadata["req"], "Không bắt buộc"),
                _accepted(field, meta[field].metadata["kind"], choices),
                _NOTES_VI.get(field, ""),
            )
        )
    return rows


def _accepted(field: str, kind: str, choices: dict[str, list[str]]) -> str:
    """The values or the format a clerk may write in one column."""
    if kind == "mark":
        return "x (có) hoặc Không"
    if field in choices:
        return "; ".join(choices[field])
    if field in _FORMATS_VI:
        return _FORMATS_VI[field]
    return _DATE_FORMAT_VI if kind == "date" else "Ghi bằng chữ"


def _write_header(sheet: Worksheet, columns: list[SheetColumn]) -> None:
    """Two header rows as on the form: a plain header spans both rows, a split one spans its sub-columns."""
    top = HEADER_ROW
    for column in columns:
        sheet.cell(top, column.number).border = sheet.cell(top + 1, column.number).border = _THIN
        if len(column.levels) > 1:
            write_merged(sheet, top + 1, (column.number, column.number), column.levels[-1], CellStyle(_BOLD, CENTRED))
    for field in dict.fromkeys(column.field for column in columns):
        group = [column for column in columns if column.field == field]
        first, last = group[0].number, group[-1].number
        write_merged(sheet, top, (first, first), group[0].levels[0], CellStyle(_BOLD, CENTRED))
        bottom = top + 1 if len(group) == 1 else top
        sheet.merge_cells(start_row=top, start_column=first, end_row=bottom, end_column=last)
    sheet.row_dimensions[top].height = 48
    sheet.row_dimensions[top + 1].height = 30


def _write_rows(sheet: Worksheet, columns: list[SheetColumn]) -> None:
    """The example row, then empty rows already bordered and formatted so typed values keep their type."""
    kinds = {name: column.metadata["kind"] for name, column in record_columns().items()}
    # A split field's value goes in its first sub-column: the example's birth date under Nam.
    first_of_field = {column.field: column.number for column in reversed(columns)}
    example = {first_of_field[field]: value for field, value in EXAMPLE.items()}
    for row in range(EXAMPLE_ROW, LAST_ROW + 1):
        for column in columns:
            cell = write_cell(sheet, row, column.number, example.get(column.number) if row == EXAMPLE_ROW else None)
            cell.font, cell.border, cell.alignment = _FONT, _THIN, _CELL
            cell.number_format = _number_format(column.field, kinds[column.field])


def _number_format(field: str, kind: str) -> str:
    """Dates as dd/mm/yyyy; IDs, codes and steps as text so Excel keeps leading zeros and never makes "4/9" a date."""
    if field in _TEXT_FIELDS:
        return "@"
    return {"date": "dd/mm/yyyy", "decimal": "0.00"}.get(kind, "General")


def _add_validations(sheet: Worksheet, columns: list[SheetColumn], ranges: dict[str, str]) -> None:
    """Drop-downs from the hidden lists; a warning, not a stop, so a valid spelling the list lacks can still be kept."""
    for column in columns:
        if column.field not in ranges:
            continue
        validation = DataValidation(
            type="list",
            formula1=ranges[column.field],
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="Giá trị ngoài danh mục",
            error=f'Giá trị này không có trong danh mục của cột "{column.levels[-1]}". '
            "Hãy chọn trong danh sách thả xuống, hoặc bấm Yes (Có) để giữ giá trị đã nhập.",
        )
        validation.add(f"{column.letter}{EXAMPLE_ROW}:{column.letter}{LAST_ROW}")
        sheet.add_data_validation(validation)


def _set_up_page(sheet: Worksheet, columns: list[SheetColumn]) -> None:
    """Widths, header and names kept in view, and A4 landscape printing with the header on every page."""
    for column in columns:
        sheet.column_dimensions[column.letter].width = column.width
    sheet.freeze_panes = sheet.cell(EXAMPLE_ROW, 3)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
    print_on_a4_landscape(sheet)
