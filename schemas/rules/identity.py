"""Reference facts about personal ID numbers."""

from __future__ import annotations

import csv
from functools import cache

from schemas.reference import reference_path


@cache
def province_codes() -> tuple[str, ...]:
    """Codes of the province (or country) where a birth was registered: the first 3 digits of a CCCD."""
    with reference_path("province_codes.csv").open(encoding="utf-8") as handle:
        return tuple(row["code"] for row in csv.DictReader(handle))
