"""Workbooks staffq writes for people (demo lists, the template, the official forms): the same inputs give the same
bytes, and text stays text."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl.cell.cell import Cell
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter


def write_cell(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """`sheet.cell(row, column, value)`, but a str is stored as text: openpyxl makes one starting with "=" a formula
    (and "#N/A" an error), so an agency named `=HYPERLINK(...)` would be a live link in the board's forms."""
    cell = sheet.cell(row, column, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def save_reproducibly(workbook: Workbook, path: Path, saved_at: dt.datetime) -> None:
    """Stamp the document properties and every zip entry with `saved_at`: openpyxl would write the current time."""
    workbook.properties.created = workbook.properties.modified = saved_at
    buffer = io.BytesIO()
    ExcelWriter(workbook, ZipFile(buffer, "w", ZIP_DEFLATED)).save()
    with ZipFile(buffer) as source, ZipFile(path, "w", ZIP_DEFLATED) as target:
        for item in source.infolist():
            stamped = ZipInfo(item.filename, date_time=saved_at.timetuple()[:6])
            target.writestr(stamped, source.read(item), ZIP_DEFLATED)
