"""The problem report: one flat table of issues, the file-level ones worded here, and their sum check by check."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from schemas.checks import check_definition

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


@dataclass(frozen=True)
class Problem:
    """One check that fired in a file: how often, and its first message. What alerts and run summaries quote,
    small enough to keep for every file of a night; the issues themselves go to the warehouse."""

    check_code: str
    severity: str
    count: int
    message_vi: str
    whole_file: bool


def file_issue(code: str, **params: object) -> dict:
    definition = check_definition(code)
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


def no_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)
