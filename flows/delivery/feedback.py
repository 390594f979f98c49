"""Feedback for the agency: its own workbook back with every bad cell marked and explained in Vietnamese,
plus a sheet "Lỗi" that says first what became of the list and what to do next, then lists what to fix, errors
first, each problem named by the row as Excel numbers it, the list's own STT and the person's name. The clerk
fixes the file they know, in the place they know, and sees their own values as written."""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import openpyxl
import polars as pl
import xlsxwriter
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook import Workbook

from flows.delivery.verdicts import next_step, reason, verdict
from flows.excel.marking import CannotMark, Mark, mark_workbook
from flows.excel.workbooks import print_on_a4_landscape, write_cell
from flows.processes import Failed, Run, WorkerLimits, cores, run_here, worker_pool
from schemas.judging.results import NOT_READ_CODES
from schemas.reading.headers import header_index
from schemas.reading.layout import NoHeader, locate_table
from schemas.reading.reader import TEXT_SUFFIXES, read_sheets
from schemas.reading.sheets import Sheet, column_number
from schemas.rules.agencies import agency_at
from schemas.staff import fields_of_kind
from warehouse.database import connect
from warehouse.load import Submission
from warehouse.queries import submission_issues
from warehouse.workspace import Workspace

logger = logging.getLogger(__name__)
ISSUE_SHEET = "Lỗi"
_COLOURS = {"error": "FFC7CE", "warning": "FFEB9C"}
_FILLS = {severity: PatternFill("solid", start_color=colour, end_color=colour) for severity, colour in _COLOURS.items()}
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
# A list with more problems than this gets them grouped by check and column in "Lỗi" — how many, on which rows,
# the first few — and every one of them in a CSV beside the workbook: nobody reads a sheet of a hundred thousand
# lines, and writing one would cost the night more than the rest of the list's feedback.
LISTED_ISSUES_MAX = 1_000
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
# A rebuilt list's columns: as wide as their longest cell, within these bounds (characters).
_REBUILT_WIDTHS = (6, 40)
_HEADER_LINES = 3
_OPENPYXL_SUFFIXES = {".xlsx", ".xlsm"}
# The control characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE), each written as its visible
# picture (U+2400 and on: "␁" for \x01): the clerk sees where their cell holds one, and nothing they wrote is lost.
_NOT_IN_XML = [chr(code) for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]
_PICTURES = [chr(0x2400 + ord(character)) for character in _NOT_IN_XML]
_VISIBLE = str.maketrans(dict(zip(_NOT_IN_XML, _PICTURES, strict=True)))
# Above this many rows the clerk's own workbook is not copied and marked (the copy costs in proportion to the list,
# and the openpyxl copy, for a workbook the patch cannot mark, holds every cell in memory, so one long list would
# outweigh the rest of the night); the "Lỗi" sheet alone goes back, listing every problem, streamed by xlsxwriter
# in constant memory.
MARKED_COPY_MAX_ROWS = 20_000
# Rows of lists with issues per process writing feedback: starting a process is worth it only for a share of work
# about this large, so that a night of a few short lists stays in one process. Counted in rows, not files, so that a
# few long lists are shared out too.
PARALLEL_FEEDBACK_ROWS = 10_000
# Submissions whose issues are read from the warehouse at once: a slice's issues fit in memory, a night's may not.
FEEDBACK_SLICE = 500
_LINE_HEIGHT = 15
# The longest file name ext4, NTFS and APFS all take; on Linux it counts the bytes of the UTF-8 name.
_NAME_BYTES = 255
# Control characters, unpaired surrogates (a name that was not UTF-8), bidirectional overrides that disguise an
# extension, and what Windows forbids in a name: none of them belongs in a file the clerk opens from the share.
_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u202a-\u202e\u2066-\u2069<>:"/\\|?*]')


def write_feedback(
    workspace: Workspace,
    submission: Submission,
    issues: pl.DataFrame,
    agency_name: str | None = None,
    sent: bool = True,
) -> Path | None:
    """The agency's feedback file for one submission and its issues; None when there is nothing to say. Not `sent`:
    the marked copy of a list checked before sending (the portal), whose next step is to fix it, not to send it
    again."""
    if issues.is_empty():
        return None
    folder = workspace.outbox / feedback_name(submission.agency_code, "")
    folder.mkdir(parents=True, exist_ok=True)
    name = submission.file_name
    source = workspace.root / submission.archive_path if submission.archive_path else None
    issues = issues.sort(pl.col("severity") != "error", "sheet", "row_number", nulls_last=False, maintain_order=True)
    read = not issues["check_code"].is_in(NOT_READ_CODES).any()
    summary = _summary(submission, agency_name, issues, read, sent)
    if source is None or not read:
        explanation = _explanation(summary, issues)
        target = folder / feedback_name(name, ".loi.txt")
        return _write_atomically(target, lambda path: path.write_text(explanation, "utf-8"))
    target = folder / feedback_name(name, ".loi.xlsx")
    full_list = folder / feedback_name(name, ".loi.csv") if issues.height > LISTED_ISSUES_MAX else None
    layout = _issue_sheet(summary, issues, submission.status == "rejected", full_list)
    if full_list:
        _write_atomically(full_list, partial(_write_full_list, issues, submission.status == "rejected"))
    workbook = None
    if submission.rows_read <= MARKED_COPY_MAX_ROWS:
        try:
            try:
                return _write_atomically(target, partial(_patch_their_workbook, source, Path(name), layout, issues))
            except CannotMark as cause:
                logger.info("copying %r through openpyxl for feedback: %s", name, cause)
                workbook = _their_workbook(source)
        except Exception:  # staffq read it, the copy may still fail: the list of fixes still goes back
            logger.exception("cannot copy %r for feedback; sending the list of fixes alone", name)
    if workbook is None:
        return _write_atomically(target, partial(_write_issue_list, layout))
    _mark_cells(workbook, issues)
    _add_issue_sheet(workbook, layout)
    return _write_atomically(target, workbook.save)


def write_all_feedback(
    workspace: Workspace,
    catalogue: pl.DataFrame,
    submissions: list[Submission],
    limits: WorkerLimits,
    elsewhere: Run | None = None,
) -> dict[str, Path | Failed]:
    """The feedback file of every submission with issues in the warehouse (those found on reading it, and those
    its load found against other agencies' lists), by submission id; a `Failed` for a file that could not be
    written, which never stops the others. Issues are read a slice of submissions at a time: a night's have no
    bound. Past PARALLEL_FEEDBACK_ROWS rows they are written by one process per core, each within `limits`; with
    `elsewhere` (a Dask cluster, see flows.cluster), there."""
    workers = feedback_processes(submissions)
    written: dict[str, Path | Failed] = {}
    with _writers(workers, limits, elsewhere) as run, connect(workspace.database, read_only=True) as connection:
        for start in range(0, len(submissions), FEEDBACK_SLICE):
            part = submissions[start : start + FEEDBACK_SLICE]
            found = submission_issues(connection, [s.submission_id for s in part])
            pending = [s for s in part if s.submission_id in found]
            outcomes = run(
                write_feedback,
                [(workspace, s, found[s.submission_id], _agency_name(catalogue, s)) for s in pending],
            )
            written |= {s.submission_id: outcome for s, outcome in zip(pending, outcomes, strict=True) if outcome}
    return written


def _agency_name(catalogue: pl.DataFrame, submission: Submission) -> str | None:
    agency = agency_at(catalogue, submission.agency_code, submission.as_of_date)
    return agency.name if agency else None


def _summary(
    submission: Submission, agency_name: str | None, issues: pl.DataFrame, read: bool, sent: bool
) -> list[tuple[str, str]]:
    """What became of the list, for the top of "Lỗi": who sent which list, the verdict and why, the rows, and
    what to do now. The as-of date is the list's own only when the file was read."""
    as_of = f" (danh sách tính đến ngày {submission.as_of_date:%d/%m/%Y})" if read else ""
    status = submission.status
    why = reason(status, issues)
    warnings = issues.filter(pl.col("severity") != "error").height > 0
    return [
        ("Đơn vị", f"{submission.agency_code} – {agency_name}" if agency_name else submission.agency_code),
        ("Tệp", submission.file_name + as_of),
        ("Kết quả", f"{verdict(status)}: {why}" if why else verdict(status)),
        (
            "Số dòng",
            f"đọc {submission.rows_read} dòng; nhận {submission.rows_loaded} dòng; "
            f"trả lại {submission.rows_rejected} dòng",
        ),
        ("Việc cần làm", next_step(status, warnings, sent=sent)),
    ]


@contextmanager
def _writers(workers: int, limits: WorkerLimits, elsewhere: Run | None) -> Iterator[Run]:
    """`elsewhere` when given; else a pool of worker processes when more than one is worth it, else this process;
    either way each file's outcome, a `Failed` where it could not be written."""
    if elsewhere:
        yield elsewhere
        return
    if workers < 2:
        yield run_here
        return
    with worker_pool(workers, limits) as pool:
        yield pool.run


def feedback_processes(submissions: list[Submission]) -> int:
    """How many processes write these submissions' feedback: one per PARALLEL_FEEDBACK_ROWS rows to write (a
    copied list's rows; the issues of a list too long to copy), at most one per core and one per file."""
    with_issues = [s for s in submissions if s.problems]
    rows = sum(s.rows_read if s.rows_read <= MARKED_COPY_MAX_ROWS else s.issue_count for s in with_issues)
    return max(1, min(cores(), len(with_issues), rows // PARALLEL_FEEDBACK_ROWS))


def feedback_name(sent_as: str, suffix: str) -> str:
    """The name the agency sent (its path inside the agency's folder) plus `suffix`, so the clerk finds it beside
    their own file, made safe for the share: unsafe characters and "/" become "_", leading dots go (no hidden file,
    no ".."). A name that this changed, or too long for the file system with ".part" while it is written (then
    cut), is given a hash of the name as sent before its extension: "a\nb.csv" and "a_b.csv", "sub/ds.csv" and
    "sub_ds.csv", or two long names never share a feedback file."""
    name = _safe_name(sent_as)
    budget = _NAME_BYTES - len(f"{suffix}.part".encode())
    if name == sent_as and len(name.encode()) <= budget:
        return name + suffix
    extension = Path(name).suffix if len(Path(name).suffix) <= 6 else ""
    tag = "~" + hashlib.sha256(sent_as.encode(errors="surrogateescape")).hexdigest()[:8] + extension
    stem = name[: len(name) - len(extension)].encode()[: budget - len(tag.encode())].decode(errors="ignore")
    return stem + tag + suffix


def _safe_name(name: str) -> str:
    """One path component that is neither hidden, nor "..", nor empty, whatever the inbox held."""
    return _UNSAFE_IN_NAMES.sub("_", name).lstrip(". ") or "danh-sach"


def _their_workbook(source: Path) -> Workbook:
    """Their own .xlsx through openpyxl, formulas kept as inert text: for a workbook the patch cannot mark."""
    # Links to other workbooks go too: a DDE link there would run a program when the clerk opens the file.
    workbook = openpyxl.load_workbook(source, keep_links=False)
    _neutralise_formulas(workbook)
    return workbook


def _rebuilt_workbook(source: Path, sent_as: Path, path: Path) -> None:
    """A CSV's or .xls's cells as a workbook, every value as the text it was, streamed row by row in constant
    memory and laid out as the list it is (`_rebuilt_layout`); a text file's one sheet is named after the file as
    sent (the archive copy is named by its hash)."""
    sheets, _ = read_sheets(source)
    is_text = sent_as.suffix.lower() in TEXT_SUFFIXES
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(path, options) as workbook:
        header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        as_text = workbook.add_format({"num_format": "@"})
        titles: set[str] = set()
        for sheet in sheets:
            title = _sheet_title(sent_as.stem if is_text else sheet.name)
            # Excel compares sheet names without case; two sheets cut to the same 31 characters get a number.
            title = next(t for n in range(len(titles) + 1) if (t := _numbered(title, n)).casefold() not in titles)
            titles.add(title.casefold())
            target = workbook.add_worksheet(title)
            layout = _rebuilt_layout(sheet)
            for column, width in layout.widths.items():
                target.set_column(column - 1, column - 1, width)
            columns = [column_number(name) for name in sheet.cells.columns]
            for row_index, row in enumerate(sheet.cells.iter_rows(), start=1):
                if row_index == layout.header_row:
                    target.set_row(row_index - 1, layout.header_height)
                in_header = layout.header_row <= row_index < layout.first_row
                formatted = layout.widths if in_header else layout.text_columns if row_index >= layout.first_row else ()
                style = header if in_header else as_text
                for column, value in zip(columns, row, strict=True):
                    cell_style = style if column in formatted else None
                    if value is not None:
                        target.write_string(row_index - 1, column - 1, _printable(str(value)), cell_style)
                    elif cell_style and row_index <= layout.last_row:
                        target.write_blank(row_index - 1, column - 1, None, cell_style)
            if layout.first_row:
                target.freeze_panes(layout.first_row - 1, 2)


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
    header_height: int = _LINE_HEIGHT
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
    return _RebuiltLayout(header_row, first_row, widths, frozenset(text_columns), _LINE_HEIGHT * header_lines, last_row)


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


def _patch_their_workbook(source: Path, sent_as: Path, layout: _IssueSheet, issues: pl.DataFrame, path: Path) -> None:
    """Their own workbook, marked and led by the "Lỗi" sheet, patched as a package rather than loaded: the sheet is
    written once, by the streaming writer, and grafted in. A CSV or .xls is first rebuilt as a workbook of its
    cells."""
    with tempfile.TemporaryDirectory(prefix="staffq-loi-") as folder:
        problems = Path(folder) / f"{ISSUE_SHEET}.xlsx"
        _write_issue_list(layout, problems)
        if sent_as.suffix.lower() not in _OPENPYXL_SUFFIXES:
            _rebuilt_workbook(source, sent_as, Path(folder) / "rebuilt.xlsx")
            source = Path(folder) / "rebuilt.xlsx"
        mark_workbook(source, problems, _marks(issues), path, title_of=_sheet_title)


def _marks(issues: pl.DataFrame) -> list[Mark]:
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
        Mark(sheet or "", int(row), int(column or 1), is_error, _printable(text), count)
        for sheet, row, column, is_error, text, count in cells.iter_rows()
    ]


def _mark_cells(workbook: Workbook, issues: pl.DataFrame) -> None:
    """Fill each cell with a problem (red for errors, yellow for warnings) and explain it in a comment."""
    sheets = {}
    for mark in _marks(issues):
        if mark.sheet not in sheets:
            sheets[mark.sheet] = _find_sheet(workbook, mark.sheet)
        sheet = sheets[mark.sheet]
        if sheet is None:
            continue
        cell = sheet.cell(mark.row, mark.column)
        cell.fill = _FILLS["error" if mark.is_error else "warning"]
        comment = Comment(mark.text, "staffq")
        comment.width, comment.height = 320, 40 + 30 * mark.count
        cell.comment = comment


@dataclass(frozen=True)
class _IssueSheet:
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


def _issue_sheet(
    summary: list[tuple[str, str]], issues: pl.DataFrame, returned_whole: bool, full_list: Path | None = None
) -> _IssueSheet:
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
    return _IssueSheet(lines, columns, _issue_rows(shown, columns, returned_whole), span)


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


def _write_full_list(issues: pl.DataFrame, returned_whole: bool, path: Path) -> None:
    """Every problem of a list whose "Lỗi" sheet groups them, one per line, with the columns of the sheet's usual
    list, as a CSV Excel opens with its Vietnamese intact (UTF-8 with a byte-order mark). A value Excel would run as
    a formula is shown with a leading apostrophe."""
    rows = _issue_rows(issues, _ISSUE_COLUMNS, returned_whole).drop("_severity", "_lines")
    inert = pl.col(pl.String).str.replace(r"^([=+\-@\t\r])", "'$1")
    rows.with_columns(inert).rename({key: title for title, key, _ in _ISSUE_COLUMNS}).write_csv(path, include_bom=True)


def _add_issue_sheet(workbook: Workbook, layout: _IssueSheet) -> None:
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
        write_cell(sheet, row, span + 1, _printable(text)).alignment = wrap
        if span > 1:
            sheet.merge_cells(f"A{row}:{letter(span)}{row}")
        sheet.merge_cells(f"{letter(span + 1)}{row}:{letter(last)}{row}")
        sheet.row_dimensions[row].height = _LINE_HEIGHT * lines
    header = layout.header_row
    for column, (title, _, width) in enumerate(layout.columns, start=1):
        sheet.cell(header, column, title).font = Font(bold=True)
        sheet.column_dimensions[letter(column)].width = width
    # Rows are counted here: openpyxl's max_row scans every cell, which would make this quadratic.
    for row, (severity, lines, *values) in enumerate(layout.rows.iter_rows(), start=header + 1):
        for column, value in enumerate(values, start=1):
            write_cell(sheet, row, column, value).alignment = wrap
        sheet.cell(row, layout.severity_column + 1).fill = _FILLS[severity]
        sheet.row_dimensions[row].height = _LINE_HEIGHT * lines
    sheet.freeze_panes = f"A{header + 1}"
    sheet.print_title_rows = f"{header}:{header}"
    print_on_a4_landscape(sheet)
    workbook.active = 0


def _write_issue_list(layout: _IssueSheet, path: Path) -> None:
    """The "Lỗi" sheet alone, the same as in a copied workbook, streamed to `path` row by row in constant memory.
    Text stays text: nothing the clerk wrote becomes a formula or a link."""
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(path, options) as workbook:
        sheet = workbook.add_worksheet(ISSUE_SHEET)
        wrap = {"text_wrap": True, "valign": "top"}
        plain = workbook.add_format(wrap)
        bold = workbook.add_format({"bold": True})
        label = workbook.add_format({"bold": True, "valign": "top"})
        marked = {severity: workbook.add_format(wrap | {"bg_color": f"#{c}"}) for severity, c in _COLOURS.items()}
        span, last = layout.label_span, len(layout.columns) - 1
        for column, (_, _, width) in enumerate(layout.columns):
            sheet.set_column(column, column, width)
        sheet.write(0, 0, _SUMMARY_TITLE, workbook.add_format({"bold": True, "font_size": 13}))
        for row, (title, text, lines) in enumerate(layout.summary, start=1):
            sheet.set_row(row, _LINE_HEIGHT * lines)
            if span > 1:
                sheet.merge_range(row, 0, row, span - 1, title, label)
            else:
                sheet.write(row, 0, title, label)
            sheet.merge_range(row, span, row, last, _printable(text), plain)
        header = layout.header_row - 1
        sheet.write_row(header, 0, [title for title, _, _ in layout.columns], bold)
        severity_column = layout.severity_column
        for row, (severity, lines, *values) in enumerate(layout.rows.iter_rows(), start=header + 1):
            sheet.set_row(row, _LINE_HEIGHT * lines)
            sheet.write_row(row, 0, values, plain)
            sheet.write(row, severity_column, values[severity_column], marked[severity])
        sheet.freeze_panes(header + 1, 0)
        sheet.repeat_rows(header)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)


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
    ).with_columns(pl.col(pl.String).str.replace_many(_NOT_IN_XML, _PICTURES))
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


def _find_sheet(workbook: Workbook, name: str | None):
    if name in workbook.sheetnames:
        return workbook[name]
    titled = _sheet_title(name or "")
    return workbook[titled] if titled in workbook.sheetnames else None


def _sheet_title(name: str) -> str:
    """Excel sheet titles: at most 31 characters, none of []:*?/\\ nor a control character."""
    cleaned = "".join("_" if c in "[]:*?/\\" or unicodedata.category(c) == "Cc" else c for c in name)[:31]
    return cleaned or "Danh sách"


def _printable(value: object) -> object:
    """Text with the control characters XML cannot hold, which a file name or a CSV cell may carry, made visible:
    openpyxl refuses them in a cell or a comment."""
    return value.translate(_VISIBLE) if isinstance(value, str) else value


def _explanation(summary: list[tuple[str, str]], issues: pl.DataFrame) -> str:
    lines = ["Tệp gửi lên không được tiếp nhận.", ""]
    lines += [f"{label}: {text}" for label, text in summary[:2]] + [""]
    lines += [f"- {message}" for message in issues["message_vi"]]
    lines += ["", "Hãy sửa theo hướng dẫn trên rồi gửi lại tệp."]
    return "\n".join(lines) + "\n"


def _write_atomically(target: Path, write) -> Path:
    """Write beside and rename, so an agency never picks up half a file."""
    partial = target.with_name(target.name + ".part")
    write(partial)
    partial.replace(target)
    return target
