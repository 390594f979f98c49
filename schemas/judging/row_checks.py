"""Row checks as vectorised polars expressions, each tied to a catalogue code and to the field it blames."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from schemas.grades import grade_name_agrees
from schemas.parse import why_nonexistent
from schemas.policy import Policy
from schemas.record import DATE_COERCIBLE, LEFT_STATUSES, nonexistent_column, raw_column
from schemas.staff import field_titles, fields_of_kind, required
from schemas.standards import CHECK_CODES, CRITERIA
from schemas.vocabulary import vocabularies

_NAME_CHARS = r"[^\p{L}\s\-'’]"
_OPTIONAL_DATES = ("hire_date", "party_join_date", "party_official_date")
_DATES_AFTER_BIRTH = ("hire_date", "party_join_date", "party_official_date")
_GENDER_VI = {"male": "Nam", "female": "Nữ"}


@dataclass(frozen=True)
class RowCheck:
    """`fails` is true on rows with the problem; `params` fill the catalogue message's placeholders."""

    code: str
    field: str
    fails: pl.Expr
    params: dict[str, pl.Expr] = field(default_factory=dict)


def raw(name: str) -> pl.Expr:
    """A field's cell as written."""
    return pl.col(raw_column(name))


def has_column(name: str) -> str:
    """Name of the column telling whether the row's file has a column for `name`."""
    return f"_has_{name}"


def row_checks(policy: Policy, province_codes: tuple[str, ...]) -> list[RowCheck]:
    """Every row check. They run on many files at once: `_file` tells the files apart, `_has_<field>` says
    whether a row's file has a column for the field."""
    return [
        *_required(),
        *_names(),
        *_birth_and_gender(policy),
        *_national_id(province_codes),
        *_dates(),
        *_party(policy),
        *_numbers(),
        *_cycle(policy),
        *_title_standards(),
        *_vocabularies(),
        *_within_file(),
        RowCheck(
            "agency-row-mismatch",
            "unit_name",
            pl.col("_unit_agency").is_not_null(),
            {"other_agency": pl.col("_unit_agency"), "agency": pl.col("_agency_name")},
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
                pl.col(f"_coerced_{name}").is_not_null(),
                {"fixed": pl.col(f"_coerced_{name}")},
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
            pl.col(name).is_null() & raw(name).is_null() & (pl.col(has_column(name)) | (name == "staff_category")),
        )
        for name in required("R")
    ]
    # An expected field is only asked for when the file has its column; a missing column is not every row's fault.
    # The level of a foreign language may come with its name ("Tiếng Anh B1").
    checks += [
        RowCheck("expected-missing", name, raw(name).is_null() & pl.col(has_column(name)))
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
        *_unreadable_date("birth_date", "birth-date-invalid", "birth-date-nonexistent"),
        RowCheck(
            "birth-date-out-of-range",
            "birth_date",
            ~age.is_between(policy.min_age, policy.max_age),
            {"age": age, "min": pl.lit(policy.min_age), "max": pl.lit(policy.max_age)},
        ),
        RowCheck("gender-ambiguous", "gender", pl.col("_layout_gender") == "ambiguous"),
        RowCheck("gender-invalid", "gender", raw("gender").is_not_null() & (pl.col("_status_gender") != "ok")),
        RowCheck(
            "gender-conflict",
            "gender",
            pl.col("_layout_gender").is_in(["male", "female"]) & (pl.col("_code_gender") != pl.col("_layout_gender")),
            {"other": pl.col("_layout_gender").replace_strict(_GENDER_VI, default=None)},
        ),
        RowCheck(
            "gender-from-national-id",
            "gender",
            pl.col("_gender_from_id"),
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
            raw("national_id").is_not_null() & pl.col("national_id_kind").is_null(),
        ),
        RowCheck("national-id-century", "national_id", is_cccd & (digit > 3), {"digit": digit}),
        RowCheck("national-id-zero-restored", "national_id", pl.col("_id_restored"), {"fixed": national_id}),
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
            is_cccd & (digit <= 3) & pl.col("gender").is_not_null() & (pl.col("_id_gender") != pl.col("gender")),
            {
                "id_gender": pl.col("_id_gender").replace_strict(_GENDER_VI, default=None),
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


def _unreadable_date(name: str, invalid: str, nonexistent: str) -> list[RowCheck]:
    """A date cell that could not be read: text that is no date (`invalid`), or a day the calendar does not have
    (`nonexistent`, 30/02/1970), told apart because the clerk fixes them differently."""
    unread = raw(name).is_not_null() & pl.col(name).is_null()
    does_not_exist = pl.col(nonexistent_column(name))
    why_vi, why_en = why_nonexistent(raw(name), pl.col("_as_of"))
    return [
        RowCheck(invalid, name, unread & ~does_not_exist),
        RowCheck(nonexistent, name, unread & does_not_exist, {"why_vi": why_vi, "why_en": why_en}),
    ]


def _dates() -> list[RowCheck]:
    checks = [check for name in _OPTIONAL_DATES for check in _unreadable_date(name, "date-invalid", "date-nonexistent")]
    checks += [
        RowCheck(
            "date-two-digit-year",
            name,
            pl.col(f"_two_digit_{name}") & pl.col(name).is_not_null(),
            {"date": pl.col(name).dt.strftime("%d/%m/%Y")},
        )
        for name in fields_of_kind("date")
    ]
    checks += [
        RowCheck("date-after-as-of", name, pl.col(name) > pl.col("_as_of"))
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
            {"join": raw("party_join_date")},
        )
    )
    return checks


def _dmy(expr: pl.Expr) -> pl.Expr:
    return expr.dt.strftime("%d/%m/%Y")


def _party(policy: Policy) -> list[RowCheck]:
    """Party membership: admitted at 18 or later, 12 months' probation, not too long either."""
    join, official = pl.col("party_join_date"), pl.col("party_official_date")
    months = (official.dt.year() - join.dt.year()) * 12 + official.dt.month() - join.dt.month()
    return [
        RowCheck(
            "party-join-before-18",
            "party_join_date",
            (join >= pl.col("birth_date")) & (join < _eighteenth()),
            {"date18": _dmy(_eighteenth())},
        ),
        RowCheck(
            "party-probation-short",
            "party_official_date",
            (official >= join) & (official < join.dt.offset_by("12mo")),
            {"join": _dmy(join)},
        ),
        RowCheck(
            "party-probation-long",
            "party_official_date",
            months > policy.party_official_max_months,
            {"months": months, "max": pl.lit(policy.party_official_max_months), "join": _dmy(join)},
        ),
        RowCheck(
            "party-flag-conflict",
            "party_member",
            (pl.col("_code_party_member") == "false") & join.is_not_null(),
            {"join": _dmy(join)},
        ),
    ]


def _eighteenth() -> pl.Expr:
    return pl.col("birth_date").dt.offset_by("18y")


def _numbers() -> list[RowCheck]:
    step = raw("salary_step")
    total = step.str.extract(r"^\s*(?:bậc\s*)?\d+\s*/\s*(\d+)\s*$", 1).cast(pl.Int64, strict=False)
    return [
        RowCheck(
            "number-invalid",
            "salary_coefficient",
            raw("salary_coefficient").is_not_null() & pl.col("salary_coefficient").is_null(),
        ),
        RowCheck(
            "salary-step-invalid",
            "salary_step",
            step.is_not_null() & (pl.col("salary_step").is_null() | (pl.col("salary_step") > total).fill_null(False)),
        ),
        *_grades(),
        RowCheck(
            "general-schooling-invalid",
            "general_schooling",
            pl.col("general_schooling").is_not_null()
            & ~pl.col("general_schooling").str.contains(r"^\s*\d{1,2}\s*/\s*\d{1,2}\s*$")
            & ~pl.col("general_schooling").str.to_uppercase().str.strip_chars().is_in(["THPT", "THCS"]),
        ),
    ]


def _grades() -> list[RowCheck]:
    """The grade against the catalogue (schemas/grades.py): its code, its name, its steps and its scale."""
    grade = pl.coalesce("_grade_code_name", "grade_name", "grade_code")
    step, coefficient, expected = pl.col("salary_step"), pl.col("salary_coefficient"), pl.col("_expected_coefficient")
    return [
        RowCheck("grade-code-unknown", "grade_code", pl.col("grade_code").is_not_null() & ~pl.col("_grade_code_known")),
        RowCheck(
            "grade-code-name-mismatch",
            "grade_code",
            pl.col("_grade_code_known") & pl.col("grade_name").is_not_null() & ~grade_name_agrees(),
            {"expected": pl.col("_grade_code_name"), "name": pl.col("grade_name")},
        ),
        RowCheck(
            "salary-step-over-max",
            "salary_step",
            (step > pl.col("salary_step_max")).fill_null(False),
            {"step": step.cast(pl.String), "grade": grade, "max": pl.col("salary_step_max").cast(pl.String)},
        ),
        RowCheck(
            "salary-coefficient-mismatch",
            "salary_coefficient",
            ((coefficient - expected).abs() > 0.005).fill_null(False)
            & (step <= pl.col("salary_step_max")).fill_null(False),
            {
                "grade": grade,
                "step": step.cast(pl.String),
                "expected": expected.round(2).cast(pl.String).str.replace(".", ",", literal=True),
            },
        ),
    ]


def _planning(policy: Policy) -> list[RowCheck]:
    """Someone in the succession plan must be able to serve the whole planned term (the next one after the
    list's date) and must not be under discipline."""
    planned = pl.col("in_succession_plan").fill_null(False)
    as_of = pl.col("_as_of")
    terms = [(start, end) for start, end in policy.terms() if start.year >= 2000]
    term_end = pl.when(as_of < terms[0][0]).then(pl.lit(terms[0][1]))
    term_name = pl.when(as_of < terms[0][0]).then(pl.lit(f"{terms[0][0].year}–{terms[0][1].year}"))
    for start, end in terms[1:]:
        term_end = term_end.when(as_of < start).then(pl.lit(end))
        term_name = term_name.when(as_of < start).then(pl.lit(f"{start.year}–{end.year}"))
    discipline = pl.col("discipline")
    return [
        RowCheck(
            "planning-age",
            "in_succession_plan",
            planned & (pl.col("retirement_date") < term_end).fill_null(False),
            {"term": term_name, "ret_month": pl.col("retirement_date").dt.strftime("%m/%Y")},
        ),
        RowCheck(
            "planning-disciplined",
            "discipline",
            planned & discipline.is_not_null() & (discipline != "none"),
            {"year": as_of.dt.year().cast(pl.String)},
        ),
    ]


def _cycle(policy: Policy) -> list[RowCheck]:
    """Hiring age, the succession plan's titles, the leader column against the catalogue, the rating's year."""
    titles = pl.col("planned_title").str.split(";").list.eval(pl.element().str.strip_chars()).list.drop_nulls()
    title_count = titles.list.eval(pl.element().filter(pl.element() != "")).list.len()
    as_of = pl.col("_as_of")
    expected_year = (
        pl.when(as_of.dt.month() >= policy.rating_month).then(as_of.dt.year()).otherwise(as_of.dt.year() - 1)
    )
    return [
        RowCheck(
            "hire-before-18",
            "hire_date",
            (pl.col("hire_date") >= pl.col("birth_date")) & (pl.col("hire_date") < _eighteenth()),
            {"date18": _dmy(_eighteenth())},
        ),
        RowCheck(
            "planning-title-missing",
            "planned_title",
            pl.col("in_succession_plan").fill_null(False)
            & pl.col("planned_title").is_null()
            & pl.col(has_column("planned_title")),
        ),
        RowCheck("planning-too-many-titles", "planned_title", title_count > 3, {"count": title_count}),
        *_planning(policy),
        RowCheck(
            "leader-flag-override",
            "is_leader",
            pl.col("_code_is_leader").is_not_null()
            & pl.col("_catalogue_leader").is_not_null()
            & ((pl.col("_code_is_leader") == "true") != pl.col("_catalogue_leader")),
            {"position": pl.col("position")},
        ),
        RowCheck(
            "evaluation-year-mismatch",
            "evaluation_rating",
            pl.col("evaluation_year") != expected_year,
            {"value": pl.col("evaluation_year"), "expected": expected_year},
        ),
    ]


def _title_standards() -> list[RowCheck]:
    """A leader's level under the minimum of the post, criterion by criterion (advisory warnings)."""
    checks = []
    for criterion, (column, name_vi, name_en) in CRITERIA.items():
        required = pl.col(f"_required_{criterion}")
        checks.append(
            RowCheck(
                CHECK_CODES[criterion],
                column,
                # A file without the column is not asked, row by row, for what it never listed.
                pl.col(f"_below_{criterion}") & pl.col(has_column(column)),
                {
                    "position": pl.col("position"),
                    "criterion_vi": pl.lit(name_vi),
                    "criterion_en": pl.lit(name_en),
                    "required": required.replace_strict(vocabularies()[column].canonical, default=required),
                },
            )
        )
    return checks


def _vocabularies() -> list[RowCheck]:
    checks = [
        RowCheck(
            "staff-category-invalid",
            "staff_category",
            raw("staff_category").is_not_null() & (pl.col("_status_staff_category") != "ok"),
        ),
        RowCheck(
            "position-unknown",
            "position",
            pl.col("position").is_not_null() & ~pl.col("_position_known").fill_null(False),
            {"leader_text": pl.lit("không phải lãnh đạo, quản lý")},
        ),
        RowCheck(
            "status-left",
            "employment_status",
            pl.col("employment_status").is_in(LEFT_STATUSES),
        ),
    ]
    for name in fields_of_kind("vocab"):
        if name in ("gender", "staff_category"):
            continue
        status = pl.col(f"_status_{name}")
        other = pl.col(f"_other_{name}")
        checks += [
            RowCheck(
                "vocab-unknown",
                name,
                status == "unknown",
                {
                    "suggestion_vi": pl.concat_str(
                        pl.lit(' Có phải là "'), pl.col(f"_suggestion_{name}"), pl.lit('"?')
                    ),
                    "suggestion_en": pl.concat_str(
                        pl.lit(' Did you mean "'), pl.col(f"_suggestion_{name}"), pl.lit('"?')
                    ),
                },
            ),
            RowCheck(
                "vocab-wrong-column",
                name,
                status == "wrong_column",
                {
                    "other_field_vi": other.replace_strict(field_titles(), default=other),
                    "other_field_en": other.str.replace_all("_", " "),
                },
            ),
            RowCheck("vocab-in-progress", name, status == "in_progress"),
        ]
    return checks


def _within_file() -> list[RowCheck]:
    """One row per person: an ID seen earlier in the same file (any sheet) marks the later row."""
    national_id = pl.when(pl.col("national_id_kind").is_not_null()).then(pl.col("national_id"))
    same_id = [pl.col("_file"), national_id]
    first_row = pl.col("row_number").first().over(same_id)
    first_sheet = pl.col("sheet").first().over(same_id)
    first_name = pl.col("_folded_name").first().over(same_id)
    first_birth = pl.col("birth_date").first().over(same_id)
    # "Not the first of its group" as a hash of the key, not a row number over the group: ten times cheaper.
    is_later = national_id.is_not_null() & ~pl.struct(same_id).is_first_distinct()
    same_person = (pl.col("_folded_name") == first_name) & (pl.col("birth_date") == first_birth).fill_null(True)
    other_row = (
        pl.when(first_sheet == pl.col("sheet"))
        .then(first_row.cast(pl.String))
        .otherwise(pl.concat_str(first_row.cast(pl.String), pl.lit(" ("), first_sheet, pl.lit(")")))
    )
    person = [pl.col("_file"), pl.col("_folded_name"), pl.col("birth_date"), pl.col("gender")]
    return [
        RowCheck("duplicate-in-file", "national_id", is_later & same_person, {"other_row": other_row}),
        RowCheck(
            "national-id-reused",
            "national_id",
            is_later & ~same_person,
            {"other_row": other_row, "other_name": pl.col("full_name").first().over(same_id)},
        ),
        RowCheck(
            "possible-duplicate-in-file",
            "full_name",
            pl.col("birth_date").is_not_null()
            & ~pl.struct(person).is_first_distinct()
            & (national_id.is_null() | (national_id != national_id.first().over(person))),
            {"other_row": pl.col("row_number").first().over(person)},
        ),
    ]
