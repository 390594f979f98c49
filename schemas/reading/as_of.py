"""The date a list describes, taken from its title block ("Tính đến ngày 31/12/2024")."""

from __future__ import annotations

import datetime as dt
import re

_DATE = r"(\d{1,2})\s*(?:/|-|\.|tháng)\s*(\d{1,2})\s*(?:/|-|\.|năm)\s*(\d{4})"
_MARKERS = (
    rf"tính đến ngày\s*{_DATE}",
    rf"có đến ngày\s*{_DATE}",
    rf"đến ngày\s*{_DATE}",
    rf"thời điểm báo cáo\s*:?\s*(?:ngày\s*)?{_DATE}",
)
_YEAR_ONLY = r"^(?:danh sách.*)?\bnăm (\d{4})\s*$"


def find_as_of(lines: list[str], year_end_month: int = 12, year_end_day: int = 31) -> dt.date | None:
    """The first as-of marker in the title lines; a lone "Năm 2024" means the end of that year."""
    for line in lines:
        text = line.lower()
        for marker in _MARKERS:
            found = re.search(marker, text)
            if found:
                day, month, year = (int(part) for part in found.groups())
                try:
                    return dt.date(year, month, day)
                except ValueError:
                    continue
    for line in lines:
        found = re.search(_YEAR_ONLY, line.lower())
        if found:
            return dt.date(int(found.group(1)), year_end_month, year_end_day)
    return None
