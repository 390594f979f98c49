"""Personal data out of what staffq says on shared channels (alerts, the operator's run summary, logs); the clerk's
own outputs (`staffq check`, the feedback workbook) show every value as written, since the clerk must find it.

The rule goes by field, not by the look of the text: what is hidden is the value of a person's birth date or ID
number, and the dates derived from them, wherever a check's message quotes them. File names, agency codes, as-of
dates and the examples in messages ("ví dụ 15/08/1985") are never hidden: they are nobody's personal data, and a
date-shaped regex over whole messages cannot tell them apart from a birth date."""

from __future__ import annotations

import re
import string
from functools import cache

from schemas.checks import check_definition
from schemas.judging.row_checks import row_checks
from schemas.policy import Policy

# The fields whose values never leave on a shared channel.
PERSONAL_FIELDS = ("birth_date", "national_id")
# What a hidden value is replaced with: the message still says what is wrong, not with whose value.
HIDDEN = "…"
# Message parameters that always carry a person's birth date or a date that gives it away (the 18th birthday).
_DERIVED_FROM_BIRTH = frozenset({"birth", "date18"})
# Parameters that carry the checked cell itself, its corrected form, what is wrong with it ("tháng 2/1990 chỉ có 28
# ngày") or a whole message about it (a warning summed up over a column), when the check is about a personal field.
_THE_CELL = frozenset({"value", "fixed", "date", "why_vi", "why_en", "warning_vi", "warning_en"})
# In free text of unknown origin (an exception's message): an ID-shaped number, 9 digits (CMND) or 12 (CCCD),
# possibly grouped by spaces, dots or dashes, and not part of a longer number; and a quoted day-first date.
_ID_SHAPED = re.compile(r"(?<!\d)(?<!\d[ .\-])\d(?:[ .\-]?\d){8}(?:(?:[ .\-]?\d){3})?(?![ .\-]?\d)")
_QUOTED_DATE = re.compile(r"""(["'])\d{1,2}([/.\-])\d{1,2}\2\d{2,4}\1""")


def shareable_message(check_code: str, message: str, field: str | None = None) -> str:
    """A check's message as it may go to a shared channel: the parameters that quote a person's birth date or ID
    replaced by HIDDEN, the rest as written. `field` is the field the issue blames; without it, every field the
    check can blame is assumed. A message that does not read as its catalogue template (worded by an older
    version) is replaced by the template with every parameter hidden."""
    try:
        template = check_definition(check_code).message_vi
    except KeyError:
        return scrub_free_text(message)
    hidden = _hidden_parameters(template, check_code, field)
    if not hidden:
        return message
    values = _parameters(template, message)
    if values is None:
        return _fill(template, {})
    return _fill(template, {name: value for name, value in values.items() if name not in hidden})


def scrub_free_text(text: str) -> str:
    """Text nobody worded for a shared channel (an error from a library, an exception) with ID-shaped numbers and
    quoted dates hidden: which field they came from is unknown, so anything that may be an ID or a birth date
    goes. Unquoted dates stay: a path or a file name holds them as part of its name."""
    text = _QUOTED_DATE.sub(lambda found: f"{found[1]}{HIDDEN}{found[1]}", text)
    return _ID_SHAPED.sub(HIDDEN, text)


def _hidden_parameters(template: str, check_code: str, field: str | None) -> set[str]:
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    personal_cell = field in PERSONAL_FIELDS if field else check_code in _codes_on_personal_fields()
    return names & (_DERIVED_FROM_BIRTH | (_THE_CELL if personal_cell else frozenset()))


@cache
def _codes_on_personal_fields() -> frozenset[str]:
    """Row checks that can blame a birth date or an ID, from the checks themselves: a check added later is
    covered without a list here to keep up to date."""
    return frozenset(c.code for c in row_checks(Policy(), ()) if c.field in PERSONAL_FIELDS)


def _parameters(template: str, message: str) -> dict[str, str] | None:
    """The values a message was filled with, read back against its template."""
    pattern, seen = [], set()
    for literal, name, _, _ in string.Formatter().parse(template):
        pattern.append(re.escape(literal))
        if name is None:
            continue
        pattern.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
    found = re.fullmatch("".join(pattern), message, re.DOTALL)
    return found.groupdict() if found else None


def _fill(template: str, values: dict[str, str]) -> str:
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(literal)
        if name is not None:
            parts.append(values.get(name, HIDDEN))
    return "".join(parts)
