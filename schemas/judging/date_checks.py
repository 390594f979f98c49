"""Row checks of dates: readable, possible, in order, and the Party membership they record."""

from __future__ import annotations

import polars as pl

from schemas.judging.helper_columns import AS_OF, CODE, NONEXISTENT, RAW, TWO_DIGIT_YEAR
from schemas.judging.row_check import RowCheck
from schemas.policy import Policy
from schemas.reading.parse import why_nonexistent
from schemas.staff import fields_of_kind

_OPTIONAL_DATES = ("hire_date", "party_join_date", "party_official_date")
_DATES_AFTER_BIRTH = ("hire_date", "party_join_date", "party_official_date")


def unreadable_date(name: str, invalid: str, nonexistent: str) -> list[RowCheck]:
    """A date cell that could not be read: text that is no date (`invalid`), or a day the calendar does not have
    (`nonexistent`, 30/02/1970), told apart because the clerk fixes them differently."""
    unread = RAW.col(name).is_not_null() & pl.col(name).is_null()
    does_not_exist = NONEXISTENT.col(name)
    why_vi, why_en = why_nonexistent(RAW.col(name), AS_OF.col())
    return [
        RowCheck(invalid, name, unread & ~does_not_exist),
        RowCheck(nonexistent, name, unread & does_not_exist, {"why_vi": why_vi, "why_en": why_en}),
    ]


def date_checks() -> list[RowCheck]:
    checks = [check for name in _OPTIONAL_DATES for check in unreadable_date(name, "date-invalid", "date-nonexistent")]
    checks += [
        RowCheck(
            "date-two-digit-year",
            name,
            TWO_DIGIT_YEAR.col(name) & pl.col(name).is_not_null(),
            {"date": pl.col(name).dt.strftime("%d/%m/%Y")},
        )
        for name in fields_of_kind("date")
    ]
    checks += [
        RowCheck("date-after-as-of", name, pl.col(name) > AS_OF.col())
        for name in ("hire_date", "party_join_date", "party_official_date")
    ]
    checks += [
        RowCheck(
            "date-before-birth",
            name,
            pl.col(name) < pl.col("birth_date"),
            {"birth": pl.col("birth_date").dt.strftime("%d/%m/%Y")},
        )
        for name in _DATES_AFTER_BIRTH
    ]
    checks.append(
        RowCheck(
            "party-dates-order",
            "party_official_date",
            pl.col("party_official_date") < pl.col("party_join_date"),
            {"join": RAW.col("party_join_date")},
        )
    )
    return checks


def dmy(expr: pl.Expr) -> pl.Expr:
    return expr.dt.strftime("%d/%m/%Y")


def party_checks(policy: Policy) -> list[RowCheck]:
    """Party membership: admitted at 18 or later, 12 months' probation, not too long either."""
    join, official = pl.col("party_join_date"), pl.col("party_official_date")
    months = (official.dt.year() - join.dt.year()) * 12 + official.dt.month() - join.dt.month()
    return [
        RowCheck(
            "party-join-before-18",
            "party_join_date",
            (join >= pl.col("birth_date")) & (join < eighteenth()),
            {"date18": dmy(eighteenth())},
        ),
        RowCheck(
            "party-probation-short",
            "party_official_date",
            (official >= join) & (official < join.dt.offset_by("12mo")),
            {"join": dmy(join)},
        ),
        RowCheck(
            "party-probation-long",
            "party_official_date",
            months > policy.party_official_max_months,
            {"months": months, "max": pl.lit(policy.party_official_max_months), "join": dmy(join)},
        ),
        RowCheck(
            "party-flag-conflict",
            "party_member",
            (CODE.col("party_member") == "false") & join.is_not_null(),
            {"join": dmy(join)},
        ),
    ]


def eighteenth() -> pl.Expr:
    return pl.col("birth_date").dt.offset_by("18y")
