"""One agency file in, one verdict out: typed rows to load, rows to reject, and every problem found."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas.agencies import AgencyNames
from schemas.as_of import find_as_of
from schemas.catalogue import check
from schemas.headers import header_index
from schemas.layout import NoHeader, Table, locate_table
from schemas.policy import Policy
from schemas.record import (
    ReadContext,
    Records,
    build_records,
    checkmark_groups,
    person_keys,
    raw_column,
    type_records,
)
from schemas.row_checks import RowCheck, has_column, row_checks
from schemas.sheets import (
    LIMIT_CODES,
    MalformedCsv,
    OverLimit,
    ReadLimits,
    Sheet,
    TextFormat,
    UnreadableFile,
    clean_sheets,
    column_number,
    read_raw_sheets,
)
from schemas.staff import StaffRecord, field_titles, fields_of_kind, record_columns
from schemas.text import fold

logger = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
ISSUE_SCHEMA = {
    "sheet": pl.String,
    "row_number": pl.Int64,
    # The row as the clerk finds it in their own list: its STT (when the list numbers its rows) and the name.
    "list_number": pl.String,
    "person_name": pl.String,
    "column_header": pl.String,
    "column_number": pl.Int32,
    "field": pl.String,
    "check_code": pl.String,
    "severity": pl.String,
    "value": pl.String,
    "message_vi": pl.String,
    "message_en": pl.String,
}
REJECTED_SCHEMA = {"sheet": pl.String, "row_number": pl.Int64, "raw": pl.String}
# Decree 90/2020 as amended: "excellent" ratings are capped at 20 % of "good" ones in a unit.
EXCELLENT_SHARE_OF_GOOD = 0.2
_SKIPPED_SHEETS = re.compile(r"^(huong dan|hd|danh muc|dm|list|data)\b")
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
class FileContext:
    """What the flow knows about a file before reading it. `agency_given` is false when nobody said who sent it
    (`staffq check` without an agency): the checks that compare the file with its sender are skipped, not failed."""

    read: ReadContext
    agency_known: bool = True
    agency_given: bool = True
    current_list_as_of: dt.date | None = None
    agency_name: str | None = None
    agency_names: AgencyNames = dataclasses.field(default_factory=AgencyNames)
    limits: ReadLimits = dataclasses.field(default_factory=ReadLimits)


@dataclass(frozen=True)
class Problem:
    """One check that fired in a file: how often, and its first message. What alerts and run summaries quote,
    small enough to keep for every file of a night; the issues themselves go to the warehouse."""

    check_code: str
    severity: str
    count: int
    message_vi: str
    whole_file: bool


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


@dataclass(frozen=True)
class _Prepared:
    """A file read, waiting for the typing and the row checks that run on a whole batch at once. The problems of
    the file as a whole are kept in pieces: some can only be told once its rows are typed."""

    raw: pl.DataFrame
    headers: dict[str, dict[str, str]]
    cells: dict[str, dict[str, str]]
    missing_fields: list[str]
    has_category_column: bool
    issues: list[dict]
    total_issues: list[dict]
    context: FileContext
    read: ReadContext
    text_format: TextFormat | None


def validate_file(path: Path, context: FileContext) -> FileResult:
    """Read, type and check one agency file; never raises for bad content, which is data, not an error."""
    return validate_files([(path, context)])[0]


def validate_files(files: list[tuple[Path, FileContext]]) -> list[FileResult]:
    """Verdicts on a batch of files, in order. Typing and row checks run once over the whole batch: their cost is
    mostly per run, not per row (pandera's cost per check), so one pass over many files is what keeps a night of
    thousands of files fast."""
    read = [_read_or_reject(path, context) for path, context in files]
    readable = [i for i, result in enumerate(read) if not isinstance(result, FileResult)]
    cleaned = dict(zip(readable, _each_alone_if_broken(clean_sheets, [read[i][0] for i in readable]), strict=True))
    results: list[_Prepared | FileResult] = []
    for i, (path, context) in enumerate(files):
        if isinstance(read[i], FileResult):
            results.append(read[i])
        elif isinstance(cleaned[i], Exception):
            results.append(_failed(path, cleaned[i], context))
        else:
            results.append(_prepare_or_reject(cleaned[i], read[i][1], path, context))
    del read, cleaned  # the cells, not needed any more
    positions = [i for i, result in enumerate(results) if isinstance(result, _Prepared)]
    batch = [results[i] for i in positions]
    for (policy, province_codes, secret), members in _by_rules(batch).items():
        judged = _each_alone_if_broken(
            functools.partial(_typed_and_checked, policy=policy, province_codes=province_codes, secret=secret),
            [batch[i] for i in members],
        )
        for i, outcome in zip(members, judged, strict=True):
            path, context = files[positions[i]]
            failed = isinstance(outcome, Exception)
            results[positions[i]] = _failed(path, outcome, context) if failed else _verdict(batch[i], *outcome)
    return _with_problems(results)


def _with_problems(results: list[FileResult]) -> list[FileResult]:
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


def _typed_and_checked(
    files: list[_Prepared], policy: Policy, province_codes: tuple[str, ...], secret: str
) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """Each file's rows as they would be kept (loaded or rejected: see `_verdict`), marked `_bad` where a row
    check found an error, and its row issues; typed, checked and keyed in one pass over all of them."""
    raw = pl.concat(
        [f.raw.with_columns(_file=pl.lit(k, pl.Int32)) for k, f in enumerate(files)], how="diagonal_relaxed"
    )
    # Which columns each sheet has, for the checks that tell a blank cell from a missing column.
    has_columns = pl.DataFrame(
        [
            {"_file": k, "sheet": sheet} | {has_column(name): name in headers for name in record_columns()}
            for k, f in enumerate(files)
            for sheet, headers in f.headers.items()
        ],
        schema={"_file": pl.Int32, "sheet": pl.String} | dict.fromkeys(map(has_column, record_columns()), pl.Boolean),
    )
    raw = raw.join(has_columns, on=["_file", "sheet"], how="left", maintain_order="left")
    typed = type_records(raw, policy, province_codes)
    issues = _row_issues(typed, files, policy, province_codes)
    bad = issues.filter(pl.col("severity") == "error").select("_file", "sheet", "row_number").unique()
    # What is loaded or kept of a row: a third of the typed columns, which the join and the filters then copy
    # instead of all of them.
    kept = (
        typed.select("_file", *_kept_columns())
        .with_columns(
            person_key=person_keys(typed, secret),
            **{f"{name}_raw": pl.col(raw_column(name)) for name in fields_of_kind("vocab")},
        )
        .join(
            bad.with_columns(_bad=pl.lit(True)), on=["_file", "sheet", "row_number"], how="left", maintain_order="left"
        )
        .with_columns(pl.col("_bad").fill_null(False))
    )
    frames = kept.partition_by("_file", as_dict=True, include_key=False)
    by_file = issues.partition_by("_file", as_dict=True, include_key=False)
    empty = kept.clear().drop("_file")
    return [(frames.get((k,), empty), by_file.get((k,), _no_issues())) for k in range(len(files))]


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
        return _rejected_file(
            as_of, None, [_file_issue("file-unreadable", reason=error.reason, reason_en=error.explained_en)]
        )
    except OverLimit as error:
        return _rejected_file(as_of, None, [_file_issue(error.code, **error.params)])
    except MalformedCsv as error:
        warnings = error.text_format.warnings if error.text_format else ()
        issues = [_file_issue(error.code, **error.params), *(_file_issue(w.code, **w.params) for w in warnings)]
        return _rejected_file(as_of, error.text_format, issues)
    except Exception as error:
        return _failed(path, error, context)


def _prepare_or_reject(
    sheets: list[Sheet], text_format: TextFormat | None, path: Path, context: FileContext
) -> _Prepared | FileResult:
    try:
        return _prepare(sheets, text_format, context)
    except Exception as error:
        return _failed(path, error, context)


def _failed(path: Path, error: Exception, context: FileContext) -> FileResult:
    """staffq itself failed on a file (a bug, not the clerk's doing): logged for the operator, the file returned
    with `internal-error`, which tells the clerk it is not their fault and has the next run judge it again."""
    logger.error("judging %s failed", path.name, exc_info=error)
    return internal_error(context.read.as_of, type(error).__name__)


def internal_error(as_of: dt.date, reason: str) -> FileResult:
    """The verdict on a file staffq failed to judge: returned unread, judged again by the next run."""
    return _with_problems([_rejected_file(as_of, None, [_file_issue("internal-error", reason=reason)])])[0]


def stopped(as_of: dt.date, reason: str, limits_seconds: float, limits_memory_mb: int) -> FileResult:
    """The verdict on a file whose judging was stopped at a worker's limit (`reason`: "time" or "memory")."""
    code = WORKER_LIMIT_CODES[reason]
    issue = _file_issue(code, seconds=f"{limits_seconds:g}", max_mb=limits_memory_mb)
    return _with_problems([_rejected_file(as_of, None, [issue])])[0]


def _prepare(sheets: list[Sheet], text_format: TextFormat | None, context: FileContext) -> _Prepared | FileResult:
    """Everything that is about one file alone: its tables, the as-of date, its rows, file-level problems."""
    as_of = context.read.as_of
    tables, issues = _tables(sheets)
    if text_format:
        issues = [*(_file_issue(w.code, **w.params) for w in text_format.warnings), *issues]
    if not tables:
        return _rejected_file(as_of, text_format, [*issues, _file_issue("file-no-header")])
    legacy: Counter[str] = Counter()
    for sheet in sheets:
        legacy.update(sheet.legacy_cells)
    if legacy:
        encoding, _ = legacy.most_common(1)[0]
        issues.append(_file_issue("file-legacy-encoding", encoding=encoding, cells=sum(legacy.values())))
    issues += _agency_mismatch([line for table in tables for line in table.title_lines], context)
    found = find_as_of([line for table in tables for line in table.title_lines])
    if found is None:
        issues.append(_file_issue("file-as-of-missing", as_of=as_of.strftime("%d/%m/%Y")))
    elif found > as_of:
        issues.append(
            _file_issue("file-as-of-future", value=found.strftime("%d/%m/%Y"), as_of=as_of.strftime("%d/%m/%Y"))
        )
    else:
        age = (as_of - found).days
        if age > context.read.policy.as_of_max_age_days:
            issues.append(_file_issue("file-as-of-stale", value=found.strftime("%d/%m/%Y"), days=age))
        as_of = found
    read = dataclasses.replace(context.read, as_of=as_of)
    records = [build_records(table, read) for table in tables]
    issues += [issue for table, record in zip(tables, records, strict=True) for issue in _column_issues(table, record)]
    raw = pl.concat([r.frame for r in records], how="diagonal_relaxed")
    raw = raw.with_columns(
        _unit_agency=_other_agency_units(raw, context),
        _agency_name=pl.lit(context.agency_name or context.read.agency_code),
    )
    totals = [
        _file_issue("file-total-mismatch", value=table.total_declared, rows=table.rows.height, sheet=table.sheet)
        for table in tables
        if table.total_declared is not None and table.total_declared != table.rows.height
    ]
    return _Prepared(
        raw,
        headers={table.sheet: record.headers for table, record in zip(tables, records, strict=True)},
        cells={table.sheet: record.cells for table, record in zip(tables, records, strict=True)},
        missing_fields=_missing_columns(records),
        has_category_column=any("staff_category" in r.headers for r in records),
        issues=issues,
        total_issues=totals,
        context=context,
        read=read,
        text_format=text_format,
    )


def _file_issues(prepared: _Prepared, frame: pl.DataFrame) -> list[dict]:
    """The problems of the file as a whole, once its rows are typed (a category may come from a group row)."""
    missing = list(prepared.missing_fields)
    if not prepared.has_category_column and (frame.is_empty() or frame["staff_category"].null_count() == frame.height):
        missing.append("staff_category")
    titles = field_titles()
    issues = [_file_issue("file-missing-column", field_vi=titles[field], field=field) for field in missing]
    issues += prepared.issues
    as_of = prepared.read.as_of
    if frame.is_empty():
        issues.append(_file_issue("file-no-data"))
    if prepared.context.agency_given and not prepared.context.agency_known:
        issues.append(
            _file_issue("file-agency-unknown", agency=prepared.read.agency_code, as_of=as_of.strftime("%d/%m/%Y"))
        )
    issues += _list_level_warnings(frame, as_of, prepared.context.current_list_as_of)
    return issues + prepared.total_issues


def _other_agency_units(raw: pl.DataFrame, context: FileContext) -> pl.Expr:
    """The name of the catalogue agency a row's unit cell is, when that is not the sender (a list that holds
    another agency's staff): each distinct cell looked up once. Units taken from group rows are left out: a
    label above a block of rows is not a row's own statement."""
    column = raw_column("unit_name")
    if column not in raw.columns or not context.agency_given:
        return pl.lit(None, pl.String)
    others = {}
    for unit in raw[column].drop_nulls().unique():
        named = context.agency_names.named_by(unit)
        if named and all(code != context.read.agency_code for code, _ in named):
            others[unit] = named[0][1]
    return pl.col(column).replace_strict(others, default=None, return_dtype=pl.String)


def _agency_mismatch(title_lines: list[str], context: FileContext) -> list[dict]:
    """The title block names another catalogue agency and not the sender: a file sent from the wrong folder."""
    if not context.agency_given:
        return []
    named = context.agency_names.named_in(" ".join(title_lines))
    if not named or any(code == context.read.agency_code for code, _ in named):
        return []
    return [_file_issue("file-agency-mismatch", value=named[0][1], agency_name=context.agency_name)]


def _list_level_warnings(frame: pl.DataFrame, as_of: dt.date, current: dt.date | None) -> list[dict]:
    """Warnings about the list as a whole: an older list than the current one, too many "excellent" ratings."""
    warnings = []
    if current is not None and as_of < current:
        warnings.append(
            _file_issue("file-as-of-older", value=as_of.strftime("%d/%m/%Y"), current=current.strftime("%d/%m/%Y"))
        )
    if not frame.is_empty():
        rating = pl.col("evaluation_rating")
        excellent, good = frame.select(
            (rating == "excellent").sum().alias("excellent"), (rating == "good").sum().alias("good")
        ).row(0)
        if excellent > EXCELLENT_SHARE_OF_GOOD * good:
            warnings.append(_file_issue("evaluation-excellent-cap", excellent=excellent, good=good))
    return warnings


def _tables(sheets: list[Sheet]) -> tuple[list[Table], list[dict]]:
    index = header_index()
    tables, issues = [], []
    for sheet in sheets:
        if not sheet.visible or sheet.cells.is_empty():
            continue
        try:
            tables.append(locate_table(sheet, index))
        except NoHeader:
            if not _SKIPPED_SHEETS.match(fold(sheet.name)):
                issues.append(_file_issue("file-sheet-skipped", sheet_name=sheet.name, sheet=sheet.name))
    # With no list anywhere the file has one problem (file-no-header), not one per sheet.
    return tables, issues if tables else []


def _column_issues(table: Table, records: Records) -> list[dict]:
    issues = []
    seen: dict[str, list[str]] = {}
    for column in table.columns:
        if column.match:
            seen.setdefault(column.match.field, []).append(column.header)
        elif column.header and not column.ignored:
            issues.append(
                _file_issue(
                    "file-unknown-column",
                    header=column.header,
                    sheet=table.sheet,
                    column_number=column_number(column.name),
                )
            )
    titles = field_titles()
    grouped = set(checkmark_groups(table))
    for field, column_headers in seen.items():
        if field in grouped or (field == "birth_date" and records.split_birth_layout):
            continue
        if len(column_headers) > 1:
            issues.append(
                _file_issue(
                    "file-duplicate-column",
                    headers=", ".join(f'"{h}"' for h in column_headers),
                    header=column_headers[0],
                    field_vi=titles.get(field, field),
                    sheet=table.sheet,
                )
            )
    return issues


def _missing_columns(records: list[Records]) -> list[str]:
    """Fields without which no row can be judged, not found among the headers (the category is judged later)."""
    missing = []
    if not any("birth_date" in r.headers for r in records):
        missing.append("birth_date")
    if not any("gender" in r.headers or r.split_birth_layout for r in records):
        missing.append("gender")
    return missing


def _row_issues(
    frame: pl.DataFrame, batch: list[_Prepared], policy: Policy, province_codes: tuple[str, ...]
) -> pl.DataFrame:
    """Run every row check through pandera (lazy, so all failures are collected) over the typed rows of a batch,
    and word the messages; returns the issues of the batch, `_file` telling whose."""
    if frame.is_empty():
        return _no_issues().with_columns(_file=pl.lit(None, pl.Int32))
    schema, checks = _checked_schema(policy, province_codes)
    try:
        schema.validate(frame, lazy=True)
        return _no_issues().with_columns(_file=pl.lit(None, pl.Int32))
    except pa.errors.SchemaErrors as errors:
        failures = errors.failure_cases
    unexpected = failures.filter(pl.col("index").is_null())
    if not unexpected.is_empty():
        raise TypeError(f"typed staff record does not match StaffRecord: {unexpected.to_dicts()}")
    return _word_issues(frame, failures, checks, batch)


def _by_rules(batch: list[_Prepared]) -> dict[tuple[Policy, tuple[str, ...], str], list[int]]:
    """Files grouped by the rules their checks take and the secret of their person keys (one group in a normal
    night)."""
    groups: dict[tuple[Policy, tuple[str, ...], str], list[int]] = {}
    for i, prepared in enumerate(batch):
        read = prepared.read
        groups.setdefault((read.policy, read.province_codes, read.person_key_secret), []).append(i)
    return groups


@lru_cache(maxsize=8)
def _checked_schema(policy: Policy, province_codes: tuple[str, ...]) -> tuple[pa.DataFrameSchema, dict[str, RowCheck]]:
    """StaffRecord with every row check attached, built once: pandera copies the schema on each update."""
    checks = row_checks(policy, province_codes)
    by_field: dict[str, list[pa.Check]] = {}
    for row_check in checks:
        by_field.setdefault(row_check.field, []).append(_as_pandera(row_check))
    schema = StaffRecord.to_schema().update_columns({field: {"checks": c} for field, c in by_field.items()})
    return schema, {f"{c.code}|{c.field}": c for c in checks}


def _as_pandera(row_check: RowCheck) -> pa.Check:
    def passes(data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~row_check.fails.fill_null(False))

    return pa.Check(passes, name=row_check.code)


def _word_issues(
    frame: pl.DataFrame, failures: pl.DataFrame, checks: dict[str, RowCheck], batch: list[_Prepared]
) -> pl.DataFrame:
    """One issue row per failure, with the message in both languages and the file's own header."""
    titles = field_titles()
    worded = []
    for (code, field), group in failures.group_by(["check", "column"], maintain_order=True):
        row_check = checks[f"{code}|{field}"]
        definition = check(code)
        # Parameters are computed on the whole batch first: "first row with this ID" needs every row of the file.
        failing = frame.select(
            "_file",
            "sheet",
            "row_number",
            "_layout_gender",
            list_number=pl.col("stt"),
            person_name=pl.col("full_name"),
            value=pl.col(raw_column(field)),
            # A check's own parameters may name the message's {value} differently from the cell, hence the prefix.
            **{f"param_{name}": expr.cast(pl.String) for name, expr in row_check.params.items()},
        )[group["index"].to_list()].join(_where_written(batch, field), on=["_file", "sheet"], maintain_order="left")
        params = {name: pl.col(name) for name in ("sheet", "row_number", "_layout_gender", "value", "header", "as_of")}
        params |= {"field_vi": pl.lit(titles[field]), "field_en": pl.lit(field.replace("_", " "))}
        params |= {name: pl.col(f"param_{name}") for name in row_check.params}
        message_vi, message_en = definition.render_columns(params)
        female_birth = (pl.col("_layout_gender") == "female") if field in ("birth_date", "gender") else pl.lit(False)
        worded.append(
            failing.select(
                "_file",
                "sheet",
                "row_number",
                list_number=pl.col("list_number"),
                person_name=pl.col("person_name"),
                column_header=pl.col("header"),
                column_number=pl.when(female_birth.fill_null(False))
                .then(pl.coalesce("female_column", "column"))
                .otherwise(pl.col("column")),
                field=pl.lit(field),
                check_code=pl.lit(code),
                severity=pl.lit(definition.severity),
                value=pl.col("value"),
                message_vi=message_vi,
                message_en=message_en,
            )
        )
    schema = {"_file": pl.Int32, **ISSUE_SCHEMA}
    return pl.concat([w.cast(schema) for w in worded]) if worded else pl.DataFrame(schema=schema)


def _where_written(batch: list[_Prepared], field: str) -> pl.DataFrame:
    """For each file and sheet of the batch: the header the clerk gave `field` and its column number (and that of
    the Nữ birth-date column of the official layout), and the list's as-of date, as messages quote them."""
    title = field_titles()[field]
    rows = [
        (
            i,
            sheet,
            headers.get(field, title),
            column_number(cells[field]) if cells.get(field) else None,
            column_number(cells["birth_date_female"]) if cells.get("birth_date_female") else None,
            prepared.read.as_of.strftime("%d/%m/%Y"),
        )
        for i, prepared in enumerate(batch)
        for sheet, headers in prepared.headers.items()
        for cells in [prepared.cells[sheet]]
    ]
    schema = {
        "_file": pl.Int32,
        "sheet": pl.String,
        "header": pl.String,
        "column": pl.Int32,
        "female_column": pl.Int32,
        "as_of": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _no_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)


def _file_issue(code: str, **params: object) -> dict:
    definition = check(code)
    message_vi, message_en = definition.render(params)
    return {
        "sheet": params.get("sheet"),
        "row_number": None,
        "list_number": None,
        "person_name": None,
        "column_header": params.get("header"),
        "column_number": params.get("column_number"),
        "field": params.get("field"),
        "check_code": code,
        "severity": definition.severity,
        "value": None if params.get("value") is None else str(params.get("value")),
        "message_vi": message_vi,
        "message_en": message_en,
    }


def _verdict(prepared: _Prepared, frame: pl.DataFrame, row_issues: pl.DataFrame) -> FileResult:
    """Reject the bad rows, or the whole file when it has a file-level error or too many bad rows."""
    read, file_issues = prepared.read, _file_issues(prepared, frame)
    bad_rows = frame["_bad"].sum()
    file_error = any(issue["severity"] == "error" for issue in file_issues)
    if not file_error and frame.height and bad_rows / frame.height > read.policy.max_row_error_share:
        file_issues.append(
            _file_issue(
                "file-too-many-errors",
                rejected=bad_rows,
                rows=frame.height,
                max_pct=round(read.policy.max_row_error_share * 100),
            )
        )
        file_error = True
    row_issues, repeated = _repeated_warnings(row_issues, frame.height, read.policy)
    file_issues += repeated
    issues = pl.concat([pl.DataFrame(file_issues, schema=ISSUE_SCHEMA), row_issues]).sort(
        "sheet", "row_number", nulls_last=False, maintain_order=True
    )
    rejected_mask = pl.lit(True) if file_error else pl.col("_bad")
    status = "rejected" if file_error else "accepted_with_errors" if bad_rows else "accepted"
    staff = frame.filter(~rejected_mask)
    rejected = frame.filter(rejected_mask).select(list(REJECTED_SCHEMA))
    staff = staff.select(staff_columns()) if staff.height else pl.DataFrame(schema=_empty_staff_schema())
    return FileResult(status, read.as_of, staff, rejected, issues, prepared.text_format)


def _repeated_warnings(row_issues: pl.DataFrame, rows: int, policy: Policy) -> tuple[pl.DataFrame, list[dict]]:
    """A warning with one message (one cause: how a column is written, the year in a header) on most rows of a
    list is said once for the list, with how many rows it concerns: the same sentence on every row buries the
    problems that are a row's own. Errors stay on their rows, which they reject."""
    cause = ["check_code", "field", "column_header", "message_vi"]
    counted = (
        row_issues.filter(pl.col("severity") == "warning")
        .group_by(cause, maintain_order=True)
        .agg(
            pl.len().alias("count"),
            pl.col("message_en").first(),
            pl.col("sheet").unique().alias("sheets"),
            pl.col("column_number").unique().alias("column_numbers"),
            pl.col("value").unique().alias("values"),
        )
        .filter(
            (pl.col("count") > policy.repeated_warning_share * rows)
            & (pl.col("count") >= policy.repeated_warning_min_rows)
        )
    )
    if counted.is_empty():
        return row_issues, []
    summed_up = [
        _file_issue(
            "file-warning-on-most-rows",
            header=warning["column_header"],
            field=warning["field"],
            sheet=_the_one(warning["sheets"]),
            column_number=_the_one(warning["column_numbers"]),
            value=_the_one(warning["values"]),
            count=warning["count"],
            rows=rows,
            warning_vi=warning["message_vi"],
            warning_en=warning["message_en"],
        )
        for warning in counted.iter_rows(named=True)
    ]
    kept = row_issues.join(counted.select(cause), on=cause, how="anti", nulls_equal=True, maintain_order="left")
    return kept, summed_up


def _the_one(values: list) -> object:
    """The value all the rows share, or None when they differ."""
    return values[0] if len(values) == 1 else None


@lru_cache(maxsize=1)
def _kept_columns() -> tuple[str, ...]:
    """What is loaded or kept of a row, and what its person key is made of."""
    vocab_raw = [raw_column(name) for name in fields_of_kind("vocab")]
    return tuple(
        dict.fromkeys(["sheet", "row_number", "raw", "national_id_kind", "_folded_name", *record_columns(), *vocab_raw])
    )


def _empty_staff_schema() -> dict[str, pl.DataType]:
    dtypes = {"sheet": pl.String, "row_number": pl.Int64, "person_key": pl.String}
    for name, column in record_columns().items():
        dtypes[name] = column.dtype.type
    dtypes.update({f"{name}_raw": pl.String for name in fields_of_kind("vocab")})
    return dtypes


def _rejected_file(as_of: dt.date, text_format: TextFormat | None, issues: list[dict]) -> FileResult:
    return _without_rows("rejected", as_of, text_format, pl.DataFrame(issues, schema=ISSUE_SCHEMA))


def duplicate_result(as_of: dt.date) -> FileResult:
    """A file whose bytes were received before: recorded, not read again."""
    return _without_rows("duplicate", as_of, None, pl.DataFrame(schema=ISSUE_SCHEMA))


def _without_rows(status: str, as_of: dt.date, text_format: TextFormat | None, issues: pl.DataFrame) -> FileResult:
    return FileResult(
        status,
        as_of,
        pl.DataFrame(schema=_empty_staff_schema()),
        pl.DataFrame(schema=REJECTED_SCHEMA),
        issues,
        text_format,
    )
