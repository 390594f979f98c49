"""The "Lỗi" sheet that leads the clerk's feedback: what became of the list and what to do next, then what to fix,
errors first, each problem named by the row as Excel numbers it, the list's own STT and the person's name. Laid out
once (`IssueSheet`) for both writers: openpyxl, inside a workbook copied cell by cell, and as worksheet XML written
straight into the clerk's own package (or an empty one)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import openpyxl
import polars as pl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from flows.excel.marking import CellFormat, WrittenSheet, write_workbook
from flows.excel.marking.written_sheets import DEFAULT_ROW_HEIGHT, cell_xml, row_xml, worksheet_xml
from flows.excel.workbooks import NOT_IN_XML, PICTURES, print_on_a4_landscape, printable, write_cell

ISSUE_SHEET = "Lỗi"
_COLOURS = {"error": "FFC7CE", "warning": "FFEB9C"}
FILLS = {severity: PatternFill("solid", start_color=colour, end_color=colour) for severity, colour in _COLOURS.items()}
# What a problem means for the list depends on the verdict: in a list returned whole no row is taken, so no label
# may say a row still is. Keyed by (list returned whole, severity, about the whole file).
_SEVERITY_VI = {
    (True, "error", True): "Lỗi của cả tệp",
    (True, "error", False): "Lỗi",
    (True, "warning", True): "Cảnh báo",
    (True, "warning", False): "Cảnh báo",
    (False, "error", True): "Lỗi của cả tệp",
    (False, "error", False): "Lỗi (dòng bị trả lại)",
    (False, "warning", True): "Cảnh báo",
    (False, "warning", False): "Cảnh báo (dòng vẫn được nhận)",
}
# The columns of the problem list: title, issue column, width. `list_number` and `person_name` (the STT as
# written, the person's name) name the row the way the clerk looks for it; blank where the issue has none.
_ISSUE_COLUMNS = (
    ("Trang tính", "sheet", 16),
    ("Dòng", "row_number", 7),
    ("STT", "list_number", 6),
    ("Họ và tên", "person_name", 22),
    ("Cột", "column_header", 24),
    ("Giá trị đã ghi", "value", 20),
    ("Mức độ", "severity", 26),
    ("Nội dung và cách sửa", "message_vi", 70),
    ("Mã lỗi", "check_code", 24),
)
# The columns of a list whose problems are grouped by check and column (see feedback.LISTED_ISSUES_MAX).
_GROUPED_COLUMNS = (
    ("Trang tính", "sheet", 16),
    ("Cột", "column_header", 24),
    ("Mức độ", "severity", 26),
    ("Số lỗi", "count", 8),
    ("Các dòng", "rows", 30),
    ("Ví dụ", "examples", 50),
    ("Nội dung và cách sửa", "message_vi", 60),
    ("Mã lỗi", "check_code", 24),
)
# Rows of one group named in "Các dòng" (as ranges), and problems quoted in "Ví dụ"; the CSV has them all.
_RANGES_SHOWN = 12
_EXAMPLES_SHOWN = 3
_SUMMARY_TITLE = "KẾT QUẢ TIẾP NHẬN DANH SÁCH"
# A line of text in Calibri 11, the height of a row Excel leaves at its default.
LINE_HEIGHT = DEFAULT_ROW_HEIGHT


@dataclass(frozen=True)
class IssueSheet:
    """The "Lỗi" sheet as both writers lay it out: the summary lines (label, text, rows of text it needs), the
    columns of the problem list, and its rows (severity, rows of text, then the values)."""

    summary: list[tuple[str, str, int]]
    columns: tuple[tuple[str, str, int], ...]
    rows: pl.DataFrame
    label_span: int  # the leading columns a summary label spans

    @property
    def severity_column(self) -> int:
        return next(i for i, (_, key, _) in enumerate(self.columns) if key == "severity")

    @property
    def header_row(self) -> int:
        """The problem list's header, 1-based: below the title, the summary and a blank row."""
        return len(self.summary) + 3


def issue_sheet(
    summary: list[tuple[str, str]], issues: pl.DataFrame, returned_whole: bool, full_list: Path | None = None
) -> IssueSheet:
    """The "Lỗi" sheet: every problem on a line of its own, or with `full_list` (where every one of them is
    written), the problems grouped by check and column."""
    if full_list:
        summary = [
            *summary,
            (
                "Danh sách lỗi",
                f"{issues.height} lỗi, gộp theo loại lỗi và cột ở bảng dưới đây; từng lỗi một, với dòng, STT, họ và "
                f"tên, có trong tệp {full_list.name} gửi kèm (mở bằng Excel).",
            ),
        ]
        columns, shown = _GROUPED_COLUMNS, _grouped(issues)
    else:
        columns, shown = _ISSUE_COLUMNS, issues
    widths = [width for _, _, width in columns]
    needed = max(len(label) for label, _ in summary) + 2
    span = next(n for n in range(1, len(widths)) if sum(widths[:n]) >= needed or n == len(widths) - 1)
    text_width = sum(widths[span:])
    lines = [(label, text, 1 + len(text) // max(1, int(text_width * 1.1))) for label, text in summary]
    return IssueSheet(lines, columns, _issue_rows(shown, columns, returned_whole), span)


def _grouped(issues: pl.DataFrame) -> pl.DataFrame:
    """One line per check, column and sheet: how many problems, the rows they are on as ranges, the first few as
    examples and the first one's message (the way to fix them all); errors first, then the most frequent.
    `row_number` is the first row, so that a problem of the whole file is still labelled as one."""
    named = issues.with_columns(
        pl.concat_str(
            pl.lit("dòng "),
            pl.col("row_number").cast(pl.String),
            *_optional(issues, "list_number", ", STT "),
            *_optional(issues, "person_name", ", "),
            pl.lit(": «"),
            pl.col("value").fill_null(""),
            pl.lit("»"),
        ).alias("_example")
    )
    groups = (
        named.group_by("severity", "check_code", "sheet", "column_header", maintain_order=True)
        .agg(
            pl.len().alias("count"),
            pl.col("row_number").min().alias("first_row"),
            pl.col("row_number").drop_nulls().unique().sort().alias("_rows"),
            pl.col("_example").drop_nulls().head(_EXAMPLES_SHOWN).str.join("\n").alias("examples"),
            pl.col("message_vi").first(),
        )
        .sort(pl.col("severity") != "error", "count", "sheet", "first_row", descending=[False, True, False, False])
    )
    return groups.with_columns(
        pl.col("first_row").alias("row_number"),
        pl.col("_rows").map_elements(_row_ranges, return_dtype=pl.String).alias("rows"),
    )


def _optional(issues: pl.DataFrame, column: str, prefix: str) -> list[pl.Expr]:
    """ ", STT 12" for an issue that has it, nothing for one that has not (or issues stored before the column)."""
    if column not in issues.columns:
        return []
    value = pl.col(column).cast(pl.String)
    return [pl.when(value.is_not_null()).then(pl.lit(prefix) + value).otherwise(pl.lit(""))]


def _row_ranges(rows: pl.Series) -> str:
    """Sorted row numbers as Excel ranges a clerk can follow: "5–9, 12, 40–58 … và 230 dòng khác"."""
    numbers = rows.to_list()
    ranges: list[tuple[int, int]] = []
    for number in numbers:
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], number)
        else:
            ranges.append((number, number))
    shown = [f"{first}–{last}" if last > first else str(first) for first, last in ranges[:_RANGES_SHOWN]]
    rest = sum(last - first + 1 for first, last in ranges[_RANGES_SHOWN:])
    return ", ".join(shown) + (f" … và {rest} dòng khác" if rest else "")


def write_full_list(issues: pl.DataFrame, returned_whole: bool, path: Path) -> None:
    """Every problem of a list whose "Lỗi" sheet groups them, one per line, with the columns of the sheet's usual
    list, as a CSV Excel opens with its Vietnamese intact (UTF-8 with a byte-order mark). A value Excel would run as
    a formula is shown with a leading apostrophe."""
    rows = _issue_rows(issues, _ISSUE_COLUMNS, returned_whole).drop("_severity", "_lines")
    inert = pl.col(pl.String).str.replace(r"^([=+\-@\t\r])", "'$1")
    rows.with_columns(inert).rename({key: title for title, key, _ in _ISSUE_COLUMNS}).write_csv(path, include_bom=True)


def add_issue_sheet(workbook: Workbook, layout: IssueSheet) -> None:
    """The "Lỗi" sheet, first, in the clerk's copied workbook."""
    if ISSUE_SHEET in workbook.sheetnames:
        del workbook[ISSUE_SHEET]
    sheet = workbook.create_sheet(ISSUE_SHEET, 0)
    letter = openpyxl.utils.get_column_letter
    span, last = layout.label_span, len(layout.columns)
    sheet.cell(1, 1, _SUMMARY_TITLE).font = Font(bold=True, size=13)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, (label, text, lines) in enumerate(layout.summary, start=2):
        sheet.cell(row, 1, label).font = Font(bold=True)
        sheet.cell(row, 1).alignment = Alignment(vertical="top")
        write_cell(sheet, row, span + 1, printable(text)).alignment = wrap
        if span > 1:
            sheet.merge_cells(f"A{row}:{letter(span)}{row}")
        sheet.merge_cells(f"{letter(span + 1)}{row}:{letter(last)}{row}")
        sheet.row_dimensions[row].height = LINE_HEIGHT * lines
    header = layout.header_row
    for column, (title, _, width) in enumerate(layout.columns, start=1):
        sheet.cell(header, column, title).font = Font(bold=True)
        sheet.column_dimensions[letter(column)].width = width
    # Rows are counted here: openpyxl's max_row scans every cell, which would make this quadratic.
    for row, (severity, lines, *values) in enumerate(layout.rows.iter_rows(), start=header + 1):
        for column, value in enumerate(values, start=1):
            write_cell(sheet, row, column, value).alignment = wrap
        sheet.cell(row, layout.severity_column + 1).fill = FILLS[severity]
        sheet.row_dimensions[row].height = LINE_HEIGHT * lines
    sheet.freeze_panes = f"A{header + 1}"
    sheet.print_title_rows = f"{header}:{header}"
    print_on_a4_landscape(sheet)
    workbook.active = 0


def write_issue_list(layout: IssueSheet, path: Path) -> None:
    """The "Lỗi" sheet alone, the same as in a clerk's patched workbook."""
    write_workbook([first_sheet(layout)], path)


def first_sheet(layout: IssueSheet) -> WrittenSheet:
    """The "Lỗi" sheet as the patch puts it first in the clerk's workbook."""
    return WrittenSheet(ISSUE_SHEET, partial(_sheet_xml, layout), layout.header_row)


def _sheet_xml(layout: IssueSheet, style: Callable[[CellFormat], int]) -> bytes:
    """The "Lỗi" sheet as worksheet XML, selected, its formats asked of `style`. Text stays text: nothing the clerk
    wrote becomes a formula or a link."""
    plain = style(CellFormat(wrap=True, top=True))
    label = style(CellFormat(bold=True, top=True))
    bold = style(CellFormat(bold=True))
    marked = {severity: style(CellFormat(fill=colour, wrap=True, top=True)) for severity, colour in _COLOURS.items()}
    letters = [get_column_letter(n) for n in range(1, len(layout.columns) + 1)]
    span, header = layout.label_span, layout.header_row
    rows = [row_xml(1, [cell_xml("A1", _SUMMARY_TITLE, style(CellFormat(bold=True, size=13)))])]
    merged = []
    for number, (title, text, lines) in enumerate(layout.summary, start=2):
        cells = [cell_xml(f"A{number}", title, label), cell_xml(f"{letters[span]}{number}", printable(text), plain)]
        rows.append(row_xml(number, cells, LINE_HEIGHT * lines))
        if span > 1:
            merged.append(f"A{number}:{letters[span - 1]}{number}")
        merged.append(f"{letters[span]}{number}:{letters[-1]}{number}")
    titles = [title for title, _, _ in layout.columns]
    rows.append(row_xml(header, [cell_xml(f"{c}{header}", t, bold) for c, t in zip(letters, titles, strict=True)]))
    for number, (severity, lines, *values) in enumerate(layout.rows.iter_rows(), start=header + 1):
        styles = [plain] * len(values)
        styles[layout.severity_column] = marked[severity]
        cells = [cell_xml(f"{c}{number}", v, s) for c, v, s in zip(letters, values, styles, strict=True)]
        rows.append(row_xml(number, cells, LINE_HEIGHT * lines))
    widths = {n: width for n, (_, _, width) in enumerate(layout.columns, start=1)}
    return worksheet_xml(rows, widths, frozen=(header, 0), merged=merged, selected=True, a4_landscape=True)


def _issue_rows(issues: pl.DataFrame, columns: tuple, returned_whole: bool) -> pl.DataFrame:
    """Each issue's severity, the rows of text its widest-wrapping cell needs (Excel files carry no automatic row
    height), then the values of its row in the "Lỗi" sheet; a column the issues lack (issues stored before the
    STT and the name were kept) is blank."""
    shown = issues.select(
        pl.col("severity").alias("_severity"),
        *(
            _severity_label(returned_whole).alias(key)
            if key == "severity"
            else pl.col(key)
            if key in issues.columns
            else pl.lit(None, pl.String).alias(key)
            for _, key, _ in columns
        ),
    ).with_columns(pl.col(pl.String).str.replace_many(NOT_IN_XML, PICTURES))
    lines = pl.max_horizontal(
        1 + pl.col(key).cast(pl.String).fill_null("").str.len_chars() // max(1, int(width * 1.1))
        for _, key, width in columns
    )
    return shown.select(pl.col("_severity"), lines.alias("_lines"), *(key for _, key, _ in columns))


def _severity_label(returned_whole: bool) -> pl.Expr:
    whole_file = pl.col("row_number").is_null()
    labels = {
        severity: pl.when(whole_file)
        .then(pl.lit(_SEVERITY_VI[returned_whole, severity, True]))
        .otherwise(pl.lit(_SEVERITY_VI[returned_whole, severity, False]))
        for severity in ("error", "warning")
    }
    return pl.when(pl.col("severity") == "error").then(labels["error"]).otherwise(labels["warning"])
