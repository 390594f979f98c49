"""A file read and its tables found, waiting to be typed and checked with the rest of its batch."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import polars as pl

from schemas.judging.context import FileContext, ReadContext
from schemas.judging.file_checks import (
    agency_mismatch,
    column_issues,
    legacy_encoding,
    list_as_of,
    located_tables,
    missing_columns,
    other_agency_units,
    total_mismatches,
)
from schemas.judging.helper_columns import AGENCY_NAME, UNIT_AGENCY
from schemas.judging.issues import file_issue
from schemas.judging.records import Originals, build_records
from schemas.judging.results import FileResult, rejected_file
from schemas.reading.sheets import Sheet
from schemas.reading.text_files import TextFormat


@dataclass(frozen=True)
class PreparedFile:
    """A file read, waiting for the typing and the row checks that run on a whole batch at once. The problems of
    the file as a whole are kept in pieces: some can only be told once its rows are typed."""

    raw: pl.DataFrame
    headers: dict[str, dict[str, str]]
    cells: dict[str, dict[str, str]]
    originals: dict[str, Originals]
    missing_fields: list[str]
    has_category_column: bool
    issues: list[dict]
    total_issues: list[dict]
    context: FileContext
    read: ReadContext
    text_format: TextFormat | None


def prepare(sheets: list[Sheet], text_format: TextFormat | None, context: FileContext) -> PreparedFile | FileResult:
    """Everything that is about one file alone: its tables, the as-of date, its rows, file-level problems. A file
    with no list in any sheet is rejected here."""
    tables, issues = located_tables(sheets)
    if text_format:
        issues = [*(file_issue(w.code, **w.params) for w in text_format.warnings), *issues]
    if not tables:
        return rejected_file(context.read.as_of, text_format, [*issues, file_issue("file-no-header")])
    issues += legacy_encoding(sheets)
    title_lines = [line for table in tables for line in table.title_lines]
    issues += agency_mismatch(title_lines, context)
    as_of, as_of_issues = list_as_of(title_lines, context.read)
    issues += as_of_issues
    read = dataclasses.replace(context.read, as_of=as_of)
    records = [build_records(table, read) for table in tables]
    issues += [issue for table, record in zip(tables, records, strict=True) for issue in column_issues(table, record)]
    raw = pl.concat([r.frame for r in records], how="diagonal_relaxed")
    raw = raw.with_columns(
        other_agency_units(raw, context).alias(UNIT_AGENCY.name),
        pl.lit(context.agency_name or context.read.agency_code).alias(AGENCY_NAME.name),
    )
    return PreparedFile(
        raw,
        headers={table.sheet: record.headers for table, record in zip(tables, records, strict=True)},
        cells={table.sheet: record.cells for table, record in zip(tables, records, strict=True)},
        originals={table.sheet: record.originals for table, record in zip(tables, records, strict=True)},
        missing_fields=missing_columns(records),
        has_category_column=any("staff_category" in r.headers for r in records),
        issues=issues,
        total_issues=total_mismatches(tables),
        context=context,
        read=read,
        text_format=text_format,
    )
