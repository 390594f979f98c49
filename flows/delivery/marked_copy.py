"""The clerk's own list back, every cell with a problem filled red (an error) or yellow (a warning) and explained in
a comment, led by the "Lỗi" sheet. An .xlsx is patched as a package (flows.excel.marking); a CSV or .xls is first
rebuilt as a workbook of its cells, laid out as the list it is; a workbook the patch cannot mark is copied through
openpyxl. Formulas, links and macros never go back live."""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import openpyxl
import polars as pl
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from flows.delivery.issue_sheet import FILLS, LINE_HEIGHT, IssueSheet, first_sheet
from flows.excel.marking import CellFormat, Mark, WrittenSheet, mark_workbook, write_workbook
from flows.excel.marking.written_sheets import row_xml, worksheet_xml
from flows.excel.workbooks import NOT_IN_XML, PICTURES, printable
from schemas.reading.headers import header_index
from schemas.reading.layout import NoHeader, locate_table
from schemas.reading.reader import TEXT_SUFFIXES, read_sheets
from schemas.reading.sheets import Sheet, column_number
from schemas.staff import fields_of_kind

# What XML cannot hold as it is in a cell's text: its own markup characters, escaped, and the control characters
# it cannot hold at all, shown as their pictures (flows.excel.workbooks.printable).
_ESCAPED = ["&", "<", ">", *NOT_IN_XML]
_ESCAPES = ["&amp;", "&lt;", "&gt;", *PICTURES]
# A rebuilt list's columns: as wide as their longest cell, within these bounds (characters).
_REBUILT_WIDTHS = (6, 40)
_HEADER_LINES = 3
_OPENPYXL_SUFFIXES = {".xlsx", ".xlsm"}


def their_workbook(source: Path) -> Workbook:
    """Their own .xlsx through openpyxl, formulas kept as inert text: for a workbook the patch cannot mark."""
    # Links to other workbooks go too: a DDE link there would run a program when the clerk opens the file.
    workbook = openpyxl.load_workbook(source, keep_links=False)
    _neutralise_formulas(workbook)
    return workbook


def _rebuilt_workbook(source: Path, sent_as: Path, path: Path) -> None:
    """A CSV's or .xls's cells as a workbook, every value as the text it was, laid out as the list it is
    (`_rebuilt_layout`); a text file's one sheet is named after the file as sent (the archive copy is named by its
    hash)."""
    sheets, _ = read_sheets(source)
    is_text = sent_as.suffix.lower() in TEXT_SUFFIXES
    titles: set[str] = set()
    written = []
    for sheet in sheets:
        title = _sheet_title(sent_as.stem if is_text else sheet.name)
        # Excel compares sheet names without case; two sheets cut to the same 31 characters get a number.
        title = next(t for n in range(len(titles) + 1) if (t := _numbered(title, n)).casefold() not in titles)
        titles.add(title.casefold())
        written.append(WrittenSheet(title, partial(_rebuilt_sheet_xml, sheet, _rebuilt_layout(sheet))))
    write_workbook(written, path)


def _rebuilt_sheet_xml(sheet: Sheet, layout: _RebuiltLayout, style: Callable[[CellFormat], int]) -> bytes:
    """A sheet's cells as worksheet XML: the header bold and wrapped over the list's columns, the ID and date
    columns of the list formatted as text (blank cells too, down to the last row with a value), the rows below the
    header and the first two columns frozen. Written a row at a time as text, its values escaped by polars."""
    columns = [column_number(name) for name in sheet.cells.columns]
    letters = [get_column_letter(column) for column in columns]
    header, as_text = style(CellFormat(bold=True, wrap=True, top=True)), style(CellFormat(text=True))
    # A cell's format by the part of the list its row is in: the header, the list, or neither.
    in_header = [f' s="{header}"' if column in layout.widths else "" for column in columns]
    in_list = [f' s="{as_text}"' if column in layout.text_columns else "" for column in columns]
    elsewhere = [""] * len(columns)
    escaped = sheet.cells.with_columns(pl.all().cast(pl.String).str.replace_many(_ESCAPED, _ESCAPES))
    rows = []
    for number, values in enumerate(escaped.iter_rows(), start=1):
        formats = (
            in_header
            if layout.header_row <= number < layout.first_row
            else in_list
            if number >= layout.first_row
            else elsewhere
        )
        blanks_kept = number <= layout.last_row
        cells = [
            f'<c r="{letter}{number}"{format_} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
            if value is not None
            else f'<c r="{letter}{number}"{format_}/>'
            if format_ and blanks_kept
            else ""
            for letter, format_, value in zip(letters, formats, values, strict=True)
        ]
        if any(cells):
            rows.append(row_xml(number, cells, layout.header_height if number == layout.header_row else None))
    frozen = (layout.first_row - 1, 2) if layout.first_row else (0, 0)
    return worksheet_xml(rows, dict(layout.widths), frozen=frozen)


def _numbered(title: str, number: int) -> str:
    return title if number == 0 else title[: 31 - len(str(number))] + str(number)


@dataclass(frozen=True)
class _RebuiltLayout:
    """How a list rebuilt from its cells is laid out: the header's first row and the first person row (0: no list
    found), each list column's width, the columns of IDs and dates, the header's height and the last row with a
    value."""

    header_row: int = 0
    first_row: int = 0
    widths: dict[int, int] = field(default_factory=dict)
    text_columns: frozenset[int] = frozenset()
    header_height: int = LINE_HEIGHT
    last_row: int = 0


def _rebuilt_layout(sheet: Sheet) -> _RebuiltLayout:
    """A list rebuilt from its cells (a CSV has no layout) made readable as the list it is: columns as wide as
    their cells, the header wrapped and frozen above the rows, and the ID and date columns formatted as text, so
    that Excel keeps a leading zero or a day-first date as the clerk types it when fixing the row."""
    try:
        table = locate_table(sheet, header_index())
    except NoHeader:
        return _RebuiltLayout()
    if table.rows.is_empty():
        return _RebuiltLayout()
    first_row = int(table.rows["row_number"].min())
    filled = [sum(cell is not None for cell in row) for row in sheet.cells.head(first_row - 1).rows()]
    header_row = filled.index(max(filled)) + 1 if filled else first_row
    as_text = set(fields_of_kind("date", "id"))
    low, high = _REBUILT_WIDTHS
    header_lines = 1
    widths, text_columns = {}, set()
    for column in table.columns:
        number = column_number(column.name)
        cells = table.rows[column.name].drop_nulls().str.len_chars() if column.name in table.rows.columns else None
        longest = int(cells.max() or 0) if cells is not None and len(cells) else 0
        # Wide enough for the cells and for the header on at most _HEADER_LINES lines.
        top = column.header.split(" › ")[0]
        width = max(min(max(longest, _longest_word(top), -(-len(top) // _HEADER_LINES)) + 2, high), low)
        widths[number] = width
        # A header of several levels ("Ngày, tháng, năm sinh › Nam") is spread over its rows; the top one is longest.
        header_lines = max(header_lines, -(-len(top) // (width - 2)))
        if column.match and column.match.field in as_text:
            text_columns.add(number)
    filled_rows = sheet.cells.select(pl.any_horizontal(pl.all().is_not_null())).to_series().arg_true()
    last_row = max(int(filled_rows.max() or 0) + 1 if len(filled_rows) else 0, first_row - 1)
    return _RebuiltLayout(header_row, first_row, widths, frozenset(text_columns), LINE_HEIGHT * header_lines, last_row)


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _neutralise_formulas(workbook: Workbook) -> None:
    """A formula sent back would run on the clerk's machine; it goes back as the text it was (an array formula
    keeps its text too)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.value = str(getattr(cell.value, "text", cell.value))
                    cell.data_type = "s"


def patch_their_workbook(source: Path, sent_as: Path, layout: IssueSheet, issues: pl.DataFrame, path: Path) -> None:
    """Their own workbook, marked and led by the "Lỗi" sheet, patched as a package rather than loaded. A CSV or
    .xls is first rebuilt as a workbook of its cells."""
    with tempfile.TemporaryDirectory(prefix="staffq-loi-") as folder:
        if sent_as.suffix.lower() not in _OPENPYXL_SUFFIXES:
            _rebuilt_workbook(source, sent_as, Path(folder) / "rebuilt.xlsx")
            source = Path(folder) / "rebuilt.xlsx"
        mark_workbook(source, first_sheet(layout), cell_marks(issues), path, title_of=_sheet_title)


def cell_marks(issues: pl.DataFrame) -> list[Mark]:
    """One mark per cell with problems: red if any is an error, yellow otherwise, its comment every message."""
    cells = (
        issues.filter(pl.col("row_number").is_not_null())
        .group_by(["sheet", "row_number", "column_number"], maintain_order=True)
        .agg(
            (pl.col("severity") == "error").any().alias("is_error"),
            pl.concat_str(pl.lit("• "), pl.col("message_vi")).str.join("\n").alias("text"),
            pl.len().alias("count"),
        )
    )
    return [
        Mark(sheet or "", int(row), int(column or 1), is_error, printable(text), count)
        for sheet, row, column, is_error, text, count in cells.iter_rows()
    ]


def mark_cells(workbook: Workbook, issues: pl.DataFrame) -> None:
    """Fill each cell with a problem (red for errors, yellow for warnings) and explain it in a comment."""
    sheets = {}
    for mark in cell_marks(issues):
        if mark.sheet not in sheets:
            sheets[mark.sheet] = _find_sheet(workbook, mark.sheet)
        sheet = sheets[mark.sheet]
        if sheet is None:
            continue
        cell = sheet.cell(mark.row, mark.column)
        cell.fill = FILLS["error" if mark.is_error else "warning"]
        comment = Comment(mark.text, "staffq")
        comment.width, comment.height = 320, 40 + 30 * mark.count
        cell.comment = comment


def _find_sheet(workbook: Workbook, name: str | None):
    if name in workbook.sheetnames:
        return workbook[name]
    titled = _sheet_title(name or "")
    return workbook[titled] if titled in workbook.sheetnames else None


def _sheet_title(name: str) -> str:
    """Excel sheet titles: at most 31 characters, none of []:*?/\\ nor a control character."""
    cleaned = "".join("_" if c in "[]:*?/\\" or unicodedata.category(c) == "Cc" else c for c in name)[:31]
    return cleaned or "Danh sách"
