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
    """retirement_date for whole columns: the first year whose required age is reached within that year. The date
    depends only on the month of birth and the gender, a few hundred of them in a list of any length: it is worked
    out once for each, and mapped back."""
    born = birth.dt.year().cast(pl.Int64) * 12 + birth.dt.month().cast(pl.Int64) - 1
    # The month of birth and the gender in one number: the month counted from year 0, doubled, plus one for a man.
    person = pl.when(gender.is_in(["male", "female"])).then(born * 2 + (gender == "male").cast(pl.Int64))
    distinct = person.unique(maintain_order=True)
    dates = distinct.map_batches(_retirement_dates, return_dtype=pl.Date)
    return person.replace_strict(distinct, dates, return_dtype=pl.Date)


def _retirement_dates(people: pl.Series) -> pl.Series:
    """The retirement date of each month of birth and gender numbered as in `retirement_date_expr`. Computed on the
    few distinct values as a series of their own: the expression names them many times, and each time within the
    whole list's plan would recompute them from every row."""
    person = pl.lit(people)
    born, male = person // 2, person % 2 == 1
    candidates = []
    for age in range(_FIRST_AGE, _LAST_AGE + 1):
        year = born // 12 + age
        clamped_men = (year - 2020).clip(0, 8)
        clamped_women = (year - 2020).clip(0, 15)
        months = pl.when(male).then(720 + 3 * clamped_men).otherwise(660 + 4 * clamped_women)
        reached = born + months
        candidates.append(pl.when(reached // 12 == year).then(reached))
    reached = pl.coalesce(candidates)
    return pl.select(pl.date(reached // 12, reached % 12 + 1, 1).dt.month_end()).to_series()
