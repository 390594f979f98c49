"""Turn an agency file into grids of cleaned text cells, one per sheet, whatever its format."""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import fastexcel
import polars as pl

from schemas.legacy_text import LEGACY_ENCODINGS, detect_legacy, to_unicode, to_unicode_as
from schemas.text import clean_column

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
SUPPORTED_SUFFIXES = EXCEL_SUFFIXES | TEXT_SUFFIXES
MEGABYTE = 1 << 20
# How many first lines of a text file give its width, unless a wider row turns up further down.
_SAMPLE_LINES = 1_000
# A cell over this many lines is rows run together by a stray quote, not one person's address or career history.
_MAX_CELL_LINES = 100
# How many lines holding 8-bit bytes decide whether a text file that is not all UTF-8 is mostly UTF-8.
_ENCODING_SAMPLE_LINES = 200
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
# The file-level checks of the read limits: a file over one of them is refused without being read.
LIMIT_CODES = ("file-too-large", "file-unpacked-too-large", "file-too-many-columns", "file-too-many-cells")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?"')
# A cell whose place alone makes a large area with A1: column AAA (703) and beyond, or row 10,000 and beyond in a
# two-letter column, or 100,000 and beyond. Below these, any area is under ten million cells. The search starts at a
# literal `r="` (the attribute's name is always lower case; the reader takes the column's letters in either case),
# which keeps it to a small part of reading the sheet; only a block that holds such a cell is read again for the
# places.
_FAR_CELL = re.compile(rb'r="[A-Za-z](?:[A-Za-z]{2}|[A-Za-z][0-9]{5}|[0-9]{6})')
_FAR_CELL_PLACE = re.compile(rb'r="([A-Za-z]{3,}|[A-Za-z]{2}(?=[0-9]{5})|[A-Za-z](?=[0-9]{6}))([0-9]+)"')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]+)"')
_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_VALUE_TYPE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}value-type"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class UnreadableFile(Exception):
    """The file cannot be opened as a spreadsheet. `reason` is shown to the clerk, in Vietnamese only; `reason_en`
    and the reader's own words (`detail`, English text of a library the clerk cannot act on) are for the log."""

    def __init__(self, reason: str, reason_en: str, detail: str = ""):
        super().__init__(f"{reason_en}: {detail}" if detail else reason_en)
        self.reason = reason
        self.reason_en = reason_en
        self.detail = detail

    @property
    def explained_en(self) -> str:
        """The English reason with the reader's words, as the log and message_en give it."""
        return f"{self.reason_en}; the reader said: {self.detail}" if self.detail else self.reason_en


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


def column_name(position: int) -> str:
    """Grid column name of the sheet column at 0-based `position` (column A is c0)."""
    return f"c{position}"


def column_number(name: str) -> int:
    """1-based sheet column number of a grid column, as Excel counts (A is 1)."""
    return int(name[1:]) + 1


@dataclass(frozen=True)
class Sheet:
    """One sheet as a grid of text: column `c<j>` is sheet column j (c0 is A), row i is sheet row i + 1."""

    name: str
    cells: pl.DataFrame
    visible: bool = True
    legacy_cells: dict[str, int] = field(default_factory=dict)
    date1904: bool = False


@dataclass(frozen=True)
class ReadWarning:
    """Something the reader had to decide that the clerk should know of; `code` and `params` become a file-level
    issue."""

    code: str
    params: dict[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class TextFormat:
    """How a text file was decoded, recorded on the submission so nothing is guessed silently; `warnings` become
    the file's issues."""

    encoding: str
    delimiter: str
    warnings: tuple[ReadWarning, ...] = ()


class MalformedCsv(Exception):
    """A text file whose lines run together into one cell: a quote opened and never closed, or closed by another
    stray quote. The rows after it cannot be trusted, so none is read; `code` and `params` become its file-level
    issue, and `text_format` says how the file was decoded."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params
        self.text_format: TextFormat | None = None


def read_sheets(path: Path, limits: ReadLimits = ReadLimits()) -> tuple[list[Sheet], TextFormat | None]:
    """Read every sheet of `path` as cleaned text; raise UnreadableFile with a reason a clerk can act on,
    OverLimit for a file too big to read, or MalformedCsv for a text file whose lines run together."""
    sheets, text_format = read_raw_sheets(path, limits)
    return clean_sheets([sheets])[0], text_format


def clean_sheets(files: list[list[Sheet]]) -> list[list[Sheet]]:
    """The sheets of many files with every cell cleaned (NFC, look-alikes fixed, spaces collapsed, blank to null)
    and TCVN3 or VNI text converted. Cleaning has a cost per sheet however few its cells, so a night's files are
    stacked, cleaned and searched for legacy text in one pass, and split again."""
    sheets = [sheet for file in files for sheet in file]
    if not sheets:
        return [[] for _ in files]
    stacked = pl.concat(
        [sheet.cells.with_columns(_sheet=pl.lit(i, pl.Int32)) for i, sheet in enumerate(sheets)], how="diagonal"
    )
    cleaned = stacked.with_columns(clean_column(name) for name in stacked.columns if name != "_sheet")
    candidates = _legacy_candidates(cleaned)
    parts = cleaned.partition_by("_sheet", as_dict=True, include_key=False)
    done = iter([_cleaned(sheet, parts.get((i,)), candidates.get(i, [])) for i, sheet in enumerate(sheets)])
    return [[next(done) for _ in file] for file in files]


def _legacy_candidates(cells: pl.DataFrame) -> dict[int, list[tuple[str, int]]]:
    """Per sheet, the distinct cells that can be legacy text (Latin-1 letters, nothing beyond) and how often each
    is written."""
    if cells.columns == ["_sheet"]:
        return {}
    maybe_legacy = pl.col("value").str.contains(r"[\u00a1-\u00ff]") & ~pl.col("value").str.contains(r"[^\x00-\xff]")
    found = (
        cells.unpivot(index="_sheet", value_name="value")
        .filter(maybe_legacy)
        .group_by("_sheet", "value", maintain_order=True)
        .len()
    )
    candidates: dict[int, list[tuple[str, int]]] = {}
    for sheet, value, times in found.iter_rows():
        candidates.setdefault(sheet, []).append((value, times))
    return candidates


def _cleaned(sheet: Sheet, cells: pl.DataFrame | None, candidates: list[tuple[str, int]]) -> Sheet:
    """A sheet with its cleaned cells (None: it had no rows) and any TCVN3 or VNI text converted to Unicode,
    with a count of the cells that were."""
    cells = sheet.cells if cells is None else cells.select(sheet.cells.columns)
    converted, legacy_cells = _convert_legacy(cells, candidates)
    return dataclasses.replace(sheet, cells=converted, legacy_cells=legacy_cells)


def read_raw_sheets(path: Path, limits: ReadLimits = ReadLimits()) -> tuple[list[Sheet], TextFormat | None]:
    """The sheets of `path` as the file holds them, columns named after their place; see `read_sheets`."""
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if size > limits.max_file_mb * MEGABYTE:
        raise OverLimit("file-too-large", size_mb=_megabytes(size), max_mb=_megabytes(limits.max_file_mb * MEGABYTE))
    if suffix in EXCEL_SUFFIXES:
        return _read_workbook(path, limits), None
    if suffix in TEXT_SUFFIXES:
        sheet, text_format = _read_text(path, limits)
        return [sheet], text_format
    raise UnreadableFile(
        f"định dạng {suffix or 'không rõ'} không được hỗ trợ", f"the {suffix or 'unknown'} format is not supported"
    )


def _read_workbook(path: Path, limits: ReadLimits) -> list[Sheet]:
    if zipfile.is_zipfile(path):
        _check_archive(path, limits)
    try:
        reader = fastexcel.read_excel(path)
        loaded = [reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string") for name in reader.sheet_names]
        grids = [
            (sheet.name, sheet.to_polars(), [c.absolute_index for c in sheet.available_columns()], sheet.visible)
            for sheet in loaded
        ]
    except Exception as error:  # calamine raises many kinds for corrupt, encrypted or foreign files
        raise _unreadable(error) from error
    for name, grid, positions, _ in grids:
        if positions:
            _check_area(name, 1, grid.height, min(positions) + 1, max(positions) + 1, limits)
    date1904 = _uses_1904_dates(path)
    return [
        Sheet(name, _named(grid, positions), visible == "visible", date1904=date1904)
        for name, grid, positions, visible in grids
    ]


def _check_archive(path: Path, limits: ReadLimits) -> None:
    """An .xlsx or .ods is a zip: unpack it once as a stream, counting bytes, before the reader loads it. The
    sizes the zip declares are checked first, then the bytes themselves (zipfile stops at the declared size and
    checks the CRC, so a zip that under-declares is corrupt); the first block of each worksheet gives the used
    area the sheet declares."""
    cap = limits.max_unpacked_mb * MEGABYTE
    over = OverLimit("file-unpacked-too-large", max_mb=_megabytes(cap))
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
        raise _unreadable(error) from error


class _Extent:
    """The real extent of an .xlsx sheet, read from its cells while the sheet's XML streams by: the area a sheet
    declares can be a lie, and the reader allocates the area its cells span — one cell at XFD1048576 beside a
    list in A1:H20 is half a terabyte. Only the cells far from A1 (see _FAR_CELL) and the last row are looked at,
    which keeps the scan to a small part of the reading; an area made of cells each near A1 (ZZ1 and A99999) is
    left to the cells-read check after reading and, before that, to the memory limit of the process reading it."""

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
            _check_area(self.sheet, 1, last_row, 1, self.last_column, limits)


def _check_ods_extent(archive: zipfile.ZipFile, limits: ReadLimits) -> None:
    """An .ods sheet's real extent, counted from its XML as it streams: a cell or row may say it is repeated a
    million times, so an 800-byte file can stand for a hundred million cells. Repeated empty cells and rows (every
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
                    _check_area(table, 1, last_row, 1, last_column, limits)


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
    _check_area(sheet, int(first_row), int(last_row or first_row), first, last, limits)


def _check_area(
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


def _megabytes(size: float) -> str:
    """Bytes as the megabytes Windows shows, to two decimals at most: 200, 0.25."""
    return f"{round(size / MEGABYTE, 2):g}"


def _uses_1904_dates(path: Path) -> bool:
    """Old Mac workbooks count days from 1904; calamine converts their date cells, but a bare serial number in a
    General cell is ours to read, so the flag matters."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    return re.search(rb'date1904="(1|true)"', workbook) is not None


def _read_text(path: Path, limits: ReadLimits) -> tuple[Sheet, TextFormat]:
    decoded = _decode(path.read_bytes())
    delimiter = _sniff_delimiter(decoded.text)
    text_format = TextFormat(decoded.encoding, delimiter, decoded.warnings)
    try:
        grid = _text_grid(path.stem, decoded, delimiter, limits)
    except MalformedCsv as fault:
        fault.text_format = text_format
        raise
    return Sheet(path.stem, _named(grid, list(range(grid.width)))), text_format


def _text_grid(name: str, decoded: _Decoded, delimiter: str, limits: ReadLimits) -> pl.DataFrame:
    """The cells of a text file, its rows reconciled with its lines: nothing may vanish inside a cell."""
    text, buffer = decoded.text, decoded.utf8
    lines = _text_lines(buffer)
    # The grid is as wide as the widest row: title lines are narrower than the list. Counting every row with
    # Python's csv module is row-by-row Python, so the first lines give the width (and the lines a number of rows it
    # cannot exceed) and polars reads the cells; a wider row further down makes polars refuse, and only then is every
    # row counted.
    width = _widest_row(_first_lines(text, _SAMPLE_LINES), delimiter)
    read_by_polars = False
    if width:
        with contextlib.suppress(OverLimit, pl.exceptions.PolarsError):
            _check_area(name, 1, lines, 1, width, limits)
            grid = _polars_grid(buffer, delimiter, width)
            read_by_polars = True
            if _lines_fault(buffer, grid, delimiter, lines) is None:
                return grid
    widths = [len(row) for row in _csv_rows(io.StringIO(text, newline=""), delimiter)]
    width = max(widths, default=0)
    if width == 0:
        raise UnreadableFile("tệp rỗng", "the file is empty")
    _check_area(name, 1, len(widths), 1, width, limits)
    if not read_by_polars:
        with contextlib.suppress(pl.exceptions.PolarsError):
            grid = _polars_grid(buffer, delimiter, width)
            if _lines_fault(buffer, grid, delimiter, lines) is None:
                return grid
    # polars refused the file, or read lines that are not in a quoted cell into one (old Mac line ends): the csv
    # module reads it, and what its rows still leave unexplained is the clerk's to fix.
    grid = _grid_of_rows(text, delimiter, width)
    if fault := _lines_fault(buffer, grid, delimiter, lines):
        raise fault
    return grid


def _text_lines(buffer: bytes) -> int:
    """The lines of a text file as an editor shows them: a line ends at \\r\\n, \\n or \\r (old Macs), the last one
    perhaps at none."""
    return _line_breaks(buffer, 0, len(buffer)) + (0 if buffer.endswith((b"\n", b"\r")) else 1)


def _lines_fault(buffer: bytes, grid: pl.DataFrame, delimiter: str, lines: int) -> MalformedCsv | None:
    """Reconcile the rows read with the file's lines. A line that is not a row of its own must be inside a cell that
    the file writes as one quoted field (its quotes doubled, closed before a separator or a line end), of a size
    one person's notes can have. None when every line is accounted for so; else the fault at the first that is not.

    Most files have no line break inside a cell, and comparing two counts settles them; otherwise only the cells
    that hold line breaks are looked for in the file's bytes, each from where the one before was found."""
    if grid.height == lines:
        return None
    holds_breaks = grid.select(pl.all().str.contains(r"[\r\n]").any()).row(0, named=True)
    spanning = [name for name, holds in holds_breaks.items() if holds]
    rows = (
        grid.select(spanning)
        .with_row_index("_row")
        .with_columns(pl.col(spanning).str.count_matches(r"\r\n?|\n").fill_null(0).name.prefix("_breaks_"))
        .with_columns(_breaks=pl.sum_horizontal(pl.col("^_breaks_.*$"), pl.lit(0)))
        .with_columns(_first_line=pl.col("_row").cast(pl.Int64) + 1 + pl.col("_breaks").cum_sum() - pl.col("_breaks"))
    )
    # Every line break is a row's end or inside a cell; the last row's end may be inside its cell (a quote open
    # at the end of the file).
    accounted = grid.height + rows["_breaks"].sum()
    if accounted not in (lines, lines + 1):
        return MalformedCsv("file-csv-rows-mismatch", lines=lines, rows=grid.height, line=min(accounted, lines - 1) + 1)
    found_to = 0
    for row in rows.filter(pl.col("_breaks") > 0).iter_rows(named=True):
        line = row["_first_line"]
        for name in spanning:
            breaks, cell = row[f"_breaks_{name}"], row[name]
            if not breaks:
                continue
            quoted = b'"' + cell.encode().replace(b'"', b'""') + b'"'
            found = _quoted_field_at(buffer, quoted, found_to, delimiter)
            if found < 0:
                if row["_row"] < grid.height - 1 or not _open_to_the_end(buffer, quoted[:-1], delimiter):
                    return MalformedCsv("file-csv-rows-mismatch", lines=lines, rows=grid.height, line=line)
                # The quote is still open at the end of the file; opened on the last line, nothing ran into it.
                if re.search(r"[\r\n]", cell.rstrip("\r\n")):
                    return MalformedCsv("file-csv-quote-unbalanced", line=line)
            elif breaks >= _MAX_CELL_LINES:
                return MalformedCsv("file-csv-rows-mismatch", lines=lines, rows=grid.height, line=line)
            else:
                found_to = found + len(quoted)
            line += breaks
    return None


def _quoted_field_at(buffer: bytes, quoted: bytes, start: int, delimiter: str) -> int:
    """Where `quoted` stands as a whole field in `buffer`, from `start` on; -1 if nowhere."""
    found = buffer.find(quoted, start)
    while found >= 0 and not (
        _field_starts(buffer, found, delimiter) and _field_ends(buffer, found + len(quoted), delimiter)
    ):
        found = buffer.find(quoted, found + 1)
    return found


def _open_to_the_end(buffer: bytes, opened: bytes, delimiter: str) -> bool:
    """Whether the file ends with `opened`, a field whose quote is never closed."""
    return buffer.endswith(opened) and _field_starts(buffer, len(buffer) - len(opened), delimiter)


def _field_starts(buffer: bytes, at: int, delimiter: str) -> bool:
    return at == 0 or buffer[at - 1 : at] in (delimiter.encode(), b"\n", b"\r")


def _field_ends(buffer: bytes, at: int, delimiter: str) -> bool:
    return at == len(buffer) or buffer[at : at + 1] in (delimiter.encode(), b"\n", b"\r")


def _first_lines(text: str, count: int) -> list[str]:
    """The first lines of `text`, found in a prefix: splitting all of a long file's text would copy it."""
    prefix = 1 << 16
    while True:
        lines = text[:prefix].splitlines(keepends=True)
        if len(lines) > count or prefix >= len(text):
            return lines[:count]
        prefix *= 4


def _widest_row(lines: Iterable[str], delimiter: str) -> int:
    return max((len(row) for row in _csv_rows(lines, delimiter)), default=0)


def _csv_rows(lines: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(lines, delimiter=delimiter)
    first_line = 1
    try:
        for row in reader:
            yield row
            first_line = reader.line_num + 1
    except csv.Error as error:
        # A cell longer than the csv module takes (128 K characters) that runs over lines is a quote left open.
        if reader.line_num > first_line:
            raise MalformedCsv("file-csv-quote-unbalanced", line=first_line) from error
        raise UnreadableFile("không đọc được nội dung tệp CSV", "the CSV text cannot be read", str(error)) from error


def _polars_grid(buffer: bytes, delimiter: str, width: int) -> pl.DataFrame:
    return pl.read_csv(
        buffer,
        has_header=False,
        separator=delimiter,
        schema={f"c{j}": pl.String for j in range(width)},
        missing_columns="insert",
    )


def _grid_of_rows(text: str, delimiter: str, width: int) -> pl.DataFrame:
    """What polars refuses (a stray quote, old Mac line ends) Python's csv module still reads, more slowly."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    columns = {f"c{j}": [row[j] if j < len(row) else None for row in rows] for j in range(width)}
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


def _convert_legacy(cells: pl.DataFrame, candidates: list[tuple[str, int]]) -> tuple[pl.DataFrame, dict[str, int]]:
    """Convert the sheet's cells that read as legacy text, looking only at its `candidates`, each distinct value
    once."""
    converted: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for value, times in candidates:
        text, encoding = to_unicode(value)
        if encoding:
            converted[value] = text
            counts[encoding] += times
    if not converted:
        return cells, {}
    # The sheet's encoding, known from the cells that could only be legacy, decides the ambiguous ones; but only
    # in a sheet that is mostly legacy, or a Unicode "Hoà" (VNI for "Hồ") would be turned into another name.
    dominant = counts.most_common(1)[0][0]
    if len(converted) < max(3, len(candidates) // 2):
        return cells.with_columns(pl.col(name).replace(converted) for name in cells.columns), dict(counts)
    for value, times in candidates:
        text = None if value in converted else to_unicode_as(value, dominant)
        if text is not None and text != value:
            converted[value] = text
            counts[dominant] += times
    return cells.with_columns(pl.col(name).replace(converted) for name in cells.columns), dict(counts)


@dataclass(frozen=True)
class _Decoded:
    """A text file's characters, the same as UTF-8 bytes for polars (the file's own bytes when they are UTF-8), and
    how they were decoded."""

    text: str
    utf8: bytes
    encoding: str
    warnings: tuple[ReadWarning, ...] = ()


def _decode(data: bytes) -> _Decoded:
    """BOM first, then strict UTF-8 (line by line when a few lines are not UTF-8), then the Vietnamese Windows code
    page."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as error:
                if encoding == "utf-8-sig" and (mixed := _decode_lines(data[len(bom) :], encoding)):
                    return mixed
                raise UnreadableFile(
                    f"tệp văn bản không đúng bảng mã {encoding} (ký tự hỏng ở vị trí {error.start})",
                    f"the text is not valid {encoding} (bad byte at position {error.start})",
                ) from error
            return _Decoded(text, data[len(bom) :] if encoding == "utf-8-sig" else text.encode(), encoding)
    if b"\x00" in data[:4096]:
        raise UnreadableFile("tệp nhị phân, không phải văn bản CSV", "a binary file, not CSV text")
    with contextlib.suppress(UnicodeDecodeError):
        return _Decoded(data.decode("utf-8"), data, "utf-8")
    if mixed := _decode_lines(data, "utf-8"):
        return mixed
    # 8-bit text is Windows-1258, unless it was typed in a TCVN3 or VNI font: those bytes are font codes, which the
    # legacy converter reads from their Latin-1 spelling.
    encoding = _eight_bit_encoding(data)
    text = data.decode(encoding, errors="replace")
    return _Decoded(text, text.encode(), encoding)


def _decode_lines(data: bytes, encoding: str) -> _Decoded | None:
    """A UTF-8 file with a few lines in another encoding (rows pasted from an older list) keeps its UTF-8 lines: only
    the lines that are not UTF-8 are decoded as 8-bit text, and the clerk is told which. None when most lines are
    not UTF-8, for a file of 8-bit text is decoded whole. The file is decoded a block of lines at a time, and only
    a block that is not all UTF-8 line by line."""
    if not _mostly_utf8(data):
        return None
    view = memoryview(data)
    runs: list[tuple[bytes | memoryview, str | None]] = []  # the file's bytes in order, decoded; None: not UTF-8
    foreign: list[int] = []
    position, line_number = 0, 1
    while position < len(data):
        end = data.find(b"\n", position + MEGABYTE) + 1 or len(data)
        try:
            runs.append((view[position:end], codecs.utf_8_decode(view[position:end], "strict", True)[0]))
        except UnicodeDecodeError:
            for offset, line in enumerate(data[position:end].splitlines(keepends=True)):
                try:
                    runs.append((line, line.decode("utf-8")))
                except UnicodeDecodeError:
                    foreign.append(line_number + offset)
                    content = line.rstrip(b"\r\n")
                    line_break = line[len(content) :]
                    runs += [(content, None), (line_break, line_break.decode("ascii"))]
        line_number += _line_breaks(data, position, end)
        position = end
    raw = [bytes(run) for run, text in runs if text is None]
    if _eight_bit_encoding(b"\n".join(raw)) == "latin-1":
        # Converted here, line by line: in the cleaning, a few legacy cells would have the file's Unicode cells that
        # fit in Latin-1 ("Ghi chú") read as legacy too.
        converted, fallback = _from_legacy([line.decode("latin-1") for line in raw])
    else:
        converted, fallback = [line.decode("cp1258", errors="replace") for line in raw], "Windows-1258"
    lines = iter(converted)
    decoded = [(run, text) if text is not None else (None, next(lines)) for run, text in runs]
    utf8 = b"".join(text.encode() if run is None else run for run, text in decoded)
    shown = ", ".join(map(str, foreign[:10])) + (", …" if len(foreign) > 10 else "")
    params = {"lines": shown, "encoding": "UTF-8", "fallback": fallback}
    text = "".join(text for _, text in decoded)
    return _Decoded(text, utf8, encoding, (ReadWarning("file-encoding-mixed", params),))


def _from_legacy(lines: list[str]) -> tuple[list[str], str]:
    """Lines typed in a TCVN3 or VNI font, converted cell by cell, and the encoding: the one most cells read as,
    which also decides the cells too short to tell alone."""
    # Split at every separator a list can use, which are kept: what is converted is the text between them.
    parts = [re.split(r"([,;\t])", line) for line in lines]
    readings = [to_unicode(cell) for cells in parts for cell in cells[::2]]
    found = Counter(encoding for _, encoding in readings if encoding)
    encoding = found.most_common(1)[0][0] if found else LEGACY_ENCODINGS[0]
    cells = iter(text if read_as else to_unicode_as(text, encoding) or text for text, read_as in readings)
    return ["".join(part if i % 2 else next(cells) for i, part in enumerate(line)) for line in parts], encoding


def _mostly_utf8(data: bytes) -> bool:
    """Most of the first lines that hold 8-bit bytes are UTF-8; lines of plain ASCII say nothing either way."""
    utf8 = other = position = 0
    while utf8 + other < _ENCODING_SAMPLE_LINES and (found := _HIGH_BYTE.search(data, position)):
        start, position = _line_around(data, found.start(), position)
        try:
            data[start:position].decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            other += 1
    return utf8 > other


def _line_around(data: bytes, at: int, floor: int) -> tuple[int, int]:
    """Where the line holding byte `at` starts and ends (before its line break), not looking back past `floor`."""
    start = max(data.rfind(b"\n", floor, at), data.rfind(b"\r", floor, at), floor - 1) + 1
    newline = data.find(b"\n", at)
    newline = len(data) if newline < 0 else newline
    carriage_return = data.find(b"\r", at, newline)
    return start, newline if carriage_return < 0 else carriage_return


def _line_breaks(data: bytes, start: int, end: int) -> int:
    newlines, returns = data.count(b"\n", start, end), data.count(b"\r", start, end)
    return newlines + returns - (data.count(b"\r\n", start, end) if newlines and returns else 0)


def _eight_bit_encoding(data: bytes) -> str:
    """Windows-1258, or Latin-1 for text typed in a TCVN3 or VNI font, whose bytes the legacy converter reads."""
    return "latin-1" if _mostly_legacy(data.decode("latin-1")) else "cp1258"


def _mostly_legacy(text: str) -> bool:
    """Most cells with 8-bit letters in the first lines read as TCVN3 or VNI."""
    cells = [cell for line in text.splitlines()[:200] for cell in re.split(r"[,;\t]", line) if not cell.isascii()]
    return bool(cells) and sum(detect_legacy(cell) is not None for cell in cells) * 2 > len(cells)


def _sniff_delimiter(text: str) -> str:
    sample = "".join(_first_lines(text, 50))
    counts = {delimiter: sample.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter])


def _named(grid: pl.DataFrame, positions: list[int]) -> pl.DataFrame:
    """Each column named after its place in the sheet (c0 is column A, whatever columns are empty before it)."""
    return grid.rename({name: column_name(j) for name, j in zip(grid.columns, positions, strict=True)})


_KNOWN_FAILURES = (
    (("password", "encrypt"), "tệp được đặt mật khẩu", "the file is password-protected"),
    (
        ("zip", "eocd", "cfb", "crc", "not a valid", "invalid"),
        "tệp bị hỏng hoặc không phải tệp Excel",
        "the file is damaged or not an Excel file",
    ),
)


def _unreadable(error: Exception) -> UnreadableFile:
    """A reason the clerk understands, in Vietnamese; the reader's own words are kept for the operator."""
    detail = (str(error).strip().splitlines() or [type(error).__name__])[0][:160]
    lowered = detail.lower()
    for markers, reason, reason_en in _KNOWN_FAILURES:
        if any(marker in lowered for marker in markers):
            return UnreadableFile(reason, reason_en, detail)
    return UnreadableFile("không đọc được nội dung của tệp", "its content cannot be read", detail)
