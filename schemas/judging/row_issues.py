"""The row checks run through pandera, and each failure worded as an issue in both languages."""

from __future__ import annotations

from functools import lru_cache

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas.judging.helper_columns import FILE, LAYOUT_GENDER, RAW
from schemas.judging.issues import ISSUE_SCHEMA, no_issues
from schemas.judging.prepared import PreparedFile
from schemas.judging.row_check import RowCheck
from schemas.judging.row_checks import row_checks
from schemas.policy import Policy
from schemas.reading.sheets import column_number
from schemas.staff import StaffRecord, field_titles

# Where a check sits in pandera's report: the column it is attached to and its place among that column's checks.
_Place = tuple[str, int]


def row_issues(
    frame: pl.DataFrame, batch: list[PreparedFile], policy: Policy, province_codes: tuple[str, ...]
) -> pl.DataFrame:
    """Run every row check through pandera (lazy, so all failures are collected) over the typed rows of a batch,
    and word the messages; returns the issues of the batch, `_file` telling whose."""
    if frame.is_empty():
        return _none_found()
    schema, checks = _checked_schema(policy, province_codes)
    try:
        schema.validate(frame, lazy=True)
        return _none_found()
    except pa.errors.SchemaErrors as errors:
        failures = errors.failure_cases
    unexpected = failures.filter(pl.col("index").is_null())
    if not unexpected.is_empty():
        raise TypeError(f"typed staff record does not match StaffRecord: {unexpected.to_dicts()}")
    return _word_issues(frame, failures, checks, batch)


def _none_found() -> pl.DataFrame:
    return no_issues().with_columns(pl.lit(None, pl.Int32).alias(FILE.name))


@lru_cache(maxsize=8)
def _checked_schema(
    policy: Policy, province_codes: tuple[str, ...]
) -> tuple[pa.DataFrameSchema, dict[_Place, RowCheck]]:
    """StaffRecord with every row check attached, built once: pandera copies the schema on each update. Each
    check is found again by its place, which pandera's report gives with every failure."""
    by_field: dict[str, list[RowCheck]] = {}
    for row_check in row_checks(policy, province_codes):
        by_field.setdefault(row_check.field, []).append(row_check)
    schema = StaffRecord.to_schema().update_columns(
        {field: {"checks": [_as_pandera(c) for c in checks]} for field, checks in by_field.items()}
    )
    places = {(field, number): c for field, checks in by_field.items() for number, c in enumerate(checks)}
    return schema, places


def _as_pandera(row_check: RowCheck) -> pa.Check:
    """The check as pandera runs it, named by its code and carrying its message and rule, so that pandera's own
    report of a failure says which check it is and what it means.

    A warning is not a `raise_warning` check: pandera's polars backend reports such a check as passed and keeps
    only a text sample of its failures in a Python warning (`run_check` in pandera/backends/polars/base.py), and a
    warning's rows are issues as much as an error's. So every check fails the same way, and the severity, like
    the message filled with each row's values, is taken from the check's entry in reference/checks.csv when its
    failures are worded."""
    definition = row_check.definition

    def passes(data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~row_check.fails.fill_null(False))

    return pa.Check(passes, name=row_check.code, error=definition.message_en, description=definition.rule)


def _word_issues(
    frame: pl.DataFrame, failures: pl.DataFrame, checks: dict[_Place, RowCheck], batch: list[PreparedFile]
) -> pl.DataFrame:
    """One issue row per failure in pandera's report, with the message in both languages and the file's own
    header."""
    titles = field_titles()
    worded = []
    for (field, number), group in failures.group_by(["column", "check_number"], maintain_order=True):
        row_check = checks[(field, number)]
        definition = row_check.definition
        # Parameters are computed on the whole batch first: "first row with this ID" needs every row of the file.
        failing = frame.select(
            FILE.name,
            "sheet",
            "row_number",
            LAYOUT_GENDER.name,
            list_number=pl.col("stt"),
            person_name=pl.col("full_name"),
            value=RAW.col(field),
            # A check's own parameters may name the message's {value} differently from the cell, hence the prefix.
            **{f"param_{name}": expr.cast(pl.String) for name, expr in row_check.params.items()},
        )[group["index"].to_list()].join(_where_written(batch, field), on=[FILE.name, "sheet"], maintain_order="left")
        params = {
            name: pl.col(name) for name in ("sheet", "row_number", LAYOUT_GENDER.name, "value", "header", "as_of")
        }
        params |= {"field_vi": pl.lit(titles[field]), "field_en": pl.lit(field.replace("_", " "))}
        params |= {name: pl.col(f"param_{name}") for name in row_check.params}
        message_vi, message_en = definition.render_columns(params)
        female_birth = (LAYOUT_GENDER.col() == "female") if field in ("birth_date", "gender") else pl.lit(False)
        worded.append(
            failing.select(
                FILE.name,
                "sheet",
                "row_number",
                list_number=pl.col("list_number"),
                person_name=pl.col("person_name"),
                column_header=pl.col("header"),
                column_number=pl.when(female_birth.fill_null(False))
                .then(pl.coalesce("female_column", "column"))
                .otherwise(pl.col("column")),
                field=pl.lit(field),
                check_code=pl.lit(row_check.code),
                severity=pl.lit(definition.severity),
                value=pl.col("value"),
                message_vi=message_vi,
                message_en=message_en,
            )
        )
    schema = {FILE.name: pl.Int32, **ISSUE_SCHEMA}
    return pl.concat([w.cast(schema) for w in worded]) if worded else pl.DataFrame(schema=schema)


def _where_written(batch: list[PreparedFile], field: str) -> pl.DataFrame:
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
        FILE.name: pl.Int32,
        "sheet": pl.String,
        "header": pl.String,
        "column": pl.Int32,
        "female_column": pl.Int32,
        "as_of": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")
