"""`staffq report --format xlsx`: the official forms as the organisation board files them — form BM01/BNV
(Circular 11/2012/TT-BNV) and the leaders' table of Party form 9B — numbers as numbers, ready for A4 landscape.

The figures come from the warehouse macros `analytics.form_bm01` and `analytics.form_9b_leaders`; this module only
lays them out: title block, merged multi-level headers, the numbered column row, one row per agency, the total row,
the signature block."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from flows.workbooks import save_reproducibly, write_cell

_TRAINING = "Trình độ đào tạo"
_AGE = "Chia theo độ tuổi"
_SENIOR, _PRINCIPAL, _SPECIALIST = (
    "Chuyên viên cao cấp và tương đương",
    "Chuyên viên chính và tương đương",
    "Chuyên viên và tương đương",
)
# Form BM01/BNV columns 1-38 (staff-list spec §7): the header path of each, top level first.
BM01_COLUMNS: tuple[tuple[str, ...], ...] = (
    ("Tổng số biên chế được giao",),
    ("Tổng số công chức hiện có",),
    *(("Trong đó", name) for name in ("Nữ", "Đảng viên", "Dân tộc thiểu số", "Tôn giáo")),
    *(("Chia theo ngạch", name) for name in (_SENIOR, _PRINCIPAL, _SPECIALIST, "Cán sự và tương đương", "Nhân viên")),
    *((_TRAINING, "Chuyên môn", name) for name in ("Tiến sĩ", "Thạc sĩ", "Đại học", "Cao đẳng", "Trung cấp", "Sơ cấp")),
    *((_TRAINING, "Chính trị", name) for name in ("Cử nhân", "Cao cấp", "Trung cấp", "Sơ cấp")),
    (_TRAINING, "Tin học", "Trung cấp trở lên"),
    (_TRAINING, "Tin học", "Chứng chỉ"),
    (_TRAINING, "Ngoại ngữ", "Tiếng Anh", "Đại học trở lên"),
    (_TRAINING, "Ngoại ngữ", "Tiếng Anh", "Chứng chỉ (A, B, C)"),
    (_TRAINING, "Ngoại ngữ", "Ngoại ngữ khác", "Đại học trở lên"),
    (_TRAINING, "Ngoại ngữ", "Ngoại ngữ khác", "Chứng chỉ (A, B, C)"),
    (_TRAINING, "Ngoại ngữ", "Chứng chỉ tiếng dân tộc"),
    *((_TRAINING, "Quản lý nhà nước", name) for name in (_SENIOR, _PRINCIPAL, _SPECIALIST)),
    (_AGE, "Từ 30 trở xuống"),
    (_AGE, "Từ 31 đến 40"),
    (_AGE, "Từ 41 đến 50"),
    (_AGE, "Từ 51 đến 60", "Tổng số"),
    (_AGE, "Từ 51 đến 60", "Nữ từ 51 đến 55"),
    (_AGE, "Từ 51 đến 60", "Nam từ 56 đến 60"),
    (_AGE, "Trên tuổi nghỉ hưu"),
)
# The leaders' table in the layout of Party form 9B: columns 1-18 of analytics.form_9b_leaders.
FORM_9B_COLUMNS: tuple[tuple[str, ...], ...] = (
    ("Tổng số CBLĐ, QL",),
    ("Trong đó", "Nữ"),
    ("Trong đó", "Dân tộc thiểu số"),
    ("Độ tuổi", "Từ 40 tuổi trở xuống"),
    ("Độ tuổi", "Trên 40 đến 50 tuổi"),
    ("Độ tuổi", "Trên 50 tuổi"),
    *(("Trình độ chuyên môn", name) for name in ("Tiến sĩ", "Thạc sĩ", "Đại học", "Cao đẳng", "Trung cấp")),
    *(("Lý luận chính trị", name) for name in ("Cao cấp, cử nhân", "Trung cấp", "Sơ cấp")),
    *(("Quản lý nhà nước", name) for name in (_SENIOR, _PRINCIPAL, _SPECIALIST)),
    ("Đạt tiêu chuẩn chức danh",),
)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Form:
    """One sheet: its name, title block, headers and the rows the warehouse gave for it."""

    sheet: str
    form_name: str
    basis: str
    title: str
    headers: tuple[tuple[str, ...], ...]
    columns: list[str]
    rows: list[tuple]


def bm01(columns: list[str], rows: list[tuple]) -> Form:
    return Form(
        "BM01-BNV",
        "Biểu mẫu BM01/BNV",
        "Ban hành kèm theo Thông tư số 11/2012/TT-BNV ngày 17/12/2012",
        "BÁO CÁO SỐ LƯỢNG, CHẤT LƯỢNG CÔNG CHỨC",
        BM01_COLUMNS,
        columns,
        rows,
    )


def form_9b(columns: list[str], rows: list[tuple]) -> Form:
    return Form(
        "9B-CBLĐQL",
        "Biểu 9B",
        "Theo mẫu biểu thống kê của Ban Tổ chức Trung ương",
        "CHẤT LƯỢNG ĐỘI NGŨ CÁN BỘ LÃNH ĐẠO, QUẢN LÝ",
        FORM_9B_COLUMNS,
        columns,
        rows,
    )


def write_forms(
    path: Path, forms: list[Form], as_of: dt.date, reporting_unit: str, receiving_unit: str, made_at: dt.datetime
) -> None:
    """One workbook, one sheet per form."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for form in forms:
        _write_form(workbook.create_sheet(form.sheet), form, as_of, reporting_unit, receiving_unit)
    save_reproducibly(workbook, path, made_at)


def _write_form(sheet: Worksheet, form: Form, as_of: dt.date, reporting_unit: str, receiving_unit: str) -> None:
    width = 2 + len(form.headers)
    last = get_column_letter(width)
    bold = Font(bold=True)
    write_cell(sheet, 1, 1, form.form_name).font = bold
    write_cell(sheet, 2, 1, form.basis)
    write_cell(sheet, 3, 1, f"Đơn vị báo cáo: {reporting_unit or '....................'}")
    write_cell(sheet, 4, 1, f"Đơn vị nhận báo cáo: {receiving_unit or '....................'}")
    write_cell(sheet, 6, 1, form.title)
    write_cell(sheet, 7, 1, f"Tính đến ngày {as_of:%d} tháng {as_of:%m} năm {as_of:%Y}")
    for row in (6, 7):
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet[f"A{row}"].alignment = _CENTRED
    sheet["A6"].font = Font(bold=True, size=13)
    write_cell(sheet, 8, width - 2, "Đơn vị tính: người")
    header_top = 9
    depth = max(len(path) for path in form.headers)
    paths = [("Số thứ tự",), ("Tên đơn vị",), *form.headers]
    _write_headers(sheet, paths, header_top, depth)
    numbers_row = header_top + depth
    for index, label in enumerate(["A", "B", *range(1, len(form.headers) + 1)], start=1):
        cell = write_cell(sheet, numbers_row, index, label)
        cell.alignment, cell.border, cell.font = _CENTRED, _BOX, Font(italic=True)
    first_data = numbers_row + 1
    figures = [name for name in form.columns if name.startswith("col_")]
    position = {name: index for index, name in enumerate(form.columns)}
    for offset, values in enumerate(form.rows):
        row = first_data + offset
        is_total = values[position["row_kind"]] == "total"
        write_cell(sheet, row, 1, None if is_total else offset + 1)
        write_cell(sheet, row, 2, values[position["agency_name"]])
        for column, name in enumerate(figures, start=3):
            write_cell(sheet, row, column, values[position[name]])
        for column in range(1, width + 1):
            cell = sheet.cell(row, column)
            cell.border = _BOX
            cell.font = Font(bold=is_total)
            if column != 2:
                cell.alignment = Alignment(horizontal="center")
                cell.number_format = "#,##0"
    footer = first_data + len(form.rows) + 2
    write_cell(sheet, footer, 2, "NGƯỜI LẬP BẢNG").font = bold
    write_cell(sheet, footer, max(3, width - 8), "THỦ TRƯỞNG ĐƠN VỊ").font = bold
    write_cell(sheet, footer + 1, max(3, width - 8), "(Ký, đóng dấu)").font = Font(italic=True)
    _page_setup(sheet, header_top, numbers_row, width)


def _write_headers(sheet: Worksheet, paths: list[tuple[str, ...]], top: int, depth: int) -> None:
    """Merged header cells: columns sharing a path prefix share a cell; a path shorter than `depth` runs down."""
    for level in range(depth):
        start = 0
        while start < len(paths):
            path = paths[start]
            if len(path) <= level:
                start += 1
                continue
            end = start
            while end + 1 < len(paths) and paths[end + 1][: level + 1] == path[: level + 1]:
                end += 1
            bottom = top + level if len(path) > level + 1 else top + depth - 1
            for column in range(start + 1, end + 2):
                for row in range(top + level, bottom + 1):
                    sheet.cell(row, column).border = _BOX
            if end > start or bottom > top + level:
                sheet.merge_cells(start_row=top + level, start_column=start + 1, end_row=bottom, end_column=end + 1)
            cell = write_cell(sheet, top + level, start + 1, path[level])
            cell.alignment, cell.font = _CENTRED, Font(bold=True, size=9)
            start = end + 1


def _page_setup(sheet: Worksheet, header_top: int, numbers_row: int, width: int) -> None:
    """A4 landscape, one page wide, headers repeated on every page."""
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 32
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 6.5
    for row in range(header_top, numbers_row):
        sheet.row_dimensions[row].height = 48
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_top}:{numbers_row}"
    sheet.page_margins.left = sheet.page_margins.right = 0.3
    sheet.freeze_panes = sheet.cell(numbers_row + 1, 3)
