"""Workbooks staffq writes for people (demo lists, the template, the feedback, the official forms): cells that keep
text as text, the title block of a staff list, A4 printing, and the same bytes from the same inputs."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

FONT_NAME = "Times New Roman"
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
LIST_TITLE = "DANH SÁCH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC, NGƯỜI LAO ĐỘNG"
# The national motto stands over the last columns of the list, as on the printed forms.
_MOTTO_SPAN = 10
# The characters XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return), each as its Unicode
# picture (U+2400 and on: "␁" for \x01): the reader sees where a value holds one, and nothing is lost.
NOT_IN_XML = [chr(code) for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]
PICTURES = [chr(0x2400 + ord(character)) for character in NOT_IN_XML]
_VISIBLE = str.maketrans(dict(zip(NOT_IN_XML, PICTURES, strict=True)))


@dataclass(frozen=True)
class CellStyle:
    """How a written cell looks."""

    font: Font
    alignment: Alignment


@dataclass(frozen=True)
class ListHeading:
    """The title block of a staff list as agencies lay it out (form BM03/BNV): the agency top left over
    `agency_span` columns, the national motto top right, the form's name under the agency when given, then the
    list's title and its as-of line across the list; in Times New Roman of `size` points, the title two larger."""

    agency: str
    as_of_line: str
    agency_span: int
    size: int
    form_name: str = ""


def printable(value: object) -> object:
    """Text with the control characters XML cannot hold, which a file name, a CSV cell or an agency's name may carry,
    shown as their pictures: openpyxl refuses them in a cell or a comment, and nothing written may be dropped."""
    return value.translate(_VISIBLE) if isinstance(value, str) else value


def write_cell(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """`sheet.cell(row, column, value)`, but a str is stored as text, `printable`: openpyxl makes one starting with
    "=" a formula (and "#N/A" an error), so an agency named `=HYPERLINK(...)` would be a live link in the board's
    forms."""
    cell = sheet.cell(row, column, printable(value))
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def write_merged(sheet: Worksheet, row: int, columns: tuple[int, int], value: object, style: CellStyle) -> Cell:
    """`value` written as text (`write_cell`) in the first of `columns` (first, last) of `row`, styled, and the
    columns merged into one cell when there are several."""
    first, last = columns
    cell = write_cell(sheet, row, first, value)
    cell.font, cell.alignment = style.font, style.alignment
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    return cell


def write_list_heading(sheet: Worksheet, heading: ListHeading, last: int) -> None:
    """The title block in rows 1-5 of a list whose last column is `last`."""
    bold = CellStyle(Font(name=FONT_NAME, size=heading.size, bold=True), CENTRED)
    italic = CellStyle(Font(name=FONT_NAME, size=heading.size, italic=True), CENTRED)
    title = CellStyle(Font(name=FONT_NAME, size=heading.size + 2, bold=True), CENTRED)
    motto = last - _MOTTO_SPAN + 1
    write_merged(sheet, 1, (1, heading.agency_span), heading.agency, bold)
    write_merged(sheet, 1, (motto, last), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    write_merged(sheet, 2, (motto, last), "Độc lập - Tự do - Hạnh phúc", bold)
    if heading.form_name:
        write_merged(sheet, 3, (1, 3), heading.form_name, italic)
    write_merged(sheet, 4, (1, last), LIST_TITLE, title)
    write_merged(sheet, 5, (1, last), heading.as_of_line, italic)


def print_on_a4_landscape(sheet: Worksheet, fit_to_width: bool = True) -> None:
    """A4 landscape, as the lists and forms are printed and signed: with `fit_to_width`, one page wide and as many
    pages down as it takes; without, at 100 % (the sheet plans its own page breaks)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    if fit_to_width:
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    else:
        sheet.page_setup.scale = 100
    sheet.sheet_properties.pageSetUpPr.fitToPage = fit_to_width


def save_reproducibly(workbook: Workbook, path: Path, saved_at: dt.datetime) -> None:
    """Stamp the document properties and every zip entry with `saved_at`: openpyxl would write the current time."""
    workbook.properties.created = workbook.properties.modified = saved_at
    buffer = io.BytesIO()
    ExcelWriter(workbook, ZipFile(buffer, "w", ZIP_DEFLATED)).save()
    with ZipFile(buffer) as source, ZipFile(path, "w", ZIP_DEFLATED) as target:
        for item in source.infolist():
            stamped = ZipInfo(item.filename, date_time=saved_at.timetuple()[:6])
            target.writestr(stamped, source.read(item), ZIP_DEFLATED)
