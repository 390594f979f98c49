"""Statutory retirement (Labour Code 2019, Decree 135/2020): the month a person reaches retirement age.

From 2021 the age rises by 3 months a year for men (60 to 62 in 2028) and 4 months a year for women (55 to 60 in
2035), by the year the age is reached; retirement ends on the last day of that month. A year-only birth counts
from January, and the day never matters.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

_FIRST_AGE, _LAST_AGE = 55, 62


def required_months(male: bool, year: int) -> int:
    """Retirement age, in months, for someone who reaches it in `year`."""
    if male:
        return 720 + 3 * min(max(year - 2020, 0), 8)
    return 660 + 4 * min(max(year - 2020, 0), 15)


def retirement_date(birth: dt.date, male: bool) -> dt.date:
    """Last day of the month the person reaches retirement age (the reference the SQL-free tests check)."""
    born = birth.year * 12 + birth.month - 1
    for year in range(birth.year + _FIRST_AGE, birth.year + _LAST_AGE + 1):
        reached = born + required_months(male, year)
        if reached // 12 == year:
            break
    first_of_next = dt.date(reached // 12 + (reached % 12 + 1) // 12, (reached % 12 + 1) % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def retirement_date_expr(birth: pl.Expr, gender: pl.Expr) -> pl.Expr:
    """retirement_date for whole columns: the first year whose required age is reached within that year."""
    born = birth.dt.year().cast(pl.Int64) * 12 + birth.dt.month().cast(pl.Int64) - 1
    male = gender == "male"
    candidates = []
    for age in range(_FIRST_AGE, _LAST_AGE + 1):
        year = birth.dt.year().cast(pl.Int64) + age
        clamped_men = (year - 2020).clip(0, 8)
        clamped_women = (year - 2020).clip(0, 15)
        months = pl.when(male).then(720 + 3 * clamped_men).otherwise(660 + 4 * clamped_women)
        reached = born + months
        candidates.append(pl.when(reached // 12 == year).then(reached))
    reached = pl.coalesce(candidates)
    month_start = pl.date(reached // 12, reached % 12 + 1, 1)
    return pl.when(gender.is_in(["male", "female"])).then(month_start.dt.month_end())
