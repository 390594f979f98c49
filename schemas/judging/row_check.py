"""One row check: a vectorised polars expression tied to a check code and to the field it blames."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from schemas.checks import CheckDefinition, check_definition


@dataclass(frozen=True)
class RowCheck:
    """`fails` is true on rows with the problem; `params` fill the placeholders of the check's messages. Params are
    computed on the failing rows alone (a few of a long list), unless `params_see_other_rows` says they look at the
    rest of the batch — a window over the file, the first row of a group."""

    code: str
    field: str
    fails: pl.Expr
    params: dict[str, pl.Expr] = field(default_factory=dict)
    params_see_other_rows: bool = False

    @property
    def definition(self) -> CheckDefinition:
        """The check's entry in reference/checks.csv: its severity and its messages."""
        return check_definition(self.code)
