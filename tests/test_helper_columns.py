"""The helper columns the row checks read beside a record's fields are declared in one place, with their type and
meaning (schemas/judging/helper_columns.py): every one a check reads is declared, and typing a batch makes every
declared one, of its declared type."""

import datetime as dt

import polars as pl

from conftest import FIXTURES
from flows.judging_rules import JudgingRules
from flows.settings import Settings
from schemas.judging import validate
from schemas.judging.helper_columns import HELPER_COLUMNS
from schemas.judging.row_checks import row_checks
from schemas.policy import Policy
from schemas.rules.agencies import read_agencies, shipped_agencies

DECLARED = {name: column.dtype for column in HELPER_COLUMNS for name in column.names()}


def test_every_helper_column_a_check_reads_is_declared():
    read = set()
    for check in row_checks(Policy(), ("074",)):
        for expr in [check.fails, *check.params.values()]:
            read |= {name for name in expr.meta.root_names() if name.startswith("_")}
    assert len(read) > 50
    assert read - set(DECLARED) == set()


def test_every_declared_helper_column_is_made_with_its_type(monkeypatch):
    seen: dict[str, pl.Schema] = {}
    real = validate.row_issues

    def recording(frame, *args):
        seen["schema"] = frame.schema
        return real(frame, *args)

    monkeypatch.setattr(validate, "row_issues", recording)
    catalogue = read_agencies(shipped_agencies("tan-uyen"))
    context = JudgingRules.of(Settings(privacy={"person_key_secret": "test"}), catalogue).context(
        "UB-NV", dt.date(2025, 1, 15)
    )
    validate.validate_file(FIXTURES / "kitchen_sink.csv", context)
    made = seen["schema"]
    assert set(DECLARED) - set(made) == set()
    assert {name: made[name] for name in DECLARED} == {name: dtype() for name, dtype in DECLARED.items()}
