"""A check's message parameters are computed on its failing rows alone — a few of a long list. Judged on real
fixtures in one batch: for every check, its parameters on the failing rows alone are exactly those computed on every
row; those that name another row of the file read it from the row's helper columns (earlier_rows.py)."""

import datetime as dt

import polars as pl

from conftest import FIXTURES
from flows.judging_rules import JudgingRules
from flows.settings import Settings
from schemas.judging import validate
from schemas.judging.row_checks import row_checks
from schemas.rules.agencies import read_agencies, shipped_agencies

FILES = [
    "kitchen_sink.csv",
    "duplicate_person.csv",
    "cycle_checks.csv",
    "grade_and_planning_checks.csv",
    "excellent_over_cap.csv",
    "birth_date_impossible.csv",
    "too_young.csv",
    "indicator_families.csv",
]


def typed_batch(monkeypatch) -> tuple[pl.DataFrame, tuple]:
    seen = {}
    real = validate.row_issues

    def recording(frame, batch, policy, province_codes):
        seen.update(frame=frame, rules=(policy, province_codes))
        return real(frame, batch, policy, province_codes)

    monkeypatch.setattr(validate, "row_issues", recording)
    catalogue = read_agencies(shipped_agencies("tan-uyen"))
    rules = JudgingRules.of(Settings(privacy={"person_key_secret": "test"}), catalogue)
    validate.validate_files([(FIXTURES / name, rules.context("UB-NV", dt.date(2025, 1, 15))) for name in FILES])
    return seen["frame"], seen["rules"]


def test_params_on_the_failing_rows_alone_are_those_of_the_whole_batch(monkeypatch):
    frame, rules = typed_batch(monkeypatch)
    compared = set()
    for check in row_checks(*rules):
        rows = frame.select(failing=pl.lit(False) | check.fails.fill_null(False))["failing"].arg_true()
        if not check.params or rows.is_empty():
            continue
        params = {name: expr.cast(pl.String) for name, expr in check.params.items()}
        # Beside a column, so that a parameter that is a constant has a value on every row.
        whole = frame.select("row_number", **params)[rows]
        alone = frame[rows].select("row_number", **params)
        compared.add(check.code)
        assert alone.equals(whole), check.code
    assert len(compared) >= 15
    assert {"duplicate-in-file", "national-id-reused", "possible-duplicate-in-file"} <= compared
