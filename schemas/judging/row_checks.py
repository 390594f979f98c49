"""Every row check; the checks of a person's identity and of a row against its own file are here."""

from __future__ import annotations

import polars as pl

from schemas.judging.career_checks import cycle_checks, number_checks, title_standard_checks, vocabulary_checks
from schemas.judging.date_checks import date_checks, party_checks, unreadable_date
from schemas.judging.earlier_rows import NATIONAL_ID
from schemas.judging.helper_columns import (
    AGENCY_NAME,
    CODE,
    COERCED,
    DATE_COERCIBLE,
    EARLIER_ID_NAME,
    EARLIER_ID_ROW,
    EARLIER_ID_SAME_PERSON,
    EARLIER_ID_SHEET,
    EARLIER_PERSON_ID,
    EARLIER_PERSON_ROW,
    GENDER_FROM_ID,
    HAS_COLUMN,
    ID_GENDER,
    ID_RESTORED,
    LAYOUT_GENDER,
    RAW,
    STATUS,
    UNIT_AGENCY,
)
from schemas.judging.row_check import RowCheck
from schemas.policy import Policy
from schemas.staff import required

_NAME_CHARS = r"[^\p{L}\s\-'’]"
_GENDER_VI = {"male": "Nam", "female": "Nữ"}


def row_checks(policy: Policy, province_codes: tuple[str, ...]) -> list[RowCheck]:
    """Every row check. They run on many files at once: `_file` tells the files apart, `_has_<field>` says
    whether a row's file has a column for the field."""
    return [
        *_required(),
        *_names(),
        *_birth_and_gender(policy),
        *_national_id(province_codes),
        *date_checks(),
        *party_checks(policy),
        *number_checks(),
        *cycle_checks(policy),
        *title_standard_checks(),
        *vocabulary_checks(),
        *_within_file(),
        RowCheck(
            "agency-row-mismatch",
            "unit_name",
            UNIT_AGENCY.col().is_not_null(),
            {"other_agency": UNIT_AGENCY.col(), "agency": AGENCY_NAME.col()},
        ),
        RowCheck(
            "past-retirement-age",
            "birth_date",
            pl.col("past_retirement_age"),
            {
                "age_req": _retirement_age_text(),
                "ret_month": pl.col("retirement_date").dt.strftime("%m/%Y"),
            },
        ),
        *[
            RowCheck(
                "excel-date-coercion",
                name,
                COERCED.col(name).is_not_null(),
                {"fixed": COERCED.col(name)},
            )
            for name in DATE_COERCIBLE
        ],
    ]


def _retirement_age_text() -> pl.Expr:
    """The age reached at retirement, as the clerk would say it: "61 tuổi 6 tháng"."""
    birth, retired = pl.col("birth_date"), pl.col("retirement_date")
    months = (retired.dt.year() * 12 + retired.dt.month()) - (birth.dt.year() * 12 + birth.dt.month())
    years = pl.concat_str((months // 12).cast(pl.String), pl.lit(" tuổi"))
    return (
        pl.when(months % 12 == 0)
        .then(years)
        .otherwise(pl.concat_str(years, pl.lit(" "), (months % 12).cast(pl.String), pl.lit(" tháng")))
    )


def _required() -> list[RowCheck]:
    # A required field without a column is one file-level problem (file-missing-column), not one per row;
    # the staff category may come from a group row, the sheet name or the agency instead of a column.
    checks = [
        RowCheck(
            "required-missing",
            name,
            pl.col(name).is_null() & RAW.col(name).is_null() & (HAS_COLUMN.col(name) | (name == "staff_category")),
        )
        for name in required("R")
    ]
    # An expected field is only asked for when the file has its column; a missing column is not every row's fault.
    # The level of a foreign language may come with its name ("Tiếng Anh B1").
    checks += [
        RowCheck("expected-missing", name, RAW.col(name).is_null() & HAS_COLUMN.col(name))
        for name in required("E")
        if name != "foreign_language_level"
    ]
    return checks


def _names() -> list[RowCheck]:
    name = pl.col("full_name")
    return [
        RowCheck("full-name-invalid", "full_name", name.str.contains(_NAME_CHARS)),
        RowCheck("full-name-single-word", "full_name", ~name.str.contains(" ") & ~name.str.contains(_NAME_CHARS)),
    ]


def _birth_and_gender(policy: Policy) -> list[RowCheck]:
    age = pl.col("age_years")
    return [
        *unreadable_date("birth_date", "birth-date-invalid", "birth-date-nonexistent"),
        RowCheck(
            "birth-date-out-of-range",
            "birth_date",
            ~age.is_between(policy.min_age, policy.max_age),
            {"age": age, "min": pl.lit(policy.min_age), "max": pl.lit(policy.max_age)},
        ),
        RowCheck("gender-ambiguous", "gender", LAYOUT_GENDER.col() == "ambiguous"),
        RowCheck("gender-invalid", "gender", RAW.col("gender").is_not_null() & (STATUS.col("gender") != "ok")),
        RowCheck(
            "gender-conflict",
            "gender",
            LAYOUT_GENDER.col().is_in(["male", "female"]) & (CODE.col("gender") != LAYOUT_GENDER.col()),
            {"other": LAYOUT_GENDER.col().replace_strict(_GENDER_VI, default=None)},
        ),
        RowCheck(
            "gender-from-national-id",
            "gender",
            GENDER_FROM_ID.col(),
            {"gender": pl.col("gender").replace_strict(_GENDER_VI, default=None)},
        ),
    ]


def _national_id(province_codes: tuple[str, ...]) -> list[RowCheck]:
    national_id = pl.col("national_id")
    is_cccd = pl.col("national_id_kind") == "cccd"
    digit = national_id.str.slice(3, 1).cast(pl.Int32, strict=False)
    id_year = pl.when(digit <= 1).then(1900).otherwise(2000) + national_id.str.slice(4, 2).cast(pl.Int32, strict=False)
    return [
        RowCheck(
            "national-id-invalid",
            "national_id",
            RAW.col("national_id").is_not_null() & pl.col("national_id_kind").is_null(),
        ),
        RowCheck("national-id-century", "national_id", is_cccd & (digit > 3), {"digit": digit}),
        RowCheck("national-id-zero-restored", "national_id", ID_RESTORED.col(), {"fixed": national_id}),
        RowCheck("national-id-legacy-cmnd", "national_id", pl.col("national_id_kind") == "cmnd"),
        RowCheck(
            "national-id-province-unknown",
            "national_id",
            is_cccd & ~national_id.str.slice(0, 3).is_in(list(province_codes)),
            {"prefix": national_id.str.slice(0, 3)},
        ),
        RowCheck(
            "national-id-gender-mismatch",
            "national_id",
            is_cccd & (digit <= 3) & pl.col("gender").is_not_null() & (ID_GENDER.col() != pl.col("gender")),
            {
                "id_gender": ID_GENDER.col().replace_strict(_GENDER_VI, default=None),
                "gender": pl.col("gender").replace_strict(_GENDER_VI, default=None),
            },
        ),
        RowCheck(
            "national-id-birth-year-mismatch",
            "national_id",
            is_cccd & (digit <= 3) & (id_year != pl.col("birth_date").dt.year()),
            {"id_year": id_year, "year": pl.col("birth_date").dt.year()},
        ),
    ]


def _within_file() -> list[RowCheck]:
    """One row per person: an ID, or a person, seen on an earlier row of the same file (any sheet) marks the later
    row (see earlier_rows.py)."""
    is_later, same_person = EARLIER_ID_ROW.col().is_not_null(), EARLIER_ID_SAME_PERSON.col()
    first_row, first_sheet = EARLIER_ID_ROW.col().cast(pl.String), EARLIER_ID_SHEET.col()
    other_row = (
        pl.when(first_sheet == pl.col("sheet"))
        .then(first_row)
        .otherwise(pl.concat_str(first_row, pl.lit(" ("), first_sheet, pl.lit(")")))
    )
    return [
        RowCheck("duplicate-in-file", "national_id", is_later & same_person, {"other_row": other_row}),
        RowCheck(
            "national-id-reused",
            "national_id",
            is_later & ~same_person,
            {"other_row": other_row, "other_name": EARLIER_ID_NAME.col()},
        ),
        RowCheck(
            "possible-duplicate-in-file",
            "full_name",
            EARLIER_PERSON_ROW.col().is_not_null() & (NATIONAL_ID.is_null() | (EARLIER_PERSON_ID.col() != NATIONAL_ID)),
            {"other_row": EARLIER_PERSON_ROW.col()},
        ),
    ]
