"""One agency file in, one verdict out: typed rows to load, rows to reject, and every problem found."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import polars as pl

from schemas.judging.context import FileContext
from schemas.judging.file_checks import list_level_warnings, repeated_warnings
from schemas.judging.helper_columns import FILE, FOLDED_NAME, HAS_COLUMN, RAW
from schemas.judging.issues import ISSUE_SCHEMA, file_issue, no_issues
from schemas.judging.prepared import PreparedFile, prepare
from schemas.judging.records import person_keys, with_original_cells
from schemas.judging.results import (
    FileResult,
    empty_staff_schema,
    internal_error,
    rejected_file,
    staff_columns,
    with_problems,
)
from schemas.judging.row_issues import row_issues
from schemas.judging.typed_records import type_records
from schemas.policy import Policy
from schemas.reading.cleaning import clean_sheets
from schemas.reading.faults import UnreadableFile
from schemas.reading.limits import OverLimit
from schemas.reading.reader import read_raw_sheets
from schemas.reading.sheets import Sheet
from schemas.reading.text_files import MalformedCsv, TextFormat
from schemas.rules.standards import CHECK_CODES as TITLE_STANDARD_CODES
from schemas.staff import field_titles, fields_of_kind, record_columns

logger = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
# Marks a kept row that a row check found an error in.
_BAD = "_bad"
# A file's sheets as read, and how a text file was decoded.
_Read = tuple[list[Sheet], TextFormat | None]
# The rules a batch's files are typed and checked by: the policy, the province codes and the person-key secret.
_Rules = tuple[Policy, tuple[str, ...], str]


def validate_file(path: Path, context: FileContext) -> FileResult:
    """Read, type and check one agency file; never raises for bad content, which is data, not an error."""
    return validate_files([(path, context)])[0]


def validate_files(files: list[tuple[Path, FileContext]]) -> list[FileResult]:
    """Verdicts on a batch of files, in order.

    A batch is judged together because cleaning cells, typing rows and running the row checks each cost mostly
    per call, not per row (pandera's cost is per check): one pass over a night's files costs little more than one
    file alone, and that is what keeps a night of thousands of files fast. Files still stay apart: a file that
    cannot be read, or that breaks a step (a bug in staffq), gets its own verdict and drops out, and the rest go
    on as if each had been judged alone.

    Each step takes the files still in, by their place in `files`, and fills `verdicts` for those that drop out:
    read each file; clean every file's cells at once; find each file's tables and problems as a whole; type and
    check every file's rows at once; count each verdict's problems."""
    verdicts: list[FileResult | None] = [None] * len(files)
    read = _read_each(files, verdicts)
    cleaned = _clean_all(files, read, verdicts)
    del read  # the cells as read, not needed any more
    prepared = _prepare_each(files, cleaned, verdicts)
    del cleaned  # the cleaned cells, now rows in `prepared`
    _judge_together(files, prepared, verdicts)
    return with_problems(verdicts)


def _read_each(files: list[tuple[Path, FileContext]], verdicts: list[FileResult | None]) -> dict[int, _Read]:
    """Each file's sheets as it holds them, by the file's place; a file that cannot be read has its verdict."""
    read = {}
    for i, (path, context) in enumerate(files):
        outcome = _read_or_reject(path, context)
        if isinstance(outcome, FileResult):
            verdicts[i] = outcome
        else:
            read[i] = outcome
    return read


def _clean_all(
    files: list[tuple[Path, FileContext]], read: dict[int, _Read], verdicts: list[FileResult | None]
) -> dict[int, _Read]:
    """The cells of every file read, cleaned in one pass; a file that breaks the cleaning has its verdict."""
    places = list(read)
    cleaned = _each_alone_if_broken(clean_sheets, [read[i][0] for i in places])
    kept = {}
    for i, sheets in zip(places, cleaned, strict=True):
        if isinstance(sheets, Exception):
            verdicts[i] = _failed(*files[i], sheets)
        else:
            kept[i] = (sheets, read[i][1])
    return kept


def _prepare_each(
    files: list[tuple[Path, FileContext]], cleaned: dict[int, _Read], verdicts: list[FileResult | None]
) -> dict[int, PreparedFile]:
    """Each file's tables, rows and problems as a whole; a file rejected as a whole has its verdict."""
    prepared = {}
    for i, (sheets, text_format) in cleaned.items():
        outcome = _prepare_or_reject(sheets, text_format, *files[i])
        if isinstance(outcome, PreparedFile):
            prepared[i] = outcome
        else:
            verdicts[i] = outcome
    return prepared


def _judge_together(
    files: list[tuple[Path, FileContext]], prepared: dict[int, PreparedFile], verdicts: list[FileResult | None]
) -> None:
    """Every prepared file typed, checked and given its verdict, in one pass per set of rules (one in a normal
    night)."""
    for (policy, province_codes, secret), places in _by_rules(prepared).items():
        judge = functools.partial(_typed_and_checked, policy=policy, province_codes=province_codes, secret=secret)
        judged = _each_alone_if_broken(judge, [prepared[i] for i in places])
        for i, outcome in zip(places, judged, strict=True):
            verdicts[i] = _failed(*files[i], outcome) if isinstance(outcome, Exception) else outcome


def _by_rules(prepared: dict[int, PreparedFile]) -> dict[_Rules, list[int]]:
    """The places of the prepared files, grouped by the rules their checks take and the secret of their person
    keys."""
    groups: dict[_Rules, list[int]] = {}
    for i, file in prepared.items():
        read = file.read
        groups.setdefault((read.policy, read.province_codes, read.person_key_secret), []).append(i)
    return groups


def _typed_and_checked(
    files: list[PreparedFile], policy: Policy, province_codes: tuple[str, ...], secret: str
) -> list[FileResult]:
    """Each file's verdict: its rows typed, checked and keyed, and judged, in one pass over all of them."""
    raw = pl.concat(
        [f.raw.with_columns(pl.lit(k, pl.Int32).alias(FILE.name)) for k, f in enumerate(files)], how="diagonal_relaxed"
    )
    raw = raw.join(_columns_of_sheets(files), on=[FILE.name, "sheet"], how="left", maintain_order="left")
    typed = type_records(raw, policy, province_codes)
    issues = row_issues(typed, files, policy, province_codes)
    bad = issues.filter(pl.col("severity") == "error").select(FILE.name, "sheet", "row_number").unique()
    # Only what is loaded or kept of a row, which the join and the filters then copy instead of every typed column;
    # marked `_bad` where a row check found an error.
    kept = (
        typed.select(FILE.name, *_kept_columns())
        .with_columns(
            person_key=person_keys(typed, secret),
            **{f"{name}_raw": RAW.col(name) for name in fields_of_kind("vocab")},
        )
        .join(
            bad.with_columns(pl.lit(True).alias(_BAD)),
            on=[FILE.name, "sheet", "row_number"],
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.col(_BAD).fill_null(False))
    )
    return _verdicts(files, kept, issues, policy)


def _columns_of_sheets(files: list[PreparedFile]) -> pl.DataFrame:
    """Which columns each sheet has, for the checks that tell a blank cell from a missing column."""
    fields = list(record_columns())
    return pl.DataFrame(
        [
            {FILE.name: k, "sheet": sheet} | {HAS_COLUMN.of(name): name in headers for name in fields}
            for k, f in enumerate(files)
            for sheet, headers in f.headers.items()
        ],
        schema={FILE.name: pl.Int32, "sheet": pl.String} | {HAS_COLUMN.of(name): pl.Boolean for name in fields},
    )


def _each_alone_if_broken(function: Callable[[list[T]], list[R]], items: list[T]) -> list[R | Exception]:
    """`function` over many files at once; should one file break it (a bug in staffq, not bad data), over each
    file alone, so that the one file is rejected and the rest of the night goes on, as if files were read one by
    one. `function` maps its list item for item."""
    try:
        return function(items)
    except Exception:
        logger.exception("a batch of %d files failed; judging them one by one", len(items))
    alone: list[R | Exception] = []
    for item in items:
        try:
            alone.extend(function([item]))
        except Exception as error:
            alone.append(error)
    return alone


def _read_or_reject(path: Path, context: FileContext) -> tuple[list[Sheet], TextFormat | None] | FileResult:
    """A file staffq cannot read is that file's problem: it is rejected with the reason, the night goes on."""
    as_of = context.read.as_of
    try:
        return read_raw_sheets(path, context.limits)
    except UnreadableFile as error:
        logger.warning("%s cannot be read: %s", path.name, error.explained_en)
        return rejected_file(
            as_of, None, [file_issue("file-unreadable", reason=error.reason, reason_en=error.explained_en)]
        )
    except OverLimit as error:
        return rejected_file(as_of, None, [file_issue(error.code, **error.params)])
    except MalformedCsv as error:
        warnings = error.text_format.warnings if error.text_format else ()
        issues = [file_issue(error.code, **error.params), *(file_issue(w.code, **w.params) for w in warnings)]
        return rejected_file(as_of, error.text_format, issues)
    except Exception as error:
        return _failed(path, context, error)


def _prepare_or_reject(
    sheets: list[Sheet], text_format: TextFormat | None, path: Path, context: FileContext
) -> PreparedFile | FileResult:
    try:
        return prepare(sheets, text_format, context)
    except Exception as error:
        return _failed(path, context, error)


def _failed(path: Path, context: FileContext, error: Exception) -> FileResult:
    """staffq itself failed on a file (a bug, not the clerk's doing): logged for the operator, the file returned
    with `internal-error`, which tells the clerk it is not their fault and has the next run judge it again."""
    logger.error("judging %s failed", path.name, exc_info=error)
    return internal_error(context.read.as_of, type(error).__name__)


def _verdicts(files: list[PreparedFile], kept: pl.DataFrame, issues: pl.DataFrame, policy: Policy) -> list[FileResult]:
    """Each file's verdict: its bad rows rejected, or the whole file when it has a file-level error or too many bad
    rows. `kept` and `issues` are the batch's rows and row issues, `_file` telling whose. Worked out for the batch
    at once, then split: a verdict is a dozen small polars calls, which cost a short list more than judging its
    rows when made file by file."""
    counts = _counts_by_file(kept, len(files))
    unknown_level = [k for k, file in enumerate(files) if not file.context.agency_given]
    if unknown_level:
        # A post's minimum standards depend on its level, which depends on the sender's group of agencies
        # ("Chủ tịch UBND" of a ward or of the city): unknown here, so not held against the list.
        title_standards = pl.col("check_code").is_in(list(TITLE_STANDARD_CODES.values()))
        issues = issues.filter(~(FILE.col().is_in(unknown_level) & title_standards))
    issues, repeated = repeated_warnings(issues, counts.select(FILE.name, "rows"), policy)
    statuses, whole_files, file_issues = [], [], []
    for k, (file, count) in enumerate(zip(files, counts.iter_rows(named=True), strict=True)):
        found = _file_issues(file, count)
        file_error = any(issue["severity"] == "error" for issue in found)
        if not file_error and count["rows"] and count["bad"] / count["rows"] > policy.max_row_error_share:
            found.append(
                file_issue(
                    "file-too-many-errors",
                    rejected=count["bad"],
                    rows=count["rows"],
                    max_pct=round(policy.max_row_error_share * 100),
                )
            )
            file_error = True
        file_issues += [{FILE.name: k, **issue} for issue in found + repeated.get(k, [])]
        statuses.append("rejected" if file_error else "accepted_with_errors" if count["bad"] else "accepted")
        if file_error:
            whole_files.append(k)
    issues = pl.concat(
        [
            pl.DataFrame(file_issues, schema={FILE.name: pl.Int32, **ISSUE_SCHEMA}),
            issues.select(FILE.name, *ISSUE_SCHEMA),
        ]
    ).sort(FILE.name, "sheet", "row_number", nulls_last=False, maintain_order=True)
    rejected = pl.col(_BAD) | FILE.col().is_in(whole_files)
    staff = kept.filter(~rejected).select(FILE.name, *staff_columns())
    rejected_rows = kept.filter(rejected).select(FILE.name, "sheet", "row_number")
    staff_of, rejected_of, issues_of = (
        frame.partition_by(FILE.name, as_dict=True, include_key=False) for frame in (staff, rejected_rows, issues)
    )
    return [
        FileResult(
            status,
            file.read.as_of,
            staff_of.get((k,), pl.DataFrame(schema=empty_staff_schema())),
            with_original_cells(rejected_of.get((k,), rejected_rows.clear().drop(FILE.name)), file.originals),
            issues_of.get((k,), no_issues()),
            file.text_format,
        )
        for k, (file, status) in enumerate(zip(files, statuses, strict=True))
    ]


def _counts_by_file(kept: pl.DataFrame, files: int) -> pl.DataFrame:
    """For each file of the batch, by its place: its rows, bad rows, blank categories and ratings."""
    rating = pl.col("evaluation_rating")
    found = kept.group_by(FILE.name).agg(
        rows=pl.len(),
        bad=pl.col(_BAD).sum(),
        blank_categories=pl.col("staff_category").null_count(),
        excellent=(rating == "excellent").sum(),
        good=(rating == "good").sum(),
    )
    places = pl.DataFrame({FILE.name: range(files)}, schema={FILE.name: pl.Int32})
    return places.join(found, on=FILE.name, how="left", maintain_order="left").fill_null(0)


def _file_issues(prepared: PreparedFile, count: dict) -> list[dict]:
    """The problems of the file as a whole, once its rows are typed (a category may come from a group row)."""
    missing = list(prepared.missing_fields)
    if not prepared.has_category_column and count["blank_categories"] == count["rows"]:
        missing.append("staff_category")
    titles = field_titles()
    issues = [file_issue("file-missing-column", field_vi=titles[field], field=field) for field in missing]
    issues += prepared.issues
    as_of = prepared.read.as_of
    if not count["rows"]:
        issues.append(file_issue("file-no-data"))
    if prepared.context.agency_given and not prepared.context.agency_known:
        issues.append(
            file_issue("file-agency-unknown", agency=prepared.read.agency_code, as_of=as_of.strftime("%d/%m/%Y"))
        )
    issues += list_level_warnings(as_of, prepared.context.current_list_as_of, count["excellent"], count["good"])
    return issues + prepared.total_issues


@lru_cache(maxsize=1)
def _kept_columns() -> tuple[str, ...]:
    """What is loaded or kept of a row, and what its person key is made of."""
    vocab_raw = [RAW.of(name) for name in fields_of_kind("vocab")]
    return tuple(
        dict.fromkeys(["sheet", "row_number", "national_id_kind", FOLDED_NAME.name, *record_columns(), *vocab_raw])
    )
