"""The Tân Uyên demo inbox written: each agency's planned list laid out as the files agencies really send — the
BM03/BNV workbook with its title block and merged headers, or a one-header-row CSV export — with their clerks'
habits (dates as text, wrapped headers, group rows, a Mac's NFD letters, a legacy TCVN3 font), and one file that
is not a workbook at all."""

from __future__ import annotations

import csv
import unicodedata
from datetime import datetime
from pathlib import Path
from random import Random

from openpyxl import Workbook
from openpyxl.styles import Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from flows.demo.people import AgencyFile, Person, read_agencies
from flows.demo.plan import demo_files
from flows.demo.tables import (
    CSV_HEADERS,
    LEGACY_FONT_AGENCY,
    NFD_AGENCY,
    SAVED_AT,
    TEMPLATE,
    UNREADABLE,
    WRAPPED,
)
from flows.excel.workbooks import (
    CENTRED,
    FONT_NAME,
    CellStyle,
    ListHeading,
    save_reproducibly,
    write_list_heading,
    write_merged,
)
from schemas.reading.legacy_text import to_tcvn3

_HEADER_ROW = 7
_FONT = Font(name=FONT_NAME, size=11)
_BOLD = Font(name=FONT_NAME, size=11, bold=True)
_ITALIC = Font(name=FONT_NAME, size=11, italic=True)
_THIN = Border(*(Side(style="thin"),) * 4)
_HEADING, _NOTE = CellStyle(_BOLD, CENTRED), CellStyle(_ITALIC, CENTRED)


def write_demo_inbox(inbox: Path, agencies_csv: Path, seed: int = 2024) -> list[Path]:
    """Write every demo agency file into inbox/<AGENCY_CODE>/ and return the paths written."""
    rng = Random(seed)
    files = demo_files(read_agencies(agencies_csv), rng)
    written = []
    for file in files:
        path = inbox / file.agency.code / file.name
        path.parent.mkdir(parents=True, exist_ok=True)
        (_write_csv if file.shape == "csv" else _write_xlsx)(file, path)
        written.append(path)
    broken = inbox.joinpath(*UNREADABLE)
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(rng.randbytes(2048))
    return [*written, broken]


def _values(person: Person, stt: int) -> dict[str, object]:
    """One person's cells by column key, as the clerk types them; most keys are the person's own fields."""
    cells = {key: getattr(person, key) for key, _ in CSV_HEADERS if hasattr(person, key)}
    return cells | {
        "stt": stt,
        "birth": person.birth_text or f"{person.birth:%d/%m/%Y}",
        "gender": person.gender_text or ("Nữ" if person.female else "Nam"),
        "grade": person.grade[0],
        "grade_code": person.grade[1],
        "party": "x" if person.party_join else "Không",
        "party_join": f"{person.party_join:%d/%m/%Y}" if person.party_join else "",
        "planned": "x" if person.planned_title else "",
    }


def _write_csv(file: AgencyFile, path: Path) -> None:
    """The one-header-row export that some agencies send instead of the template.

    Its one title line carries the as-of date: without it the list would be dated on receipt (spec 6.2).
    """
    with path.open("w", encoding="utf-8-sig" if file.bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f"DANH SÁCH CBCCVC VÀ NGƯỜI LAO ĐỘNG - Tính đến ngày {file.as_of:%d/%m/%Y}"])
        writer.writerow(file.csv_headers)
        for stt, person in enumerate(file.people, 1):
            values = _values(person, stt)
            cells = [str(values[key]) if values[key] is not None else "" for key, _ in CSV_HEADERS]
            if file.agency.code == NFD_AGENCY:
                cells = [unicodedata.normalize("NFD", cell) for cell in cells]
            writer.writerow(cells)


def _write_xlsx(file: AgencyFile, path: Path) -> None:
    """Form BM03/BNV: title block, two-row merged header, column numbers, data, total row and signatures."""
    keys = [key for key, _, _ in TEMPLATE if not (file.shape == "xlsx-groups" and key == "category")]
    columns, next_column = {}, 1
    for key in keys:
        columns[key] = next_column
        next_column += 2 if key == "birth" else 1
    last = next_column - 1
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    _write_title(sheet, file, last)
    _write_header(sheet, file, columns, last)
    row = _write_rows(sheet, file, columns, last)
    _write_footer(sheet, file, row, columns, last)
    widths = {key: width for key, _, width in TEMPLATE}
    for key, column in columns.items():
        for offset in range(2 if key == "birth" else 1):
            sheet.column_dimensions[get_column_letter(column + offset)].width = widths[key]
    if file.agency.code == LEGACY_FONT_AGENCY:
        _retype_in_tcvn3(sheet)
    save_reproducibly(workbook, path, SAVED_AT)


def _retype_in_tcvn3(sheet: Worksheet) -> None:
    """Some communes still type in the .VnTime font: the same words, stored as TCVN3 codes."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.value = to_tcvn3(cell.value)
                cell.font = Font(name=".VnTime", bold=cell.font.bold)


def _write_title(sheet: Worksheet, file: AgencyFile, last: int) -> None:
    """The title block, with the form's code and the as-of line the reader looks for, long or short."""
    as_of = file.as_of
    long_date = f"{as_of.day:02d} tháng {as_of.month:02d} năm {as_of.year}"
    as_of_line = f"Tính đến ngày {long_date if file.long_as_of else f'{as_of:%d/%m/%Y}'}"
    write_list_heading(sheet, ListHeading(file.title, as_of_line, 8, 11, "Biểu mẫu BM03/BNV"), last)


def _write_header(sheet: Worksheet, file: AgencyFile, columns: dict[str, int], last: int) -> None:
    """Two header rows merged as on the form (birth date split into Nam | Nữ), then the column numbers."""
    top = _HEADER_ROW
    for key, header, _ in TEMPLATE:
        if key not in columns:
            continue
        column = columns[key]
        write_merged(sheet, top, (column, column), WRAPPED.get(key, header) if file.wrapped else header, _HEADING)
        if key == "birth":
            sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + 1)
            write_merged(sheet, top + 1, (column, column), "Nam", _HEADING)
            write_merged(sheet, top + 1, (column + 1, column + 1), "Nữ", _HEADING)
        else:
            sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
    for column in range(1, last + 1):
        write_merged(sheet, top + 2, (column, column), f"({column})", _NOTE)
        for row in range(top, top + 3):
            sheet.cell(row, column).border = _THIN
    sheet.row_dimensions[top].height = 45


def _write_rows(sheet: Worksheet, file: AgencyFile, columns: dict[str, int], last: int) -> int:
    """Person rows (with group rows before each category in group-row lists); returns the next free row."""
    row, groups, category = _HEADER_ROW + 3, 0, None
    for stt, person in enumerate(file.people, 1):
        if file.shape == "xlsx-groups" and person.category != category:
            category, groups = person.category, groups + 1
            label = ("I", "II", "III")[groups - 1] + "."
            if file.split_groups:
                write_merged(sheet, row, (1, 1), label, _HEADING)
                write_merged(sheet, row, (2, 2), category.upper(), _HEADING)
            else:
                write_merged(sheet, row, (1, last), f"{label} {category.upper()}", _HEADING)
            row += 1
        values = _values(person, stt)
        for key, column in columns.items():
            value = values[key] or None
            if key == "birth" and not (file.text_dates or person.birth_text):
                value = datetime(person.birth.year, person.birth.month, person.birth.day)
            if key == "birth" and person.female:
                column += 1
            cell = sheet.cell(row, column, value)
            cell.font = _FONT
            if isinstance(value, datetime):
                cell.number_format = "dd/mm/yyyy"
            elif key in ("birth", "national_id", "party_join"):
                cell.number_format = "@"
        for column in range(1, last + 1):
            sheet.cell(row, column).border = _THIN
        row += 1
    return row


def _write_footer(sheet: Worksheet, file: AgencyFile, row: int, columns: dict[str, int], last: int) -> None:
    """The total row (a number, never a formula) and the signature block that ends the table."""
    write_merged(sheet, row, (columns["name"], columns["name"]), file.total_label, _HEADING)
    write_merged(sheet, row, (columns["ethnicity"], columns["ethnicity"]), len(file.people), _HEADING)
    for column in range(1, last + 1):
        sheet.cell(row, column).border = _THIN
    right = last - 7
    write_merged(sheet, row + 2, (right, last), "Tân Uyên, ngày 06 tháng 01 năm 2025", _NOTE)
    write_merged(sheet, row + 3, (columns["name"], columns["name"]), "NGƯỜI LẬP BIỂU", _HEADING)
    write_merged(sheet, row + 3, (right, last), "THỦ TRƯỞNG ĐƠN VỊ", _HEADING)
    write_merged(sheet, row + 4, (columns["name"], columns["name"]), "(Ký, ghi rõ họ tên)", _NOTE)
    write_merged(sheet, row + 4, (right, last), "(Ký, ghi rõ họ tên)", _NOTE)
    preparer = next(person.name for person in reversed(file.people) if not person.defect)
    write_merged(sheet, row + 7, (columns["name"], columns["name"]), preparer, _HEADING)
    write_merged(sheet, row + 7, (right, last), file.people[0].name, _HEADING)
