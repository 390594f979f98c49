"""Checks of a file as a whole: its sheets and columns, its title block, its size against its rows."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import polars as pl

from schemas.judging.context import FileContext, ReadContext
from schemas.judging.helper_columns import FILE, RAW
from schemas.judging.issues import file_issue
from schemas.judging.records import Records, checkmark_groups
from schemas.policy import Policy
from schemas.reading.as_of import find_as_of
from schemas.reading.headers import header_index
from schemas.reading.layout import NoHeader, Table, locate_table
from schemas.reading.sheets import Sheet, column_number
from schemas.reading.text import fold
from schemas.staff import field_titles

# Decree 90/2020 as amended: "excellent" ratings are capped at 20 % of "good" ones in a unit.
EXCELLENT_SHARE_OF_GOOD = 0.2
_SKIPPED_SHEETS = re.compile(r"^(huong dan|hd|danh muc|dm|list|data)\b")


def located_tables(sheets: list[Sheet]) -> tuple[list[Table], list[dict]]:
    """The list of every visible sheet that has one, and a problem for each sheet that has none and is not a
    sheet of instructions or drop-down values."""
    index = header_index()
    tables, issues = [], []
    for sheet in sheets:
        if not sheet.visible or sheet.cells.is_empty():
            continue
        try:
            tables.append(locate_table(sheet, index))
        except NoHeader:
            if not _SKIPPED_SHEETS.match(fold(sheet.name)):
                issues.append(file_issue("file-sheet-skipped", sheet_name=sheet.name, sheet=sheet.name))
    # With no list anywhere the file has one problem (file-no-header), not one per sheet.
    return tables, issues if tables else []


def column_issues(table: Table, records: Records) -> list[dict]:
    """Headers staffq does not know, and fields written in more than one column of a table."""
    issues = []
    seen: dict[str, list[str]] = {}
    for column in table.columns:
        if column.match:
            seen.setdefault(column.match.field, []).append(column.header)
        elif column.header and not column.ignored:
            issues.append(
                file_issue(
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
                file_issue(
                    "file-duplicate-column",
                    headers=", ".join(f'"{h}"' for h in column_headers),
                    header=column_headers[0],
                    field_vi=titles.get(field, field),
                    sheet=table.sheet,
                )
            )
    return issues


def missing_columns(records: list[Records]) -> list[str]:
    """Fields without which no row can be judged, not found among the headers (the category is judged later)."""
    missing = []
    if not any("birth_date" in r.headers for r in records):
        missing.append("birth_date")
    if not any("gender" in r.headers or r.split_birth_layout for r in records):
        missing.append("gender")
    return missing


def legacy_encoding(sheets: list[Sheet]) -> list[dict]:
    """Cells typed in a TCVN3 or VNI font were converted: the clerk is told which encoding, and how many cells."""
    legacy: Counter[str] = Counter()
    for sheet in sheets:
        legacy.update(sheet.legacy_cells)
    if not legacy:
        return []
    encoding, _ = legacy.most_common(1)[0]
    return [file_issue("file-legacy-encoding", encoding=encoding, cells=sum(legacy.values()))]


def list_as_of(title_lines: list[str], read: ReadContext) -> tuple[dt.date, list[dict]]:
    """The list's as-of date and what is wrong with it: the date its title block gives, unless it gives none or
    one after the day the list was received (then the day received stands); a date too old is kept and said."""
    as_of = read.as_of
    found = find_as_of(title_lines)
    if found is None:
        return as_of, [file_issue("file-as-of-missing", as_of=as_of.strftime("%d/%m/%Y"))]
    if found > as_of:
        issue = file_issue("file-as-of-future", value=found.strftime("%d/%m/%Y"), as_of=as_of.strftime("%d/%m/%Y"))
        return as_of, [issue]
    age = (as_of - found).days
    if age > read.policy.as_of_max_age_days:
        return found, [file_issue("file-as-of-stale", value=found.strftime("%d/%m/%Y"), days=age)]
    return found, []


def total_mismatches(tables: list[Table]) -> list[dict]:
    """A total row that does not count the rows above it: a row lost or added by mistake."""
    return [
        file_issue("file-total-mismatch", value=table.total_declared, rows=table.rows.height, sheet=table.sheet)
        for table in tables
        if table.total_declared is not None and table.total_declared != table.rows.height
    ]


def agency_mismatch(title_lines: list[str], context: FileContext) -> list[dict]:
    """The title block names another agency of agencies.csv and not the sender: a file sent from the wrong folder."""
    if not context.agency_given:
        return []
    named = context.agency_names.named_in(" ".join(title_lines))
    if not named or any(code == context.read.agency_code for code, _ in named):
        return []
    return [file_issue("file-agency-mismatch", value=named[0][1], agency_name=context.agency_name)]


def other_agency_units(raw: pl.DataFrame, context: FileContext) -> pl.Expr:
    """The name of the agency of agencies.csv a row's unit cell is, when that is not the sender (a list that holds
    another agency's staff): each distinct cell looked up once. Units taken from group rows are left out: a
    label above a block of rows is not a row's own statement."""
    column = RAW.of("unit_name")
    if column not in raw.columns or not context.agency_given:
        return pl.lit(None, pl.String)
    others = {}
    for unit in raw[column].drop_nulls().unique():
        named = context.agency_names.named_by(unit)
        if named and all(code != context.read.agency_code for code, _ in named):
            others[unit] = named[0][1]
    return pl.col(column).replace_strict(others, default=None, return_dtype=pl.String)


def list_level_warnings(as_of: dt.date, current: dt.date | None, excellent: int, good: int) -> list[dict]:
    """Warnings about the list as a whole: an older list than the current one, too many "excellent" ratings (of
    its rows, `excellent` and `good`)."""
    warnings = []
    if current is not None and as_of < current:
        warnings.append(
            file_issue("file-as-of-older", value=as_of.strftime("%d/%m/%Y"), current=current.strftime("%d/%m/%Y"))
        )
    if excellent > EXCELLENT_SHARE_OF_GOOD * good:
        warnings.append(file_issue("evaluation-excellent-cap", excellent=excellent, good=good))
    return warnings


def repeated_warnings(
    row_issues: pl.DataFrame, rows: pl.DataFrame, policy: Policy
) -> tuple[pl.DataFrame, dict[int, list[dict]]]:
    """A warning with one message (one cause: how a column is written, the year in a header) on most rows of a
    list is said once for the list, with how many rows it concerns: the same sentence on every row buries the
    problems that are a row's own. Errors stay on their rows, which they reject.

    For the row issues of a batch of files (`_file` telling whose) and how many rows each file has (`rows`:
    `_file`, `rows`): the row issues left, and each file's warnings said once, by the file's place."""
    cause = [FILE.name, "check_code", "field", "column_header", "message_vi"]
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
        .join(rows, on=FILE.name, maintain_order="left")
        .filter(
            (pl.col("count") > policy.repeated_warning_share * pl.col("rows"))
            & (pl.col("count") >= policy.repeated_warning_min_rows)
        )
    )
    if counted.is_empty():
        return row_issues, {}
    summed_up: dict[int, list[dict]] = {}
    for warning in counted.iter_rows(named=True):
        summed_up.setdefault(warning[FILE.name], []).append(
            file_issue(
                "file-warning-on-most-rows",
                header=warning["column_header"],
                field=warning["field"],
                sheet=_the_one(warning["sheets"]),
                column_number=_the_one(warning["column_numbers"]),
                value=_the_one(warning["values"]),
                count=warning["count"],
                rows=warning["rows"],
                warning_vi=warning["message_vi"],
                warning_en=warning["message_en"],
            )
        )
    kept = row_issues.join(counted.select(cause), on=cause, how="anti", nulls_equal=True, maintain_order="left")
    return kept, summed_up


def _the_one(values: list) -> object:
    """The value all the rows share, or None when they differ."""
    return values[0] if len(values) == 1 else None
