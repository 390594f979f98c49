"""How big one agency file may be, checked before the reader loads it: size on disk, size unpacked, and each
sheet's extent, declared or real."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from schemas.reading.faults import unreadable

MEGABYTE = 1 << 20
# The file-level checks of the read limits: a file over one of them is refused without being read.
LIMIT_CODES = ("file-too-large", "file-unpacked-too-large", "file-too-many-columns", "file-too-many-cells")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?"')
# A cell far from A1: column AAA (703) and beyond, column CW (101) and beyond, row 10,000 and beyond in a two-letter
# column, or row 100,000 and beyond. A sheet with none of them has its cells in columns A to CV and rows 1 to 99,999:
# under the default ten million cells, whatever the cells' places (ZZ9999 beside Z99999 would make seventy million,
# were column ZZ not far). A list rarely has a hundred columns, so far cells are rare in sheets that are fine. The
# search starts at a literal `r="` (the attribute's name is always lower case; the reader takes the column's letters
# in either case), which keeps it to a small part of reading the sheet; only a block that holds such a cell is read
# again for the places.
_FAR_COLUMN = rb"[A-Za-z]{3,}|(?:[D-Zd-z][A-Za-z]|[Cc][W-Zw-z])(?=[0-9])|[A-Za-z]{2}(?=[0-9]{5})|[A-Za-z](?=[0-9]{6})"
_FAR_CELL = re.compile(rb'r="(?:' + _FAR_COLUMN + rb")")
_FAR_CELL_PLACE = re.compile(rb'r="(' + _FAR_COLUMN + rb')([0-9]+)"')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]+)"')
_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_VALUE_TYPE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}value-type"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(frozen=True)
class ReadLimits:
    """How big one agency file may be. Checked before the reader loads it (size on disk, size unpacked, each
    sheet's declared used area) and again on the cells read, so one hostile or runaway file cannot take the
    night's memory or time from the other agencies."""

    max_file_mb: float = 200.0
    max_unpacked_mb: float = 500.0
    max_cells: int = 10_000_000
    max_columns: int = 1_024


class OverLimit(Exception):
    """The file is over a read limit and was not read; `code` and `params` become its file-level issue."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


def check_archive(path: Path, limits: ReadLimits) -> None:
    """An .xlsx or .ods is a zip: unpack it once as a stream, counting bytes, before the reader loads it. The
    sizes the zip declares are checked first, then the bytes themselves (zipfile stops at the declared size and
    checks the CRC, so a zip that under-declares is corrupt); the first block of each worksheet gives the used
    area the sheet declares."""
    cap = limits.max_unpacked_mb * MEGABYTE
    over = OverLimit("file-unpacked-too-large", max_mb=megabytes(cap))
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if sum(entry.file_size for entry in entries) > cap:
                raise over
            sheet_names = _worksheet_names(archive)
            unpacked = 0
            for entry in entries:
                extent = _Extent(sheet_names[entry.filename]) if entry.filename in sheet_names else None
                with archive.open(entry) as handle:
                    first = b""
                    while block := handle.read(MEGABYTE):
                        first = first or block
                        unpacked += len(block)
                        if unpacked > cap:
                            raise over
                        if extent:
                            extent.scan(block)
                if extent and (area := _DIMENSION.search(first)):
                    _check_dimension(extent.sheet, area, limits)
                if extent:
                    extent.check(limits)
            if "content.xml" in archive.namelist() and path.suffix.lower() == ".ods":
                _check_ods_extent(archive, limits)
    except (zipfile.BadZipFile, EOFError, ElementTree.ParseError) as error:
        raise unreadable(error) from error


class _Extent:
    """The real extent of an .xlsx sheet, read from its cells while the sheet's XML streams by: the area a sheet
    declares can be a lie, and the reader allocates the area its cells span — one cell at XFD1048576 beside a
    list in A1:H20 makes it allocate the whole sheet. Only the cells far from A1 (see _FAR_CELL) and the last row
    are looked at, which keeps the scan to a small part of the reading: cells all near A1 span less than the
    default limit of cells (a lower [limits] max_cells is checked on the cells read)."""

    def __init__(self, sheet: str):
        self.sheet = sheet
        self.last_row = 0
        self.last_column = 0
        self._end = b""

    def scan(self, block: bytes) -> None:
        # A place cut in two by the block boundary is whole in the overlap carried over.
        data = self._end[-64:] + block
        if _FAR_CELL.search(data):
            for letters, row in _FAR_CELL_PLACE.findall(data):
                self.last_column = max(self.last_column, _column_index(letters.decode().upper()))
                self.last_row = max(self.last_row, int(row))
        self._end = data[-(1 << 16) :]

    def check(self, limits: ReadLimits) -> None:
        """Within the limits, with the last row of the sheet (rows are written in order, so it is at its end)."""
        if self.last_column:
            rows = _ROW_NUMBER.findall(self._end)
            last_row = max(self.last_row, int(rows[-1]) if rows else 0)
            check_area(self.sheet, 1, last_row, 1, self.last_column, limits)


def _check_ods_extent(archive: zipfile.ZipFile, limits: ReadLimits) -> None:
    """An .ods sheet's real extent, counted from its XML as it streams: a cell or row may say it is repeated a
    million times, so a tiny file can stand for more cells than any limit allows. Repeated empty cells and rows (every
    sheet LibreOffice saves ends with them) take no room in the reader and are not counted."""
    table, row, column, last_row, last_column, row_used = "", 0, 0, 0, 0, False
    with archive.open("content.xml") as handle:
        for event, element in ElementTree.iterparse(handle, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{_ODS_TABLE}table":
                    table, row, last_row, last_column = element.get(f"{_ODS_TABLE}name", ""), 0, 0, 0
                continue
            if tag in (f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell"):
                repeated = int(element.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
                if len(element) or element.get(_ODS_VALUE_TYPE):
                    last_column, row_used = max(last_column, column + repeated), True
                column += repeated
                element.clear()
            elif tag == f"{_ODS_TABLE}table-row":
                repeated = int(element.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
                last_row = row + repeated if row_used else last_row
                row, column, row_used = row + repeated, 0, False
                element.clear()
                if last_column:
                    check_area(table, 1, last_row, 1, last_column, limits)


def _worksheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part (xl/worksheets/sheet1.xml) to the sheet's name as the clerk sees it on its tab."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in relations.iter() if r.tag.endswith("Relationship")}
    names = {}
    for sheet in workbook.iter():
        if sheet.tag.endswith("}sheet") and (target := targets.get(sheet.get(_RELATIONSHIP_ID))):
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            names[str(PurePosixPath(part))] = sheet.get("name", "")
    return names


def _check_dimension(sheet: str, area: re.Match[bytes], limits: ReadLimits) -> None:
    first_column, first_row, last_column, last_row = (g.decode() if g else None for g in area.groups())
    first, last = _column_index(first_column), _column_index(last_column or first_column)
    check_area(sheet, int(first_row), int(last_row or first_row), first, last, limits)


def check_area(
    sheet: str, first_row: int, last_row: int, first_column: int, last_column: int, limits: ReadLimits
) -> None:
    """A sheet's used area, in 1-based rows and columns, within the column and cell limits."""
    if last_column > limits.max_columns:
        raise OverLimit(
            "file-too-many-columns",
            sheet=sheet,
            column=_column_letters(last_column),
            columns=last_column,
            max_columns=limits.max_columns,
        )
    cells = max(0, last_row - first_row + 1) * max(0, last_column - first_column + 1)
    if cells > limits.max_cells:
        area = f"{_column_letters(first_column)}{first_row}:{_column_letters(last_column)}{last_row}"
        raise OverLimit("file-too-many-cells", sheet=sheet, area=area, cells=cells, max_cells=limits.max_cells)


def _column_index(letters: str) -> int:
    """1-based column number of Excel column letters (A is 1, XFD is 16,384)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def megabytes(size: float) -> str:
    """Bytes as the megabytes Windows shows, to two decimals at most: 200, 0.25."""
    return f"{round(size / MEGABYTE, 2):g}"
