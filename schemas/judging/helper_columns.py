"""The helper columns the row checks read beside a record's fields: what each holds, declared once.

Typing a batch adds them (records.py, typed_records.py, grade_columns.py, validate.py) and the checks read them
(row_checks.py, date_checks.py, career_checks.py); both name them through these declarations, so a check and the
code that feeds it cannot drift apart. A `{key}` in a name stands for one column per key: a field, or a criterion
of the title standards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from schemas.rules.standards import CRITERIA
from schemas.staff import fields_of_kind, record_columns

# Fields whose "n/m" values Excel likes to turn into dates: each has a `_coerced_` column.
DATE_COERCIBLE = ("general_schooling", "salary_step")


@dataclass(frozen=True)
class HelperColumn:
    """One helper column, or one per key when `name` holds `{key}` (`keys` lists them)."""

    name: str
    dtype: type[pl.DataType]
    meaning: str
    keys: Callable[[], tuple[str, ...]] | None = None

    def of(self, key: str | None = None) -> str:
        """The column's name, for `key` when it is one of a family."""
        return self.name.format(key=key) if self.keys else self.name

    def col(self, key: str | None = None) -> pl.Expr:
        """The column, for `key` when it is one of a family."""
        return pl.col(self.of(key))

    def names(self) -> tuple[str, ...]:
        """Every column the declaration stands for."""
        return tuple(self.name.format(key=key) for key in self.keys()) if self.keys else (self.name,)


def _record_fields() -> tuple[str, ...]:
    return tuple(record_columns())


def _dates() -> tuple[str, ...]:
    return tuple(fields_of_kind("date"))


def _resolved() -> tuple[str, ...]:
    """Fields looked up in a vocabulary, and the level a combined language cell ("Tiếng Anh B1") gives."""
    return (*fields_of_kind("vocab"), *fields_of_kind("mark"), "foreign_language_in_name")


def _criteria() -> tuple[str, ...]:
    return tuple(CRITERIA)


# Where a row is and what its file holds (the batch's typing adds them).
FILE = HelperColumn("_file", pl.Int32, "Which file of the batch the row is from.")
HAS_COLUMN = HelperColumn(
    "_has_{key}",
    pl.Boolean,
    "The row's sheet has a column for the field: a blank cell, not a missing column.",
    _record_fields,
)
RAW = HelperColumn("_raw_{key}", pl.String, "The field's cell as written.", _record_fields)
AS_OF = HelperColumn("_as_of", pl.Date, "The list's as-of date, which ages and dates are judged against.")
AGENCY_NAME = HelperColumn("_agency_name", pl.String, "The sender's name (its code when it has none).")
UNIT_AGENCY = HelperColumn(
    "_unit_agency",
    pl.String,
    "Another agency of agencies.csv the row's unit cell names; null for the sender's own units.",
)
LAYOUT_GENDER = HelperColumn(
    "_layout_gender",
    pl.String,
    "The official layout's Nam/Nữ birth-date sub-column filled: male, female, ambiguous (both); null otherwise.",
)

# What reading the cells found.
TWO_DIGIT_YEAR = HelperColumn("_two_digit_{key}", pl.Boolean, "The date was written with a two-digit year.", _dates)
NONEXISTENT = HelperColumn(
    "_nonexistent_{key}", pl.Boolean, "The date cell names a day the calendar does not have (30/02/1970).", _dates
)
COERCED = HelperColumn(
    "_coerced_{key}",
    pl.String,
    'The "n/m" an Excel date in the cell stands for; null when the cell is not such a date.',
    lambda: DATE_COERCIBLE,
)
CODE = HelperColumn("_code_{key}", pl.String, "The vocabulary code the cell resolves to.", _resolved)
STATUS = HelperColumn(
    "_status_{key}", pl.String, "How the cell resolved: ok, unknown, wrong_column or in_progress.", _resolved
)
OTHER_FIELD = HelperColumn(
    "_other_{key}", pl.String, "The field whose vocabulary the cell belongs to instead.", _resolved
)
SUGGESTION = HelperColumn(
    "_suggestion_{key}", pl.String, "The known spelling an unknown cell is closest to.", _resolved
)
ID_RESTORED = HelperColumn("_id_restored", pl.Boolean, "The ID's leading zero, lost to a number cell, was put back.")
ID_GENDER = HelperColumn("_id_gender", pl.String, "The gender a CCCD's fourth digit gives.")
GENDER_FROM_ID = HelperColumn("_gender_from_id", pl.Boolean, "No gender was written: it was taken from the ID.")
FOLDED_NAME = HelperColumn("_folded_name", pl.String, "The full name folded, as people are compared.")

# The earlier row of its file a row repeats (earlier_rows.py); null on a row that repeats none.
EARLIER_ID_ROW = HelperColumn("_earlier_id_row", pl.Int64, "The row number of the file's first row with this ID.")
EARLIER_ID_SHEET = HelperColumn("_earlier_id_sheet", pl.String, "The sheet of that row.")
EARLIER_ID_NAME = HelperColumn("_earlier_id_name", pl.String, "The full name written on that row.")
EARLIER_ID_SAME_PERSON = HelperColumn(
    "_earlier_id_same_person",
    pl.Boolean,
    "That row is the same person: same folded name, and birth date if both have one.",
)
EARLIER_PERSON_ROW = HelperColumn(
    "_earlier_person_row",
    pl.Int64,
    "The row number of the file's first row with this folded name, birth date and gender.",
)
EARLIER_PERSON_ID = HelperColumn("_earlier_person_id", pl.String, "The ID of that row, if it reads as one.")

# What the reference tables say of the row.
POSITION_KNOWN = HelperColumn("_position_known", pl.Boolean, "The positions table knows the post.")
POSITION_LEADER = HelperColumn("_position_leader", pl.Boolean, "The positions table makes the post a leader's.")
GRADE_CODE_KNOWN = HelperColumn("_grade_code_known", pl.Boolean, "The grades table knows the grade code written.")
GRADE_CODE_NAME = HelperColumn("_grade_code_name", pl.String, "The grades table's name of the code written.")
GRADE_CODE_FOLDED = HelperColumn("_grade_code_folded", pl.String, "That name folded.")
GRADE_CODE_UNRANKED = HelperColumn("_grade_code_unranked", pl.String, 'That name folded, without its "hạng".')
FOLDED_GRADE_NAME = HelperColumn("_folded_grade_name", pl.String, "The grade name written, folded.")
EXPECTED_COEFFICIENT = HelperColumn(
    "_expected_coefficient", pl.Float64, "The salary coefficient of the grade's scale at the step written."
)
REQUIRED = HelperColumn(
    "_required_{key}", pl.String, "The level a leader's post requires for the criterion; null without one.", _criteria
)
BELOW = HelperColumn(
    "_below_{key}",
    pl.Boolean,
    "A leader's completed level ranks under the post's minimum for the criterion.",
    _criteria,
)

HELPER_COLUMNS = (
    FILE,
    HAS_COLUMN,
    RAW,
    AS_OF,
    AGENCY_NAME,
    UNIT_AGENCY,
    LAYOUT_GENDER,
    TWO_DIGIT_YEAR,
    NONEXISTENT,
    COERCED,
    CODE,
    STATUS,
    OTHER_FIELD,
    SUGGESTION,
    ID_RESTORED,
    ID_GENDER,
    GENDER_FROM_ID,
    FOLDED_NAME,
    EARLIER_ID_ROW,
    EARLIER_ID_SHEET,
    EARLIER_ID_NAME,
    EARLIER_ID_SAME_PERSON,
    EARLIER_PERSON_ROW,
    EARLIER_PERSON_ID,
    POSITION_KNOWN,
    POSITION_LEADER,
    GRADE_CODE_KNOWN,
    GRADE_CODE_NAME,
    GRADE_CODE_FOLDED,
    GRADE_CODE_UNRANKED,
    FOLDED_GRADE_NAME,
    EXPECTED_COEFFICIENT,
    REQUIRED,
    BELOW,
)
