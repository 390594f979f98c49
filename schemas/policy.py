"""Thresholds the city's organisation board must confirm: defaults here, values from staffq.toml."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """Validation thresholds; every field is a [confirm] default of the staff-list spec."""

    min_age: int = 18
    max_age: int = 70
    max_row_error_share: float = 0.5
