"""One official form laid out on its sheet: title block, merged multi-level headers, the numbered column row, group
rows with their subtotals, one row per agency, the total row, notes, the place-and-date line and the signatures. A
form wider than a page is split into column slices that each fit one page at 100 %, with the header rows and the
agency names printed again on every page: shrinking a 40-column form onto one sheet of paper leaves figures nobody
can read."""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from dataclasses import dataclass
from itertools import combinations, pairwise

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break, ColBreak, RowBreak
from openpyxl.worksheet.worksheet import Worksheet

from flows.excel.workbooks import CENTRED, FONT_NAME, CellStyle, print_on_a4_landscape, write_cell, write_merged

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LEFT_WRAPPED = Alignment(horizontal="left", vertical="center", wrap_text=True)
# Page geometry, in the units openpyxl writes: column widths in characters of the default font (Calibri 11: a digit
# is 7 pixels at 96 dpi in Excel, nearer 7.5 in LibreOffice, which measures it unrounded), row heights in points.
# Both are taken at their larger reading and the page a little smaller than it is, so that each planned slice of
# columns and rows really fits one page.
_MARGIN_INCHES = 0.35
_TOP_INCHES, _BOTTOM_INCHES = 0.5, 0.6
_PRINTABLE_PX = (297 / 25.4 - 2 * _MARGIN_INCHES) * 96 * 0.97
_PRINTABLE_PT = (210 / 25.4 - _TOP_INCHES - _BOTTOM_INCHES) * 72 * 0.95
_PX_PER_WIDTH = 7.5
_NUMBER_WIDTH = (3.75, 6.0)
_ORDER_WIDTH = 4.0
_NAME_WIDTH = 24.0
_HEADER_FONT_PT, _BODY_FONT_PT = 8, 10


@dataclass(frozen=True)
class Form:
    """One sheet: its name, title block, headers, the rows the warehouse gave for it, the notes under the table,
    and whom its total counts when the sheets add up to the headcount (None for a form outside that sum)."""

    sheet: str
    form_name: str
    basis: str
    title: str
    headers: tuple[tuple[str, ...], ...]
    columns: list[str]
    rows: list[tuple]
    notes: tuple[str, ...] = ()
    counts: str | None = None
    headcount_column: str = "col_01"

    def total(self) -> int | None:
        """The headcount on the total row; None when no agency has a list."""
        position = {name: index for index, name in enumerate(self.columns)}
        total = next((row for row in self.rows if row[position["row_kind"]] == "total"), None)
        return None if total is None else total[position[self.headcount_column]]


@dataclass(frozen=True)
class TitleBlock:
    """Who reports to whom, as of when, and where and when it is signed."""

    reporting_unit: str
    receiving_unit: str
    place: str
    as_of: dt.date
    signed_on: dt.date


@dataclass(frozen=True)
class _Geometry:
    """Where things go on a sheet: the width of a number column and the column slices printed one page wide each
    (sheet column numbers, first and last, of the figures; A and B are printed with every slice)."""

    number_width: float
    slices: list[tuple[int, int]]

    @property
    def width(self) -> int:
        return self.slices[-1][1]

    def parts(self, first: int, last: int) -> list[tuple[int, int]]:
        """Sheet columns first..last cut where pages part (A and B are on every page, so never cut)."""
        if last < 3:
            return [(first, last)]
        return [(max(first, start), min(last, end)) for start, end in self.slices if start <= last and end >= first]

    def footer_columns(self) -> tuple[int, int]:
        """Notes and signatures sit in the last slice, so that they print on the last page; one slice has the
        whole width."""
        first, last = self.slices[-1]
        return (1 if len(self.slices) == 1 else first), last


def _plan(headers: tuple[tuple[str, ...], ...]) -> _Geometry:
    """The fewest slices the figures fit in at the narrowest readable width, cut where the headers part as high up
    as they can without leaving one slice much wider than the others; then the widest columns the slices allow."""
    figures = len(headers)
    room = _PRINTABLE_PX - (_ORDER_WIDTH + _NAME_WIDTH) * _PX_PER_WIDTH
    narrowest, widest = _NUMBER_WIDTH
    capacity = int(room // (narrowest * _PX_PER_WIDTH))
    count = math.ceil(figures / capacity)

    def sizes(cuts: tuple[int, ...]) -> list[int]:
        edges = [0, *cuts, figures]
        return [after - before for before, after in pairwise(edges)]

    def shared(cut: int) -> int:
        """How many header levels the columns either side of a cut share: a cut through a shared heading splits it."""
        left, right = headers[cut - 1], headers[cut]
        return next((level for level, (a, b) in enumerate(zip(left, right, strict=False)) if a != b), len(left))

    def cost(cuts: tuple[int, ...]) -> tuple[int, int]:
        # A split heading costs as much as four more columns in the widest slice.
        return max(sizes(cuts)) + 4 * max((shared(cut) for cut in cuts), default=0), max(sizes(cuts))

    fitting = [cuts for cuts in combinations(range(1, figures), count - 1) if max(sizes(cuts)) <= capacity]
    cuts = min(fitting, key=cost)
    widest_slice = max(sizes(cuts))
    width = min(widest, math.floor(room / widest_slice / _PX_PER_WIDTH * 4) / 4)
    edges = [0, *cuts, figures]
    slices = [(3 + before, 3 + after - 1) for before, after in pairwise(edges)]
    return _Geometry(width, slices)


def write_form(sheet: Worksheet, form: Form, notes: tuple[str, ...], block: TitleBlock) -> None:
    """The form on its sheet, planned to print on A4 landscape at 100 %: column slices a page wide, rows broken
    between pages where a group heading or the signatures would otherwise stand alone."""
    geometry = _plan(form.headers)
    width = geometry.width
    header_top = 8
    _write_title_block(sheet, form, block, geometry, header_top)
    depth = max(len(path) for path in form.headers)
    paths = [("STT",), ("Tên đơn vị",), *form.headers]
    _write_headers(sheet, paths, header_top, depth, geometry)
    numbers_row = header_top + depth
    for index, label in enumerate(["A", "B", *range(1, len(form.headers) + 1)], start=1):
        cell = write_cell(sheet, numbers_row, index, label)
        cell.alignment, cell.border, cell.font = CENTRED, _BOX, Font(name=FONT_NAME, size=8, italic=True)
    sheet.row_dimensions[numbers_row].height = 13
    body = _write_rows(sheet, form, numbers_row + 1, width)
    last = body[-1][0] if body else numbers_row
    sheet.row_dimensions[last + 1].height = 8
    end = _write_footer(sheet, notes, block, last + 2, geometry)
    _page_setup(sheet, header_top, numbers_row, geometry)
    heights = {row: sheet.row_dimensions[row].height for row in range(1, end + 1)}
    sheet.row_breaks = _row_breaks(heights, header_top, numbers_row, body, end)


def _write_title_block(sheet: Worksheet, form: Form, block: TitleBlock, geometry: _Geometry, header_top: int) -> None:
    """Units top left (in columns A-B, which every page repeats), the form's name top right and the title centred,
    all on the first page. A form of several slices centres its title over the figures of the first: columns A-B
    print again beside every slice, and would show a clipped piece of a title that spanned them."""
    first_slice_start, first_slice_end = geometry.slices[0]
    title_start = 1 if len(geometry.slices) == 1 else first_slice_start
    write_merged(
        sheet,
        1,
        (1, 2),
        f"Đơn vị báo cáo: {block.reporting_unit}",
        CellStyle(Font(name=FONT_NAME, size=10), _LEFT_WRAPPED),
    )
    write_merged(
        sheet,
        2,
        (1, 2),
        f"Đơn vị nhận báo cáo: {block.receiving_unit}",
        CellStyle(Font(name=FONT_NAME, size=10), _LEFT_WRAPPED),
    )
    right = max(3, first_slice_end - 7)
    write_merged(
        sheet, 1, (right, first_slice_end), form.form_name, CellStyle(Font(name=FONT_NAME, size=10, bold=True), CENTRED)
    )
    write_merged(
        sheet, 2, (right, first_slice_end), form.basis, CellStyle(Font(name=FONT_NAME, size=9, italic=True), CENTRED)
    )
    for row, height in zip(range(1, header_top), (27, 27, 6, 20, 16, 14, 4), strict=True):
        sheet.row_dimensions[row].height = height
    write_merged(
        sheet,
        4,
        (title_start, first_slice_end),
        form.title,
        CellStyle(Font(name=FONT_NAME, size=13, bold=True), CENTRED),
    )
    as_of = block.as_of
    as_of_line = f"Tính đến ngày {as_of:%d} tháng {as_of:%m} năm {as_of:%Y}"
    write_merged(
        sheet,
        5,
        (title_start, first_slice_end),
        as_of_line,
        CellStyle(Font(name=FONT_NAME, size=11, italic=True), CENTRED),
    )
    unit = write_cell(sheet, 6, max(3, first_slice_end - 3), "Đơn vị tính: người")
    unit.font = Font(name=FONT_NAME, size=9, italic=True)


def _write_headers(sheet: Worksheet, paths: list[tuple[str, ...]], top: int, depth: int, geometry: _Geometry) -> None:
    """Merged header cells: columns sharing a path prefix share a cell, once on each page it spans; a path shorter
    than `depth` runs down. Each header row is made as tall as its longest wrapped label needs."""
    heights = [15.0] * depth
    spanning = []
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
            bottom = level if len(path) > level + 1 else depth - 1
            for first, last in geometry.parts(start + 1, end + 1):
                for column in range(first, last + 1):
                    for row in range(top + level, top + bottom + 1):
                        sheet.cell(row, column).border = _BOX
                if last > first or bottom > level:
                    sheet.merge_cells(start_row=top + level, start_column=first, end_row=top + bottom, end_column=last)
                cell = write_cell(sheet, top + level, first, path[level])
                # Headings over other columns in bold, the columns' own labels plain: narrower, and as forms print them.
                is_heading = len(path) > level + 1 or len(path) == 1
                cell.alignment, cell.font = CENTRED, Font(name=FONT_NAME, bold=is_heading, size=_HEADER_FONT_PT)
                needed = _text_height(path[level], _span_px(first, last, geometry), _HEADER_FONT_PT, is_heading)
                if bottom == level:
                    heights[level] = max(heights[level], needed)
                else:
                    spanning.append((level, bottom, needed))
            start = end + 1
    for level, bottom, needed in spanning:
        short = needed - sum(heights[level : bottom + 1])
        if short > 0:
            heights[bottom] += short
    for level, height in enumerate(heights):
        sheet.row_dimensions[top + level].height = height


def _write_rows(sheet: Worksheet, form: Form, first_row: int, width: int) -> list[tuple[int, str]]:
    """Group rows (I, II, …; bold, with the subtotal), agency rows numbered 1, 2, … within their group, the total
    row; returns each row written with its kind."""
    figures = [name for name in form.columns if name.startswith("col_")]
    position = {name: index for index, name in enumerate(form.columns)}
    groups = agencies = 0
    written = []
    name_px = _NAME_WIDTH * _PX_PER_WIDTH
    for row, values in enumerate(form.rows, start=first_row):
        kind = values[position["row_kind"]]
        if kind == "group":
            groups, agencies = groups + 1, 0
            label = _roman(groups)
        elif kind == "agency":
            agencies += 1
            label = agencies
        else:
            label = None
        name = values[position["agency_name"]]
        write_cell(sheet, row, 1, label)
        write_cell(sheet, row, 2, name)
        for column, field in enumerate(figures, start=3):
            write_cell(sheet, row, column, values[position[field]])
        bold = kind != "agency"
        for column in range(1, width + 1):
            cell = sheet.cell(row, column)
            cell.border = _BOX
            cell.font = Font(name=FONT_NAME, size=_BODY_FONT_PT, bold=bold)
            if column == 2:
                cell.alignment = _LEFT_WRAPPED
            else:
                cell.alignment = Alignment(horizontal="center", vertical="center")
                cell.number_format = "#,##0"
        sheet.row_dimensions[row].height = max(16.0, _text_height(name, name_px, _BODY_FONT_PT))
        written.append((row, kind))
    return written


def _write_footer(sheet: Worksheet, notes: tuple[str, ...], block: TitleBlock, top: int, geometry: _Geometry) -> int:
    """Notes, then the place and date over the head's title; each title with "(Ký, ghi rõ họ tên)" under it and
    room to sign below; returns the last row."""
    first, last = geometry.footer_columns()
    footer_px = _span_px(first, last, geometry)
    row = top
    for note in notes:
        write_merged(
            sheet, row, (first, last), note, CellStyle(Font(name=FONT_NAME, size=9, italic=True), _LEFT_WRAPPED)
        )
        sheet.row_dimensions[row].height = _text_height(note, footer_px, 9)
        row += 1
    sheet.row_dimensions[row].height = 8
    row += 1
    signed = block.signed_on
    place_line = f"{block.place}, ngày {signed:%d} tháng {signed:%m} năm {signed:%Y}"
    third = max(2, (last - first + 1) // 3)
    # The place-and-date line on one line: wide enough for it at 10 pt, never narrower than a third.
    place_columns = math.ceil(len(place_line) * 7.5 / (geometry.number_width * _PX_PER_WIDTH))
    left, right = (first, first + third - 1), (last - max(third, place_columns) + 1, last)
    write_merged(sheet, row, right, place_line, CellStyle(Font(name=FONT_NAME, size=10, italic=True), CENTRED))
    sheet.row_dimensions[row].height = 16
    row += 1
    for columns, title in ((left, "NGƯỜI LẬP BẢNG"), (right, "THỦ TRƯỞNG ĐƠN VỊ")):
        write_merged(sheet, row, columns, title, CellStyle(Font(name=FONT_NAME, size=10, bold=True), CENTRED))
        write_merged(
            sheet,
            row + 1,
            columns,
            "(Ký, ghi rõ họ tên)",
            CellStyle(Font(name=FONT_NAME, size=9, italic=True), CENTRED),
        )
    sheet.row_dimensions[row].height, sheet.row_dimensions[row + 1].height = 16, 14
    sheet.row_dimensions[row + 2].height = 60
    return row + 2


def _row_breaks(
    heights: dict[int, float], header_top: int, numbers_row: int, body: list[tuple[int, str]], end: int
) -> RowBreak:
    """Page breaks between rows, planned from the rows' own heights: a group heading never ends a page, and the
    notes and signatures stay on one page with at least the last rows of the table above them."""
    header = sum(heights[row] for row in range(header_top, numbers_row + 1))
    room = _PRINTABLE_PT - header
    used = sum(heights[row] for row in range(1, header_top))
    footer = sum(heights[row] for row in range((body[-1][0] if body else numbers_row) + 1, end + 1))
    # The last rows of the table (the total among them) go with the footer: a page never holds signatures alone.
    kept_from = max(0, len(body) - 3)
    breaks: list[int] = []
    for index, (row, _) in enumerate(body):
        needed = heights[row] if index != kept_from else sum(heights[kept] for kept, _ in body[index:]) + footer
        if used + needed > room and index > 0:
            # Break before this row, or before the group heading just above it.
            cut = index - 1 if body[index - 1][1] == "group" and index > 1 else index
            breaks.append(body[cut][0] - 1)
            used = sum(heights[above] for above, _ in body[cut:index])
        used += heights[row]
    row_breaks = RowBreak()
    for row in breaks:
        row_breaks.append(Break(id=row))
    return row_breaks


def _page_setup(sheet: Worksheet, header_top: int, numbers_row: int, geometry: _Geometry) -> None:
    """A4 landscape at 100 %, a page break after each column slice, header rows and columns A-B on every page."""
    sheet.column_dimensions["A"].width = _ORDER_WIDTH
    sheet.column_dimensions["B"].width = _NAME_WIDTH
    for column in range(3, geometry.width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = geometry.number_width
    breaks = ColBreak()
    for _, last in geometry.slices[:-1]:
        breaks.append(Break(id=last))
    sheet.col_breaks = breaks
    print_on_a4_landscape(sheet, fit_to_width=False)
    sheet.print_title_rows = f"{header_top}:{numbers_row}"
    sheet.print_title_cols = "A:B"
    margins = sheet.page_margins
    margins.left = margins.right = _MARGIN_INCHES
    margins.top, margins.bottom, margins.header, margins.footer = _TOP_INCHES, _BOTTOM_INCHES, 0.2, 0.3
    sheet.oddFooter.center.text = "Trang &P/&N"
    sheet.oddFooter.center.font = f"{FONT_NAME},Italic"
    sheet.oddFooter.center.size = 9
    sheet.freeze_panes = sheet.cell(numbers_row + 1, 3)


def _span_px(first: int, last: int, geometry: _Geometry) -> float:
    """Width in pixels of sheet columns first..last."""
    widths = {1: _ORDER_WIDTH, 2: _NAME_WIDTH}
    return sum(widths.get(column, geometry.number_width) for column in range(first, last + 1)) * _PX_PER_WIDTH


def _text_height(text: str, width_px: float, size_pt: float, bold: bool = False) -> float:
    """Points a wrapped text needs in a cell this wide: an average glyph of Times is about half its size wide (a
    bold one wider: "Ngoại ngữ khác" over two narrow columns takes two lines), and a line about 1.3 times its size
    tall."""
    glyph = 0.53 if bold else 0.46
    per_line = max(1, int((width_px - 6) / (size_pt * 96 / 72 * glyph)))
    lines = sum(len(textwrap.wrap(part, per_line, break_long_words=True)) or 1 for part in text.splitlines() or [""])
    return lines * size_pt * 1.3 + 4


def _roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    result = ""
    for value, numeral in numerals:
        while number >= value:
            result, number = result + numeral, number - value
    return result
