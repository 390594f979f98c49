"""One row check: a vectorised polars expression tied to a check code and to the field it blames."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from schemas.checks import CheckDefinition, check_definition


@dataclass(frozen=True)
class RowCheck:
    """`fails` is true on rows with the problem; `params` fill the placeholders of the check's messages. Params are
    computed on the failing rows alone (a few of a long list): they read the row, never the rest of the batch."""

    code: str
    field: str
    fails: pl.Expr
    params: dict[str, pl.Expr] = field(default_factory=dict)

    @property
    def definition(self) -> CheckDefinition:
        """The check's entry in reference/checks.csv: its severity and its messages."""
        return check_definition(self.code)
