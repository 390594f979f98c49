"""The row checks, run together as one polars plan over a batch's typed rows, and each failure worded as an issue
in both languages. Pandera validates the typed rows against StaffRecord, the schema they must have."""

from __future__ import annotations

from functools import cache, lru_cache

import polars as pl

from schemas.judging.helper_columns import FILE, LAYOUT_GENDER, RAW
from schemas.judging.issues import ISSUE_SCHEMA, no_issues
from schemas.judging.prepared import PreparedFile
from schemas.judging.row_check import RowCheck
from schemas.judging.row_checks import row_checks
from schemas.lean_pandera import pa
from schemas.policy import Policy
from schemas.reading.sheets import column_number
from schemas.staff import StaffRecord, field_titles

# Where a check sits: the field it judges and its place among that field's checks.
_Place = tuple[str, int]


def row_issues(
    frame: pl.DataFrame, batch: list[PreparedFile], policy: Policy, province_codes: tuple[str, ...]
) -> pl.DataFrame:
    """Every row check over the typed rows of a batch, and the messages worded; returns the issues of the batch,
    `_file` telling whose.

    The checks are polars expressions evaluated in one lazy `select`, which polars runs in one pass with the
    sub-expressions they share computed once (an eager one would compute them for each check); attached to pandera
    as checks of their own, each would be a query of its own (see benchmarks/RESULTS.md). Pandera judges what a
    schema can: the typed rows have StaffRecord's columns and types, which a bug in typing would break, never the
    clerk's data."""
    if frame.is_empty():
        return _none_found()
    try:
        _staff_schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        raise TypeError(f"typed staff record does not match StaffRecord: {errors.failure_cases.to_dicts()}") from errors
    checks = _placed_checks(policy, province_codes)
    fails = {_name(place): check.fails.fill_null(False) for place, check in checks.items()}
    outcome = frame.lazy().select(**fails).collect()
    failures = [
        pl.DataFrame({"column": field, "check_number": number, "index": outcome[_name((field, number))].arg_true()})
        for field, number in checks
        if outcome[_name((field, number))].any()
    ]
    if not failures:
        return _none_found()
    return _word_issues(frame, pl.concat(failures), checks, batch)


def _none_found() -> pl.DataFrame:
    return no_issues().with_columns(pl.lit(None, pl.Int32).alias(FILE.name))


@cache
def _staff_schema() -> pa.DataFrameSchema:
    return StaffRecord.to_schema()


@lru_cache(maxsize=8)
def _placed_checks(policy: Policy, province_codes: tuple[str, ...]) -> dict[_Place, RowCheck]:
    """Every row check by its place, fields in StaffRecord's order: a row's issues are listed in the order of the
    fields they concern."""
    order = {field: position for position, field in enumerate(_staff_schema().columns)}
    by_field: dict[str, list[RowCheck]] = {}
    for row_check in row_checks(policy, province_codes):
        by_field.setdefault(row_check.field, []).append(row_check)
    return {
        (field, number): row_check
        for field in sorted(by_field, key=order.__getitem__)
        for number, row_check in enumerate(by_field[field])
    }


def _name(place: _Place) -> str:
    field, number = place
    return f"{field}#{number}"


def _word_issues(
    frame: pl.DataFrame, failures: pl.DataFrame, checks: dict[_Place, RowCheck], batch: list[PreparedFile]
) -> pl.DataFrame:
    """One issue row per failing row of each check (`failures`: field, check number, row index), with the message
    in both languages and the file's own header."""
    titles = field_titles()
    worded = []
    for (field, number), group in failures.group_by(["column", "check_number"], maintain_order=True):
        row_check = checks[(field, number)]
        definition = row_check.definition
        # A check's parameters are computed on its failing rows alone.
        failing = frame[group["index"]].select(
            FILE.name,
            "sheet",
            "row_number",
            LAYOUT_GENDER.name,
            list_number=pl.col("stt"),
            person_name=pl.col("full_name"),
            value=RAW.col(field),
            # A check's own parameters may name the message's {value} differently from the cell, hence the prefix.
            **{f"param_{name}": expr.cast(pl.String) for name, expr in row_check.params.items()},
        )
        failing = failing.join(_where_written(batch, field), on=[FILE.name, "sheet"], maintain_order="left")
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
