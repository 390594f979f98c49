"""The verdict on one file, and the verdicts on files staffq did not judge row by row."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import polars as pl

from schemas.judging.issues import ISSUE_SCHEMA, REJECTED_SCHEMA, Problem, file_issue
from schemas.reading.limits import LIMIT_CODES
from schemas.reading.text_files import TextFormat
from schemas.staff import fields_of_kind, record_columns

# What stopped the process judging a file: the file is returned unread, and the night goes on.
WORKER_LIMIT_CODES = {"time": "file-time-limit", "memory": "file-memory-limit"}
# Issues of a file that was never read: nothing of it may be opened again, not even to write the feedback.
NOT_READ_CODES = (
    "file-unreadable",
    "internal-error",
    "file-csv-quote-unbalanced",
    "file-csv-rows-mismatch",
    *LIMIT_CODES,
    *WORKER_LIMIT_CODES.values(),
)


@dataclass(frozen=True)
class FileResult:
    """The verdict on one file; `rows_read == staff.height + rejected.height` always holds. `problems` sums up
    `issues`, check by check."""

    status: str
    as_of_date: dt.date
    staff: pl.DataFrame
    rejected: pl.DataFrame
    issues: pl.DataFrame
    text_format: TextFormat | None
    problems: tuple[Problem, ...] = ()

    @property
    def rows_read(self) -> int:
        return self.staff.height + self.rejected.height


def staff_columns() -> list[str]:
    """Columns of a loaded row: lineage, the canonical record, and each vocabulary cell as written."""
    vocab_raw = [f"{name}_raw" for name in fields_of_kind("vocab")]
    return ["sheet", "row_number", "person_key", *record_columns(), *vocab_raw]


def with_problems(results: list[FileResult]) -> list[FileResult]:
    """The same verdicts, each with its issues counted check by check: one group-by for the batch, not per file."""
    issues = [result.issues for result in results]
    if not any(frame.height for frame in issues):
        return results
    heights = pl.DataFrame({"_file": range(len(issues)), "height": [frame.height for frame in issues]})
    files = heights.filter(pl.col("height") > 0).select(pl.col("_file").repeat_by("height")).explode("_file")
    counted = (
        pl.concat(issues, how="vertical_relaxed")
        .select(
            files["_file"],
            "check_code",
            "severity",
            "message_vi",
            whole_file=pl.col("row_number").is_null(),
        )
        .group_by("_file", "check_code", "severity", maintain_order=True)
        .agg(pl.len().alias("count"), pl.col("message_vi").first(), pl.col("whole_file").any())
    )
    problems: dict[int, list[Problem]] = {}
    for row in counted.iter_rows(named=True):
        problems.setdefault(row.pop("_file"), []).append(Problem(**row))
    return [dataclasses.replace(result, problems=tuple(problems.get(i, ()))) for i, result in enumerate(results)]


def internal_error(as_of: dt.date, reason: str) -> FileResult:
    """The verdict on a file staffq failed to judge: returned unread, judged again by the next run."""
    return with_problems([rejected_file(as_of, None, [file_issue("internal-error", reason=reason)])])[0]


def stopped(as_of: dt.date, reason: str, limits_seconds: float, limits_memory_mb: int) -> FileResult:
    """The verdict on a file whose judging was stopped at a worker's limit (`reason`: "time" or "memory")."""
    code = WORKER_LIMIT_CODES[reason]
    issue = file_issue(code, seconds=f"{limits_seconds:g}", max_mb=limits_memory_mb)
    return with_problems([rejected_file(as_of, None, [issue])])[0]


def duplicate_result(as_of: dt.date) -> FileResult:
    """A file whose bytes were received before: recorded, not read again."""
    return _without_rows("duplicate", as_of, None, pl.DataFrame(schema=ISSUE_SCHEMA))


def rejected_file(as_of: dt.date, text_format: TextFormat | None, issues: list[dict]) -> FileResult:
    """The verdict on a file rejected as a whole before any row of it was kept."""
    return _without_rows("rejected", as_of, text_format, pl.DataFrame(issues, schema=ISSUE_SCHEMA))


def _without_rows(status: str, as_of: dt.date, text_format: TextFormat | None, issues: pl.DataFrame) -> FileResult:
    return FileResult(
        status,
        as_of,
        pl.DataFrame(schema=empty_staff_schema()),
        pl.DataFrame(schema=REJECTED_SCHEMA),
        issues,
        text_format,
    )


def empty_staff_schema() -> dict[str, pl.DataType]:
    """The columns and types of `staff_columns`, for a verdict that loads no row."""
    dtypes = {"sheet": pl.String, "row_number": pl.Int64, "person_key": pl.String}
    for name, column in record_columns().items():
        dtypes[name] = column.dtype.type
    dtypes.update({f"{name}_raw": pl.String for name in fields_of_kind("vocab")})
    return dtypes
