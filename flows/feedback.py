"""Feedback for the agency: the list of what to fix, in Vietnamese, in the agency's outbox folder."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from warehouse.load import Submission
from warehouse.workspace import Workspace

_COLUMNS = {
    "sheet": "Trang tính",
    "row_number": "Dòng",
    "column_header": "Cột",
    "value": "Giá trị",
    "severity": "Mức độ",
    "message_vi": "Nội dung cần sửa",
    "check_code": "Mã lỗi",
}
_SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo"}


def write_feedback(workspace: Workspace, submission: Submission) -> Path | None:
    """A CSV (UTF-8 with BOM, so Excel shows Vietnamese right) listing every problem, errors first."""
    if submission.issues.is_empty():
        return None
    folder = workspace.outbox / submission.agency_code
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{Path(submission.file_name).name}.loi.csv"
    table = (
        submission.issues.sort(
            pl.col("severity") != "error", "sheet", "row_number", nulls_last=False, maintain_order=True
        )
        .with_columns(pl.col("severity").replace_strict(_SEVERITY_VI))
        .select(list(_COLUMNS))
        .rename(_COLUMNS)
    )
    partial = target.with_name(target.name + ".part")
    table.write_csv(partial, include_bom=True)
    partial.replace(target)
    return target
