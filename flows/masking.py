"""Personal data out of everything staffq says outside the warehouse: alerts, logs, artifacts, console lines.

ID numbers keep their first four and last two digits (`0741******34`), enough for a clerk to find the row; dates
written day/month/year lose day and month, since a birth date is one (the year alone says little)."""

from __future__ import annotations

import re

# 8 or more digits, possibly grouped by spaces, dots, commas, dashes or underscores: wider than the analysts' copy's
# 9- or 12-digit rule (warehouse.publish), so that an ID cut short or without its leading zero is masked too.
_ID = re.compile(r"\d(?:[ .,_\-]{0,2}\d){7,}")
_DATE = re.compile(r"\b\d{1,2}([/.\-])\d{1,2}\1(\d{4})\b")


def mask_personal_data(text: str) -> str:
    """`text` with ID numbers and day-first dates masked."""
    text = _ID.sub(_mask_id, text)
    return _DATE.sub(lambda found: f"**{found[1]}**{found[1]}{found[2]}", text)


def _mask_id(found: re.Match) -> str:
    digits = re.sub(r"\D", "", found[0])
    return digits[:4] + "*" * (len(digits) - 6) + digits[-2:]


def masked_issue(issue: dict) -> dict:
    """An issue as printed or logged: the value and both messages masked."""
    return {
        **issue,
        **{key: mask_personal_data(issue[key]) for key in ("value", "message_vi", "message_en") if issue.get(key)},
    }
