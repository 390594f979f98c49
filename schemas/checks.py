"""The checks: every problem staffq reports has a stable code, a severity and two messages (reference/checks.csv)."""

from __future__ import annotations

import csv
import string
from dataclasses import dataclass
from functools import cache

import polars as pl

from schemas.reference import reference_path


@dataclass(frozen=True)
class CheckDefinition:
    """One entry of checks.csv; codes are never renamed or reused, they live in alerts and history."""

    code: str
    severity: str
    scope: str
    message_vi: str
    message_en: str
    rule: str

    def render(self, params: dict[str, object]) -> tuple[str, str]:
        """Both messages with their placeholders filled; an unknown placeholder stays visible, never crashes."""
        return _fill(self.message_vi, params), _fill(self.message_en, params)

    def render_columns(self, params: dict[str, pl.Expr]) -> tuple[pl.Expr, pl.Expr]:
        """Both messages as expressions over columns, for many failures at once: `render`'s rules, vectorised."""
        return _fill_columns(self.message_vi, params), _fill_columns(self.message_en, params)


class _Visible(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, params: dict[str, object]) -> str:
    values = _Visible({key: "" if value is None else value for key, value in params.items()})
    return string.Formatter().vformat(template, (), values)


def _fill_columns(template: str, params: dict[str, pl.Expr]) -> pl.Expr:
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            parts.append(pl.lit(literal))
        if name is not None:
            parts.append(params[name].cast(pl.String).fill_null("") if name in params else pl.lit("{" + name + "}"))
    return pl.concat_str(parts) if parts else pl.lit("")


@cache
def checks() -> dict[str, CheckDefinition]:
    """Every check, by code."""
    with reference_path("checks.csv").open(encoding="utf-8") as handle:
        return {row["code"]: CheckDefinition(**row) for row in csv.DictReader(handle)}


def check_definition(code: str) -> CheckDefinition:
    """One check's entry; an unknown code is a programming error, so it fails loudly."""
    try:
        return checks()[code]
    except KeyError as error:
        raise KeyError(f"check code {code!r} is not in schemas/reference/checks.csv") from error
