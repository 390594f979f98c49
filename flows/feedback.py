"""Feedback for the agency: its own workbook back with every bad cell marked and explained in Vietnamese,
plus a sheet "Lỗi" listing what to fix, errors first. The clerk fixes the file they know, in the place they know."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import openpyxl
import polars as pl
import xlsxwriter
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook import Workbook

from flows.processes import Failed, WorkerLimits, cores, run_here, worker_pool
from schemas.sheets import TEXT_SUFFIXES, column_number, read_sheets
from schemas.validate import NOT_READ_CODES
from warehouse.database import connect
from warehouse.load import Submission
from warehouse.queries import submission_issues
from warehouse.workspace import Workspace

logger = logging.getLogger(__name__)
ISSUE_SHEET = "Lỗi"
_COLOURS = {"error": "FFC7CE", "warning": "FFEB9C"}
_FILLS = {severity: PatternFill("solid", start_color=colour, end_color=colour) for severity, colour in _COLOURS.items()}
_SEVERITY_VI = {"error": "Lỗi (dòng không được nhận)", "warning": "Cảnh báo (dòng vẫn được nhận)"}
_ISSUE_COLUMNS = (
    ("Trang tính", "sheet", 16),
    ("Dòng", "row_number", 8),
    ("Cột", "column_header", 30),
    ("Giá trị đã ghi", "value", 24),
    ("Mức độ", "severity", 26),
    ("Nội dung và cách sửa", "message_vi", 90),
    ("Mã lỗi", "check_code", 28),
)
_OPENPYXL_SUFFIXES = {".xlsx", ".xlsm"}
# The control characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE), each written as its visible
# picture (U+2400 and on: "␁" for \x01): the clerk sees where their cell holds one, and nothing they wrote is lost.
_NOT_IN_XML = [chr(code) for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]
_PICTURES = [chr(0x2400 + ord(character)) for character in _NOT_IN_XML]
_VISIBLE = str.maketrans(dict(zip(_NOT_IN_XML, _PICTURES, strict=True)))
# Above this many rows the clerk's own workbook is not copied and marked (openpyxl holds every cell in memory: a
# 100,000-row CSV: 2.6 GB and about 100 of the run's 134 s); the "Lỗi" sheet alone goes back, listing every problem,
# streamed by xlsxwriter in constant memory (65,000 issues: 4.5 s and 0.3 GB, against 10.5 s and 0.5 GB in openpyxl).
MARKED_COPY_MAX_ROWS = 20_000
# Rows of lists with issues per process writing feedback. A pool of two costs ~0.85 s to start (forkserver,
# imports compiled); a marked copy costs ~0.8-1.2 ms a row: the demo's 28 files of 2,545 rows took 3.0-3.4 s in one
# process, 2.1-2.5 s in two; 9 of them 0.7 s in one, 1.65 s in two. Counted in rows, not files, so that a few
# long lists are shared out too.
PARALLEL_FEEDBACK_ROWS = 1_000
# Submissions whose issues are read from the warehouse at once (a few thousand issues).
FEEDBACK_SLICE = 500
_LINE_HEIGHT = 15
# The longest file name ext4, NTFS and APFS all take; on Linux it counts the bytes of the UTF-8 name.
_NAME_BYTES = 255
# Control characters, unpaired surrogates (a name that was not UTF-8), bidirectional overrides that disguise an
# extension, and what Windows forbids in a name: none of them belongs in a file the clerk opens from the share.
_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u202a-\u202e\u2066-\u2069<>:"/\\|?*]')


def write_feedback(workspace: Workspace, submission: Submission, issues: pl.DataFrame) -> Path | None:
    """The agency's feedback file for one submission and its issues; None when there is nothing to say."""
    if issues.is_empty():
        return None
    folder = workspace.outbox / feedback_name(submission.agency_code, "")
    folder.mkdir(parents=True, exist_ok=True)
    name = submission.file_name
    source = workspace.root / submission.archive_path if submission.archive_path else None
    issues = issues.sort(pl.col("severity") != "error", "sheet", "row_number", nulls_last=False, maintain_order=True)
    if source is None or issues["check_code"].is_in(NOT_READ_CODES).any():
        explanation = _explanation(issues)
        target = folder / feedback_name(name, ".loi.txt")
        return _write_atomically(target, lambda path: path.write_text(explanation, "utf-8"))
    workbook = None
    if submission.rows_read <= MARKED_COPY_MAX_ROWS:
        try:
            workbook = _their_workbook(source, Path(name))
        except Exception:  # staffq read it, openpyxl may not: the list of fixes still goes back
            logger.exception("cannot copy %r for feedback; sending the list of fixes alone", name)
    target = folder / feedback_name(name, ".loi.xlsx")
    if workbook is None:
        return _write_atomically(target, partial(_write_issue_list, issues))
    _mark_cells(workbook, issues)
    _add_issue_sheet(workbook, issues)
    return _write_atomically(target, workbook.save)


def write_all_feedback(
    workspace: Workspace, submissions: list[Submission], limits: WorkerLimits
) -> dict[str, Path | Failed]:
    """The feedback file of every submission with issues in the warehouse (those found on reading it, and those
    its load found against other agencies' lists), by submission id; a `Failed` for a file that could not be
    written, which never stops the others. Issues are read a slice of submissions at a time: a night's can be a
    million. Copying and marking a workbook is openpyxl's pure Python, ~1 ms a row, the longest step of a night of
    many files: past a few thousand rows they are written by one process per core, each within `limits`."""
    workers = feedback_processes(submissions)
    written: dict[str, Path | Failed] = {}
    with _writers(workers, limits) as run, connect(workspace.warehouse, read_only=True) as connection:
        for start in range(0, len(submissions), FEEDBACK_SLICE):
            part = submissions[start : start + FEEDBACK_SLICE]
            found = submission_issues(connection, [s.submission_id for s in part])
            pending = [s for s in part if s.submission_id in found]
            outcomes = run(write_feedback, [(workspace, s, found[s.submission_id]) for s in pending])
            written |= {s.submission_id: outcome for s, outcome in zip(pending, outcomes, strict=True) if outcome}
    return written


@contextmanager
def _writers(workers: int, limits: WorkerLimits):
    """A pool of worker processes when more than one is worth it, else this process; either way each file's
    outcome, a `Failed` where it could not be written."""
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


def _their_workbook(source: Path, sent_as: Path) -> Workbook:
    """Their own workbook, formulas kept as inert text; a CSV or .xls becomes a workbook of its cells."""
    if sent_as.suffix.lower() in _OPENPYXL_SUFFIXES:
        # Links to other workbooks go too: a DDE link there would run a program when the clerk opens the file.
        workbook = openpyxl.load_workbook(source, keep_links=False)
        _neutralise_formulas(workbook)
        return workbook
    sheets, _ = read_sheets(source)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        # The archive copy is named by its hash; a text file's one sheet is named after the file as sent.
        is_text = sent_as.suffix.lower() in TEXT_SUFFIXES
        target = workbook.create_sheet(_sheet_title(sent_as.stem if is_text else sheet.name))
        for row_index, row in enumerate(sheet.cells.iter_rows(named=True), start=1):
            for name, value in row.items():
                if value is not None:
                    cell = target.cell(row_index, column_number(name))
                    cell.value = _printable(value)
                    cell.data_type = "s"
    return workbook


def _neutralise_formulas(workbook: Workbook) -> None:
    """A formula sent back would run on the clerk's machine; it goes back as the text it was (an array formula
    keeps its text too)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.value = str(getattr(cell.value, "text", cell.value))
                    cell.data_type = "s"


def _mark_cells(workbook: Workbook, issues: pl.DataFrame) -> None:
    """Fill each cell with a problem (red for errors, yellow for warnings) and explain it in a comment."""
    cells = (
        issues.filter(pl.col("row_number").is_not_null())
        .group_by(["sheet", "row_number", "column_number"], maintain_order=True)
        .agg(
            (pl.col("severity") == "error").any().alias("is_error"),
            pl.concat_str(pl.lit("• "), pl.col("message_vi")).str.join("\n").alias("text"),
            pl.len().alias("count"),
        )
    )
    sheets = {}
    for sheet_name, row_number, column, is_error, text, count in cells.iter_rows():
        if sheet_name not in sheets:
            sheets[sheet_name] = _find_sheet(workbook, sheet_name)
        sheet = sheets[sheet_name]
        if sheet is None:
            continue
        cell = sheet.cell(int(row_number), int(column or 1))
        cell.fill = _FILLS["error" if is_error else "warning"]
        comment = Comment(_printable(text), "staffq")
        comment.width, comment.height = 320, 40 + 30 * count
        cell.comment = comment


def _add_issue_sheet(workbook: Workbook, issues: pl.DataFrame) -> None:
    """The "Lỗi" sheet, first, in the clerk's copied workbook."""
    if ISSUE_SHEET in workbook.sheetnames:
        del workbook[ISSUE_SHEET]
    sheet = workbook.create_sheet(ISSUE_SHEET, 0)
    sheet.append([title for title, _, _ in _ISSUE_COLUMNS])
    for column, (_, _, width) in enumerate(_ISSUE_COLUMNS, start=1):
        sheet.cell(1, column).font = Font(bold=True)
        sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    # Rows are counted here: openpyxl's max_row scans every cell, which made this quadratic.
    for row, (severity, lines, *values) in enumerate(_issue_rows(issues).iter_rows(), start=2):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row, column, value)
            if isinstance(value, str):
                cell.data_type = "s"
            cell.alignment = wrap
        sheet.cell(row, 5).fill = _FILLS[severity]
        sheet.row_dimensions[row].height = _LINE_HEIGHT * lines
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.active = 0


def _write_issue_list(issues: pl.DataFrame, path: Path) -> None:
    """The "Lỗi" sheet alone, the same as in a copied workbook, streamed to `path` row by row in constant memory.
    Text stays text: nothing the clerk wrote becomes a formula or a link."""
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(path, options) as workbook:
        sheet = workbook.add_worksheet(ISSUE_SHEET)
        wrap = {"text_wrap": True, "valign": "top"}
        plain = workbook.add_format(wrap)
        marked = {severity: workbook.add_format(wrap | {"bg_color": f"#{c}"}) for severity, c in _COLOURS.items()}
        for column, (_, _, width) in enumerate(_ISSUE_COLUMNS):
            sheet.set_column(column, column, width)
        sheet.write_row(0, 0, [title for title, _, _ in _ISSUE_COLUMNS], workbook.add_format({"bold": True}))
        for row, (severity, lines, *values) in enumerate(_issue_rows(issues).iter_rows(), start=1):
            sheet.set_row(row, _LINE_HEIGHT * lines)
            sheet.write_row(row, 0, values, plain)
            sheet.write(row, 4, values[4], marked[severity])
        sheet.freeze_panes(1, 0)
        sheet.repeat_rows(0)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)


def _issue_rows(issues: pl.DataFrame) -> pl.DataFrame:
    """Each issue's severity, the rows of text its widest-wrapping cell needs (Excel files carry no automatic row
    height), then the values of its row in the "Lỗi" sheet."""
    shown = issues.select(
        pl.col("severity").alias("_severity"),
        *(pl.col(key).replace_strict(_SEVERITY_VI) if key == "severity" else key for _, key, _ in _ISSUE_COLUMNS),
    ).with_columns(pl.col(pl.String).str.replace_many(_NOT_IN_XML, _PICTURES))
    lines = pl.max_horizontal(
        1 + pl.col(key).cast(pl.String).fill_null("").str.len_chars() // max(1, int(width * 1.1))
        for _, key, width in _ISSUE_COLUMNS
    )
    return shown.select(pl.col("_severity"), lines.alias("_lines"), *(key for _, key, _ in _ISSUE_COLUMNS))


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


def _explanation(issues: pl.DataFrame) -> str:
    lines = ["Tệp gửi lên không được tiếp nhận.", ""]
    lines += [f"- {message}" for message in issues["message_vi"]]
    lines += ["", "Hãy sửa theo hướng dẫn trên rồi gửi lại tệp."]
    return "\n".join(lines) + "\n"


def _write_atomically(target: Path, write) -> Path:
    """Write beside and rename, so an agency never picks up half a file."""
    partial = target.with_name(target.name + ".part")
    write(partial)
    partial.replace(target)
    return target
