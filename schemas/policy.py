"""Thresholds the city's organisation board must confirm: defaults here, values from staffq.toml."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from schemas.rules.positions import PositionRule, position_rules
from schemas.rules.standards import TitleStandard, title_standards


@dataclass(frozen=True)
class Policy:
    """Validation thresholds; every field is a [confirm] default of the staff-list spec."""

    min_age: int = 18
    max_age: int = 70
    max_row_error_share: float = 0.5
    rating_month: int = 12
    party_official_max_months: int = 24
    as_of_max_age_days: int = 62
    # A warning on more than this share of a list's rows, and on at least `repeated_warning_min_rows`, with the same
    # message (one cause: a column's convention, a header's year) is one file-level issue, not one per row.
    repeated_warning_share: float = 0.5
    repeated_warning_min_rows: int = 5
    # A known start of a five-year Party term (congresses of autumn 2020); terms follow every `term_years`.
    term_start: dt.date = dt.date(2020, 10, 1)
    term_years: int = 5
    title_standards: tuple[TitleStandard, ...] = field(default_factory=title_standards)
    positions: tuple[PositionRule, ...] = field(default_factory=position_rules)

    def rating_year(self, as_of: dt.date) -> int:
        """Year of the latest rating a list can hold: ratings of a year are settled from `rating_month` on."""
        return as_of.year if as_of.month >= self.rating_month else as_of.year - 1

    def term_of(self, day: dt.date) -> tuple[dt.date, dt.date]:
        """Start and end (exclusive) of the term that `day` falls in."""
        offset = (day.year - self.term_start.year) // self.term_years
        start = _add_years(self.term_start, offset * self.term_years)
        if start > day:
            start = _add_years(start, -self.term_years)
        return start, _add_years(start, self.term_years)

    def terms(self, first: int = 1990, last: int = 2060) -> list[tuple[dt.date, dt.date]]:
        """Every term from `first` to `last`, for the warehouse's history views."""
        start, _ = self.term_of(dt.date(first, 12, 31))
        terms = []
        while start.year <= last:
            terms.append((start, _add_years(start, self.term_years)))
            start = terms[-1][1]
        return terms


def _add_years(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years, day=min(day.day, 28) if day.month == 2 else day.day)
