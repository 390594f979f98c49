"""Thresholds the city's organisation board must confirm: defaults here, values from staffq.toml."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from schemas.positions import PositionRule, position_rules
from schemas.standards import TitleStandard, title_standards


@dataclass(frozen=True)
class Policy:
    """Validation thresholds; every field is a [confirm] default of the staff-list spec."""

    min_age: int = 18
    max_age: int = 70
    max_row_error_share: float = 0.5
    rating_month: int = 12
    party_official_max_months: int = 24
    as_of_max_age_days: int = 62
    title_standards: tuple[TitleStandard, ...] = field(default_factory=title_standards)
    positions: tuple[PositionRule, ...] = field(default_factory=position_rules)

    def rating_year(self, as_of: dt.date) -> int:
        """Year of the latest rating a list can hold: ratings of a year are settled from `rating_month` on."""
        return as_of.year if as_of.month >= self.rating_month else as_of.year - 1
