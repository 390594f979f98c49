"""Turn an agency file into grids of cleaned text cells, one per sheet, whatever its format."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import fastexcel

from schemas.reading.cleaning import clean_sheets
from schemas.reading.faults import UnreadableFile, unreadable
from schemas.reading.limits import MEGABYTE, OverLimit, ReadLimits, check_archive, check_area, megabytes
from schemas.reading.sheets import Sheet, named_by_place
from schemas.reading.text_files import TextFormat, read_text

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
SUPPORTED_SUFFIXES = EXCEL_SUFFIXES | TEXT_SUFFIXES


def read_sheets(path: Path, limits: ReadLimits = ReadLimits()) -> tuple[list[Sheet], TextFormat | None]:
    """Read every sheet of `path` as cleaned text; raise UnreadableFile with a reason a clerk can act on,
    OverLimit for a file too big to read, or MalformedCsv for a text file whose lines run together."""
    sheets, text_format = read_raw_sheets(path, limits)
    return clean_sheets([sheets])[0], text_format


def read_raw_sheets(path: Path, limits: ReadLimits = ReadLimits()) -> tuple[list[Sheet], TextFormat | None]:
    """The sheets of `path` as the file holds them, columns named after their place; see `read_sheets`."""
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if size > limits.max_file_mb * MEGABYTE:
        raise OverLimit("file-too-large", size_mb=megabytes(size), max_mb=megabytes(limits.max_file_mb * MEGABYTE))
    if suffix in EXCEL_SUFFIXES:
        return _read_workbook(path, limits), None
    if suffix in TEXT_SUFFIXES:
        sheet, text_format = read_text(path, limits)
        return [sheet], text_format
    raise UnreadableFile(
        f"định dạng {suffix or 'không rõ'} không được hỗ trợ", f"the {suffix or 'unknown'} format is not supported"
    )


def _read_workbook(path: Path, limits: ReadLimits) -> list[Sheet]:
    if zipfile.is_zipfile(path):
        check_archive(path, limits)
    try:
        reader = fastexcel.read_excel(path)
        loaded = [reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string") for name in reader.sheet_names]
        grids = [
            (sheet.name, sheet.to_polars(), [c.absolute_index for c in sheet.available_columns()], sheet.visible)
            for sheet in loaded
        ]
    except Exception as error:  # calamine raises many kinds for corrupt, encrypted or foreign files
        raise unreadable(error) from error
    for name, grid, positions, _ in grids:
        if positions:
            check_area(name, 1, grid.height, min(positions) + 1, max(positions) + 1, limits)
    date1904 = _uses_1904_dates(path)
    return [
        Sheet(name, named_by_place(grid, positions), visible == "visible", date1904=date1904)
        for name, grid, positions, visible in grids
    ]


def _uses_1904_dates(path: Path) -> bool:
    """Old Mac workbooks count days from 1904; calamine converts their date cells, but a bare serial number in a
    General cell is ours to read, so the flag matters."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    return re.search(rb'date1904="(1|true)"', workbook) is not None
