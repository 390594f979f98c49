"""Feedback for the agency: its own workbook back with every bad cell marked and explained in Vietnamese, led by a
sheet "Lỗi" that says first what became of the list and what to do next, then what to fix (`issue_sheet`,
`marked_copy`). The clerk fixes the file they know, in the place they know, and sees their
own values as written. This module decides what goes back for each submission, names it safely beside the list the
agency sent, writes it atomically, and shares a night's feedback out over processes."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import polars as pl

from flows.delivery.issue_sheet import add_issue_sheet, issue_sheet, write_full_list, write_issue_list
from flows.delivery.marked_copy import mark_cells, patch_their_workbook, their_workbook
from flows.delivery.verdicts import next_step, reason, verdict
from flows.excel.marking import CannotMark
from flows.processes import Failed, Run, WorkerLimits, cores, run_here, worker_pool
from schemas.judging.results import NOT_READ_CODES
from schemas.rules.agencies import agency_at
from warehouse.database import connect
from warehouse.load import Submission
from warehouse.queries import submission_issues
from warehouse.workspace import Workspace

logger = logging.getLogger(__name__)
# A list with more problems than this gets them grouped by check and column in "Lỗi" — how many, on which rows,
# the first few — and every one of them in a CSV beside the workbook: nobody reads a sheet of a hundred thousand
# lines, and writing one would cost the night more than the rest of the list's feedback.
LISTED_ISSUES_MAX = 1_000
# Above this many rows the clerk's own workbook is not copied and marked (the copy costs in proportion to the list,
# and the openpyxl copy, for a workbook the patch cannot mark, holds every cell in memory, so one long list would
# outweigh the rest of the night); the "Lỗi" sheet alone goes back, listing every problem.
MARKED_COPY_MAX_ROWS = 20_000
# Rows of lists with issues per process writing feedback: starting a process is worth it only for a share of work
# about this large, so that a night of a few short lists stays in one process. Counted in rows, not files, so that a
# few long lists are shared out too.
PARALLEL_FEEDBACK_ROWS = 10_000
# Submissions whose issues are read from the warehouse at once: a slice's issues fit in memory, a night's may not.
FEEDBACK_SLICE = 500
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
    layout = issue_sheet(summary, issues, submission.status == "rejected", full_list)
    if full_list:
        _write_atomically(full_list, partial(write_full_list, issues, submission.status == "rejected"))
    workbook = None
    if submission.rows_read <= MARKED_COPY_MAX_ROWS:
        try:
            try:
                return _write_atomically(target, partial(patch_their_workbook, source, Path(name), layout, issues))
            except CannotMark as cause:
                logger.info("copying %r through openpyxl for feedback: %s", name, cause)
                workbook = their_workbook(source)
        except Exception:  # staffq read it, the copy may still fail: the list of fixes still goes back
            logger.exception("cannot copy %r for feedback; sending the list of fixes alone", name)
    if workbook is None:
        return _write_atomically(target, partial(write_issue_list, layout))
    mark_cells(workbook, issues)
    add_issue_sheet(workbook, layout)
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
